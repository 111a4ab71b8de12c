package dev.keel.core.training.eval;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The paired percentile bootstrap of a {@link BootstrapRule}: both models are measured on the same resampled rows, so the
 * interval is of the difference, not of each metric. Resamples on which the metric is undefined (AUC with one class)
 * are dropped and counted. The work is capped at {@link #MAX_ROW_DRAWS} rows drawn in all, which lowers the number of
 * resamples on very large holdouts.
 */
final class PairedBootstrap {
    static final long MAX_ROW_DRAWS = 20_000_000L;

    private PairedBootstrap() {
    }

    static Check check(BootstrapRule rule, Evaluation challenger, Evaluation champion) {
        String name = "bootstrap " + rule.metric();
        Scored mine = challenger.scored();
        Scored theirs = champion.scored();
        if (!mine.actual().equals(theirs.actual())) {
            return Check.failed(name, "paired bootstrap of " + rule.metric() + " needs both models scored on the same holdout rows; the "
                + "challenger has " + mine.rows() + " rows and the champion " + theirs.rows() + (mine.rows() == theirs.rows()
                ? " with different labels" : ""), Map.of());
        }
        if (!Metrics.names(mine.task()).contains(rule.metric())) {
            return Check.failed(name, "paired bootstrap: a " + mine.task() + " evaluation has no metric '" + rule.metric() + "'; it has "
                + String.join(", ", Metrics.names(mine.task())), Map.of());
        }
        int[] all = IntStream.range(0, mine.rows()).toArray();
        OptionalDouble observedMine = Metrics.one(mine, rule.metric(), all);
        OptionalDouble observedTheirs = Metrics.one(theirs, rule.metric(), all);
        if (observedMine.isEmpty() || observedTheirs.isEmpty()) {
            return Check.failed(name, "paired bootstrap: " + rule.metric() + " is undefined on this holdout (a class is absent)", Map.of());
        }
        boolean higher = Metrics.higherIsBetter(rule.metric());
        double observed = oriented(higher, observedMine.getAsDouble(), observedTheirs.getAsDouble());
        int n = mine.rows();
        int resamples = (int) Math.max(1, Math.min(rule.resamples(), MAX_ROW_DRAWS / n));
        SplittableRandom random = new SplittableRandom(rule.seed());
        double[] differences = new double[resamples];
        int kept = 0;
        int[] rows = new int[n];
        for (int b = 0; b < resamples; b++) {
            for (int i = 0; i < n; i++) {
                rows[i] = random.nextInt(n);
            }
            OptionalDouble a = Metrics.one(mine, rule.metric(), rows);
            OptionalDouble c = Metrics.one(theirs, rule.metric(), rows);
            if (a.isPresent() && c.isPresent()) {
                differences[kept++] = oriented(higher, a.getAsDouble(), c.getAsDouble());
            }
        }
        int dropped = resamples - kept;
        Map<String, Double> numbers = new LinkedHashMap<>();
        numbers.put("observed", observed);
        numbers.put("resamples", (double) resamples);
        numbers.put("dropped", (double) dropped);
        numbers.put("confidence", rule.confidence());
        numbers.put("min_difference", rule.minDifference());
        String method = String.format(Locale.ROOT, "paired bootstrap of %s (%d resamples, seed %d)", rule.metric(), resamples, rule.seed());
        if (kept < 2 || dropped * 2 > resamples) {
            return Check.failed(name, method + ": " + rule.metric() + " was undefined on " + dropped + " of " + resamples
                + " resamples; too few remain for an interval", numbers);
        }
        double[] sorted = Arrays.copyOf(differences, kept);
        Arrays.sort(sorted);
        double alpha = (1 - rule.confidence()) / 2;
        double lower = Percentiles.linear(sorted, alpha);
        double upper = Percentiles.linear(sorted, 1 - alpha);
        numbers.put("lower", lower);
        numbers.put("upper", upper);
        boolean passed = lower >= rule.minDifference();
        int decimals = Numbers.decimals(observed, lower, upper, rule.minDifference());
        String sentence = String.format(Locale.ROOT, "%s: challenger better by %s, %s %% interval [%s, %s]%s; lower bound %s %s %s required",
            method, Numbers.format(observed, decimals),
            java.math.BigDecimal.valueOf(rule.confidence()).movePointRight(2).stripTrailingZeros().toPlainString(),
            Numbers.format(lower, decimals), Numbers.format(upper, decimals), dropped == 0 ? "" : " (" + dropped + " undefined resamples dropped)",
            Numbers.format(lower, decimals), passed ? ">=" : "<", Numbers.format(rule.minDifference(), decimals));
        return Check.of(passed, name, sentence, numbers);
    }

    private static double oriented(boolean higherIsBetter, double challenger, double champion) {
        return higherIsBetter ? challenger - champion : champion - challenger;
    }
}
