/**
 * The statistics engine of model monitoring: drift statistics (PSI, Kolmogorov-Smirnov, chi-square, z-test,
 * Jensen-Shannon, normalized Wasserstein) with Evidently's default choice per column, dataset drift, classification and
 * regression metrics, and bounded-memory window summaries.
 *
 * <p>Exact samples ({@link dev.keel.core.monitor.stats.ColumnSample}) agree with SciPy 1.10 / scikit-learn 1.2 to
 * 1e-6 relative on the fixtures in {@code build/fixtures/stats}. PSI uses reference-quantile bins
 * ({@code numpy.quantile(reference, k/bins)}, distinct edges, bins {@code [e_i, e_i+1)}) and fills empty bins as
 * Evidently does (0.0001, or the smallest non-zero share / 10^6 when that is smaller).
 *
 * <p>Summaries ({@link dev.keel.core.monitor.stats.NumericSummary}, {@link dev.keel.core.monitor.stats.CategoricalSummary})
 * approximate as follows: PSI is exact when the PSI bins divide the grid size (10 into 1000 by default); every statistic
 * is exact for numeric columns with at most 32 distinct values and for categorical columns under the category cap;
 * otherwise the KS statistic is read at the grid edges (a lower bound within one grid bin of reference mass, about
 * 0.001 by default) and Wasserstein and Jensen-Shannon use values spread uniformly around each bin's mean (within about
 * 1% of the exact value plus 0.01 in the tests). Memory per summary is fixed at creation.
 */
package dev.keel.core.monitor.stats;
