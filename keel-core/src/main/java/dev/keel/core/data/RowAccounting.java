package dev.keel.core.data;

import dev.keel.spi.data.EngineResult;
import dev.keel.spi.data.Linkage;
import dev.keel.spi.data.PipelinePlan;
import dev.keel.spi.data.StepSpec;
import java.util.List;
import java.util.Optional;

/**
 * A run's books: rows read from sources, published in outputs, quarantined, merged (by dedupe and match/merge) and
 * filtered (net rows removed by SQL steps). They balance when {@code in = out + quarantined + merged + filtered}.
 */
public record RowAccounting(long rowsIn, long rowsOut, long quarantined, long merged, long filtered) {
    /** No rows yet. */
    public static RowAccounting empty() {
        return new RowAccounting(0, 0, 0, 0, 0);
    }

    /** The books of an engine result: inputs from sources, outputs counted from the staged files. */
    public static RowAccounting of(EngineResult result) {
        return of(result, java.util.Set.of(), java.util.Set.of());
    }

    /**
     * The books of an engine result for its plan. A linkage step's audit datasets ({@code D-clusters}, {@code D-links}) describe
     * its records and pairs, not rows of the flow, so they are not rows out; a relation a linkage step reads as labelled pairs
     * is reference data whose rows end there, so they are not rows in.
     */
    public static RowAccounting of(EngineResult result, PipelinePlan plan) {
        java.util.Set<String> audit = new java.util.HashSet<>();
        java.util.Set<String> labelled = new java.util.HashSet<>();
        for (StepSpec step : plan.steps()) {
            Optional<Linkage> linkage = switch (step) {
                case StepSpec.Dedupe dedupe -> dedupe.matching().linkage();
                case StepSpec.MatchMerge merge -> merge.matching().linkage();
                case StepSpec.Sql sql -> Optional.empty();
                case StepSpec.Clean clean -> Optional.empty();
                case StepSpec.Impute impute -> Optional.empty();
                case StepSpec.Derive derive -> Optional.empty();
            };
            linkage.ifPresent(found -> {
                audit.add(step.name() + "__clusters");
                audit.add(step.name() + "__links");
                if (!found.training().labelledPairs().isEmpty()) {
                    labelled.add(found.training().labelledPairs());
                }
                if (!found.evaluation().labelledPairs().isEmpty()) {
                    labelled.add(found.evaluation().labelledPairs());
                }
            });
        }
        return of(result, audit, labelled);
    }

    private static RowAccounting of(EngineResult result, java.util.Set<String> audit, java.util.Set<String> labelled) {
        long in = 0;
        long quarantined = 0;
        long merged = 0;
        long filtered = 0;
        for (EngineResult.StageResult stage : result.stages()) {
            if (stage.kind() == EngineResult.StageKind.SOURCE) {
                in += stage.rowsIn();
            }
            if (labelled.contains(stage.name())) {
                in -= stage.rowsOut();
            }
            quarantined += stage.quarantined();
            merged += stage.merged();
            filtered += stage.filtered();
        }
        long out = result.outputs().stream().filter(output -> !audit.contains(output.from())).mapToLong(EngineResult.StagedOutput::rows)
                .sum();
        return new RowAccounting(in, out, quarantined, merged, filtered);
    }

    /** True when every row read is published, quarantined, merged or filtered. */
    public boolean balanced() {
        return rowsIn == rowsOut + quarantined + merged + filtered;
    }

    /** Stages other than SQL steps that lost or gained rows without quarantining or merging them. */
    public static List<String> unexplained(EngineResult result) {
        return result.stages().stream()
                .filter(stage -> stage.filtered() != 0 && !stage.type().equals("sql"))
                .map(stage -> stage.name() + " (" + stage.type() + ": " + stage.rowsIn() + " in, " + stage.rowsOut() + " out, "
                        + stage.quarantined() + " quarantined, " + stage.merged() + " merged)")
                .toList();
    }
}
