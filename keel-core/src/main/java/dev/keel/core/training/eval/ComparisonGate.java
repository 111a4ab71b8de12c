package dev.keel.core.training.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The checks a challenger must pass before it may replace the champion: metric rules (absolute or relative to the
 * champion), a minimum holdout size, per-slice non-regression, latency and size budgets and an optional paired bootstrap.
 * Without a champion (a first model) the champion-relative checks are SKIPPED and the others still apply.
 */
public record ComparisonGate(List<Rule> rules, int minHoldoutRows, List<SliceRule> slices, OptionalDouble maxLatencyP99Millis,
                             OptionalLong maxModelBytes, Optional<BootstrapRule> bootstrap) {
    public ComparisonGate {
        rules = List.copyOf(rules);
        slices = List.copyOf(slices);
        Objects.requireNonNull(maxLatencyP99Millis, "maxLatencyP99Millis");
        Objects.requireNonNull(maxModelBytes, "maxModelBytes");
        Objects.requireNonNull(bootstrap, "bootstrap");
        if (minHoldoutRows < 0) {
            throw new IllegalArgumentException("minHoldoutRows must be >= 0; got " + minHoldoutRows);
        }
        if (maxLatencyP99Millis.isPresent() && !(maxLatencyP99Millis.getAsDouble() > 0 && Double.isFinite(maxLatencyP99Millis.getAsDouble()))) {
            throw new IllegalArgumentException("maxLatencyP99Millis must be a finite number > 0; got " + maxLatencyP99Millis.getAsDouble());
        }
        if (maxModelBytes.isPresent() && maxModelBytes.getAsLong() <= 0) {
            throw new IllegalArgumentException("maxModelBytes must be > 0; got " + maxModelBytes.getAsLong());
        }
    }

    /** A gate of metric rules only, for example {@code ComparisonGate.of(100, "auc >= 0.75", "auc >= champion.auc - 0.01")}. */
    public static ComparisonGate of(int minHoldoutRows, String... rules) {
        List<Rule> parsed = new ArrayList<>();
        for (String rule : rules) {
            parsed.add(Rule.parse(rule));
        }
        return new ComparisonGate(parsed, minHoldoutRows, List.of(), OptionalDouble.empty(), OptionalLong.empty(), Optional.empty());
    }

    /**
     * Judges the challenger, against the champion when there is one. Both must have been evaluated by Keel on the same
     * holdout; a champion evaluated on other rows fails the gate.
     */
    public GateVerdict judge(Evaluation challenger, Optional<Evaluation> champion) {
        Objects.requireNonNull(challenger, "challenger");
        Objects.requireNonNull(champion, "champion");
        List<Check> checks = new ArrayList<>();
        checks.add(Check.of(challenger.rows() >= minHoldoutRows, "holdout rows", "the holdout has " + challenger.rows() + " rows; the gate needs "
            + "at least " + minHoldoutRows, Map.of("rows", (double) challenger.rows(), "min_rows", (double) minHoldoutRows)));
        champion.ifPresent(reference -> checks.add(sameHoldout(challenger, reference)));
        for (Rule rule : rules) {
            checks.add(rule.check(challenger, champion));
        }
        for (SliceRule slice : slices) {
            checks.addAll(slice.check(challenger, champion));
        }
        if (maxLatencyP99Millis.isPresent()) {
            double budget = maxLatencyP99Millis.getAsDouble();
            double latency = challenger.latencyP99Millis();
            int decimals = Numbers.decimals(latency, budget);
            boolean passed = latency <= budget;
            checks.add(Check.of(passed, "latency p99", "latency p99 " + Numbers.format(latency, decimals) + " ms per row " + (passed ? "<=" : ">")
                + " budget " + Numbers.constant(budget) + " ms", Map.of("latency_p99_ms", latency, "budget_ms", budget)));
        }
        if (maxModelBytes.isPresent()) {
            long budget = maxModelBytes.getAsLong();
            boolean passed = challenger.modelBytes() <= budget;
            checks.add(Check.of(passed, "model bytes", "model size " + challenger.modelBytes() + " bytes " + (passed ? "<=" : ">") + " budget "
                + budget + " bytes", Map.of("model_bytes", (double) challenger.modelBytes(), "budget_bytes", (double) budget)));
        }
        bootstrap.ifPresent(rule -> checks.add(champion.isEmpty()
            ? Check.skipped("bootstrap " + rule.metric(), "paired bootstrap of " + rule.metric() + " skipped: there is no champion to compare with")
            : PairedBootstrap.check(rule, challenger, champion.get())));
        return GateVerdict.of(checks);
    }

    private static Check sameHoldout(Evaluation challenger, Evaluation champion) {
        Map<String, Double> numbers = new LinkedHashMap<>();
        numbers.put("challenger_rows", (double) challenger.rows());
        numbers.put("champion_rows", (double) champion.rows());
        if (challenger.task() != champion.task()) {
            return Check.failed("same holdout", "the challenger was evaluated as " + challenger.task() + " and the champion as " + champion.task()
                + "; both must be evaluated for the same task", numbers);
        }
        if (challenger.rows() != champion.rows()) {
            return Check.failed("same holdout", "the champion was evaluated on " + champion.rows() + " rows and the challenger on "
                + challenger.rows() + "; both must be scored on the same holdout", numbers);
        }
        if (!challenger.scored().actual().equals(champion.scored().actual())) {
            return Check.failed("same holdout", "the champion and the challenger were evaluated on " + challenger.rows() + " rows with different "
                + "labels; both must be scored on the same holdout", numbers);
        }
        if (!new java.util.HashSet<>(challenger.scored().classes()).equals(new java.util.HashSet<>(champion.scored().classes()))
            || !challenger.scored().positive().equals(champion.scored().positive())) {
            return Check.failed("same holdout", "the challenger's classes " + challenger.scored().classes() + " (positive '"
                + challenger.scored().positive() + "') differ from the champion's " + champion.scored().classes() + " (positive '"
                + champion.scored().positive() + "')", numbers);
        }
        return Check.passed("same holdout", "both models were scored on the same " + challenger.rows() + " holdout rows", numbers);
    }
}
