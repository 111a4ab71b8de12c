package dev.keel.core.data;

import dev.keel.spi.data.EngineResult;
import java.util.List;

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
        long in = 0;
        long quarantined = 0;
        long merged = 0;
        long filtered = 0;
        for (EngineResult.StageResult stage : result.stages()) {
            if (stage.kind() == EngineResult.StageKind.SOURCE) {
                in += stage.rowsIn();
            }
            quarantined += stage.quarantined();
            merged += stage.merged();
            filtered += stage.filtered();
        }
        long out = result.outputs().stream().mapToLong(EngineResult.StagedOutput::rows).sum();
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
