package dev.keel.core.data;

import dev.keel.spi.data.LinkageReport;
import java.util.List;
import java.util.Optional;

/** Linkage reports as a run stores them, with the non-finite values a model can hold (a level never seen: weight −∞). */
final class LinkageReports {
    private LinkageReports() {
    }

    /** A report evaluated against a truth column and labelled pairs; one curve point has no predicted pair (precision NaN). */
    static LinkageReport evaluated(String step) {
        return new LinkageReport(step, 5, List.of(new LinkageReport.RuleCount("name-sound", 4, 4),
                new LinkageReport.RuleCount("name-tokens", 3, 1)), 5, 2, 3, model(), Optional.of(new LinkageReport.Evaluation(
                "labelled-pairs", 1.0, 0.5, 2.0 / 3, 0.9, 0.8, 0.847, 4, 2, List.of(new LinkageReport.CurvePoint(0.5, 1.0, 0.5),
                new LinkageReport.CurvePoint(0.99, Double.NaN, 0.0)))));
    }

    /** A report with no evaluation. */
    static LinkageReport unevaluated(String step) {
        return new LinkageReport(step, 12, List.of(new LinkageReport.RuleCount("rule-1", 30, 30)), 30, 6, 7, model(), Optional.empty());
    }

    private static LinkageReport.Model model() {
        return new LinkageReport.Model(0.0123, List.of(new LinkageReport.ComparisonParameters("name", List.of(
                new LinkageReport.LevelParameters("exact", 0.9, 0.001, 9.81), new LinkageReport.LevelParameters("jaro-winkler >= 0.92", 0.0,
                        0.01, Double.NEGATIVE_INFINITY), new LinkageReport.LevelParameters("else", 0.1, 0.989, -3.31)))), "em", 7, true,
                1_000_000);
    }
}
