package dev.keel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What {@code keel pipeline run --wait} and {@code run-show} print for a run with linkage reports. */
class PipelineRunOutputTest {
    private static final String RUN = """
            {"id": "run-1", "status": "SUCCEEDED", "accounting": {"rowsIn": 5, "rowsOut": 3, "quarantined": 0, "merged": 2,
             "filtered": 0}, "datasets": ["airports@1", "airports-clusters@1", "airports-links@1"], "unchanged": [], "error": null,
             "linkage": [
              {"step": "airports", "records": 5, "rules": [{"rule": "name-sound", "generated": 4, "compared": 4},
                {"rule": "name-tokens", "generated": 3, "compared": 1}], "candidatePairs": 5, "links": 2, "clusters": 3,
               "model": {"lambda": 0.0123, "comparisons": [], "training": "em", "iterations": 7, "converged": true, "uPairs": 1000000},
               "evaluation": {"against": "truth-column", "pairwisePrecision": 1.0, "pairwiseRecall": 0.5, "pairwiseF1": 0.6667,
                "bcubedPrecision": 0.9, "bcubedRecall": "NaN", "bcubedF1": 0.847, "truePairs": 4, "predictedPairs": 2, "curve": []}},
              {"step": "golden", "records": 12, "rules": [{"rule": "rule-1", "generated": 30, "compared": 30}], "candidatePairs": 30,
               "links": 6, "clusters": 7, "model": {"lambda": 0.2, "comparisons": [], "training": "labelled-pairs", "iterations": 0,
               "converged": true, "uPairs": 5000}, "evaluation": null}]}
            """;

    @Test
    void run_withLinkage_printsRuleCountsPairsModelAndEvaluationPerStep() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        PipelineCommands.printRun(Json.MAPPER.readTree(RUN), new PrintStream(bytes, true, StandardCharsets.UTF_8));

        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("""
                run run-1 SUCCEEDED: 5 in, 3 out, 0 quarantined, 2 merged, 0 filtered
                  published airports@1
                  published airports-clusters@1
                  published airports-links@1
                  linkage airports: 5 records, 5 candidate pairs, 2 links, 3 clusters
                    rule name-sound: 4 generated, 4 compared
                    rule name-tokens: 3 generated, 1 compared
                    model: λ 0.0123, EM 7 iterations (converged), u from 1000000 random pairs
                    evaluation (truth-column): pairwise P 1.000 R 0.500 F1 0.667; B-cubed P 0.900 R NaN F1 0.847 (4 true pairs, 2 predicted)
                  linkage golden: 12 records, 30 candidate pairs, 6 links, 7 clusters
                    rule rule-1: 30 generated, 30 compared
                    model: λ 0.2, m from labelled-pairs, u from 5000 random pairs
                """);
    }

    @Test
    void run_evaluatedOnLabelledPairs_printsTheirPrecisionRecallCurveAtAboutTenPoints() throws Exception {
        StringBuilder curve = new StringBuilder();
        for (int point = 0; point < 25; point++) {
            curve.append(point == 0 ? "" : ", ").append("{\"threshold\": ").append(1.0 - point * 0.04).append(", \"precision\": ")
                    .append(1.0 - point * 0.01).append(", \"recall\": ").append(point * 0.04).append("}");
        }
        String run = """
                {"id": "run-2", "status": "SUCCEEDED", "accounting": {"rowsIn": 2, "rowsOut": 1, "quarantined": 0, "merged": 1,
                 "filtered": 0}, "datasets": [], "unchanged": [], "error": null, "linkage": [
                  {"step": "s", "records": 2, "rules": [], "candidatePairs": 1, "links": 1, "clusters": 1,
                   "model": {"lambda": 0.5, "comparisons": [], "training": "em", "iterations": 1, "converged": true, "uPairs": 1},
                   "evaluation": {"against": "labelled-pairs", "pairwisePrecision": 1.0, "pairwiseRecall": 1.0, "pairwiseF1": 1.0,
                    "bcubedPrecision": 1.0, "bcubedRecall": 1.0, "bcubedF1": 1.0, "truePairs": 1, "predictedPairs": 1,
                    "curve": [%s]}}]}
                """.formatted(curve);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        PipelineCommands.printRun(Json.MAPPER.readTree(run), new PrintStream(bytes, true, StandardCharsets.UTF_8));

        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("    precision/recall over the labelled pairs (pairs with p >= threshold counted as matches):\n"
                + "      threshold 1: precision 1.000, recall 0.000\n"
                + "      threshold 0.88: precision 0.970, recall 0.120\n");
        // Every third point of the 25 (indices 0, 3, ..., 24), the last one among them.
        assertThat(printed.lines().filter(line -> line.startsWith("      threshold ")).count()).isEqualTo(9);
        assertThat(printed).endsWith("      threshold 0.04: precision 0.760, recall 0.960\n");
    }
}
