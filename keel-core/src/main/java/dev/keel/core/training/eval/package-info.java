/**
 * Verification of a retrained model before promotion: Keel scores the challenger (and the current champion) itself on
 * the same holdout, never trusting metrics an uploader claims, and a {@link dev.keel.core.training.eval.ComparisonGate}
 * decides whether the challenger may replace the champion.
 *
 * <p>{@link dev.keel.core.training.eval.Evaluator} checks the model's signature against the holdout (one rank-2 float
 * input of the holdout's width; a {@code probabilities} output {@code [N, C]} for classification, a {@code prediction}
 * output {@code [N]} or {@code [N, 1]} for regression), scores the holdout in batches, refuses non-finite outputs and
 * probability rows that are not distributions, and computes the metrics with the monitoring code of
 * {@code dev.keel.core.monitor.stats}, which equals scikit-learn (the fixtures in {@code build/fixtures/eval} check it).
 *
 * <p>The gate is a list of checks, each PASSED, FAILED or SKIPPED with a sentence that states its numbers: absolute and
 * champion-relative metric rules, a minimum holdout size, per-slice non-regression, latency and size budgets and a
 * paired percentile bootstrap. Everything is deterministic: the bootstrap draws from a seeded {@link
 * java.util.SplittableRandom}, and only the latency figures depend on the clock. See {@code docs/evaluation.md}.
 */
package dev.keel.core.training.eval;
