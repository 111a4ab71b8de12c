/**
 * Retraining: training specs, training runs on in-JVM and external trainers, Keel's own evaluation of challenger and
 * champion on one holdout, the comparison gate, approvals, progressive rollouts and lineage.
 */
package dev.keel.core.training;
