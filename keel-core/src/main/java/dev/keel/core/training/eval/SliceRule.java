package dev.keel.core.training.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Per-slice non-regression: on every value of {@code column} with at least {@code minRows} holdout rows, the challenger's
 * {@code metric} may be worse than the champion's by at most {@code tolerance} (worse is lower for accuracy, precision,
 * recall, f1, auc and r2, higher for logloss, mae and rmse).
 */
public record SliceRule(String column, String metric, double tolerance, int minRows) {
    public SliceRule {
        Objects.requireNonNull(column, "column");
        Objects.requireNonNull(metric, "metric");
        Metrics.higherIsBetter(metric);
        if (!Double.isFinite(tolerance) || tolerance < 0) {
            throw new IllegalArgumentException("slice rule on '" + column + "': tolerance must be a finite number >= 0; got " + tolerance);
        }
        if (minRows < 1) {
            throw new IllegalArgumentException("slice rule on '" + column + "': minRows must be >= 1; got " + minRows);
        }
    }

    List<Check> check(Evaluation challenger, Optional<Evaluation> champion) {
        String name = "slice " + column + " " + metric;
        if (champion.isEmpty()) {
            return List.of(Check.skipped(name, "slice rule on " + column + " (" + metric + ") skipped: there is no champion to compare with"));
        }
        Map<String, Map<String, Double>> values = challenger.slices().get(column);
        if (values == null) {
            return List.of(Check.failed(name, "the holdout has no slice column '" + column + "'; it has "
                + (challenger.slices().isEmpty() ? "none" : String.join(", ", challenger.slices().keySet())), Map.of()));
        }
        Map<String, Map<String, Double>> championValues = champion.get().slices().getOrDefault(column, Map.of());
        boolean higher = Metrics.higherIsBetter(metric);
        List<Check> checks = new ArrayList<>();
        for (Map.Entry<String, Map<String, Double>> entry : values.entrySet()) {
            double rows = entry.getValue().getOrDefault(Metrics.ROWS, 0.0);
            if (rows < minRows) {
                continue;
            }
            String slice = column + "=" + entry.getKey();
            String checkName = "slice " + slice + " " + metric;
            Double mine = entry.getValue().get(metric);
            Map<String, Double> theirs = championValues.get(entry.getKey());
            if (theirs == null) {
                checks.add(Check.failed(checkName, "slice " + slice + " has " + Numbers.integer(rows) + " rows in the challenger's holdout but "
                    + "none in the champion's; both must be evaluated on the same holdout", Map.of("rows", rows)));
                continue;
            }
            Double reference = theirs.get(metric);
            if (mine == null || reference == null) {
                checks.add(Check.skipped(checkName, "slice " + slice + " (" + Numbers.integer(rows) + " rows): " + metric + " is undefined for the "
                    + (mine == null ? "challenger" : "champion") + " (a class is absent from the slice)"));
                continue;
            }
            double worseBy = higher ? reference - mine : mine - reference;
            boolean passed = worseBy <= tolerance;
            Map<String, Double> numbers = new LinkedHashMap<>();
            numbers.put("rows", rows);
            numbers.put("challenger", mine);
            numbers.put("champion", reference);
            numbers.put("tolerance", tolerance);
            int decimals = Numbers.decimals(mine, reference, worseBy, tolerance);
            String comparison = "slice " + slice + " (" + Numbers.integer(rows) + " rows): " + metric + " " + Numbers.format(mine, decimals)
                + " vs champion " + Numbers.format(reference, decimals);
            String verdict;
            if (worseBy <= 0) {
                verdict = ", not worse";
            } else if (passed) {
                verdict = ", worse by " + Numbers.format(worseBy, decimals) + " <= tolerance " + Numbers.constant(tolerance);
            } else {
                verdict = ", worse by " + Numbers.format(worseBy, decimals) + " > tolerance " + Numbers.constant(tolerance);
            }
            checks.add(Check.of(passed, checkName, comparison + verdict, numbers));
        }
        if (checks.isEmpty()) {
            return List.of(Check.skipped(name, "slice rule on " + column + " (" + metric + ") skipped: no value of " + column + " has at least "
                + minRows + " rows"));
        }
        return checks;
    }
}
