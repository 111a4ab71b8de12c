/**
 * Contracts that Keel's plug-ins compile against: model runtimes, data engines, trainers and artifact stores.
 *
 * <p>The core finds implementations with {@link java.util.ServiceLoader}, so a heavy engine (Spark, a GPU runtime)
 * never leaks into the core's class path. Types here are values (records) and narrow interfaces only.
 */
package dev.keel.spi;
