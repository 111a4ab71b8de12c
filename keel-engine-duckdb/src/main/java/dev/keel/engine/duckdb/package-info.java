/**
 * The embedded DuckDB data engine: runs pipeline plans in an in-memory DuckDB database, one per run, spilling to the run's
 * staging directory when memory runs short.
 */
package dev.keel.engine.duckdb;
