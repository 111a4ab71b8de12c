package dev.keel.core.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.spi.data.DatasetProfile;
import dev.keel.spi.data.EngineResult;
import dev.keel.spi.data.PipelinePlan;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The books of a run with a linkage step: its audit datasets and labelled pairs are outside the flow of rows. */
class RowAccountingTest {
    private static final PipelinePlan PLAN = new PipelineSpecParser().parseOrThrow("""
            pipeline: airports
            sources:
              - {name: faa, type: csv, path: faa.csv}
              - {name: osm, type: csv, path: osm.csv}
              - {name: labels, type: csv, path: labels.csv}
            steps:
              - name: golden
                type: match-merge
                inputs: [faa, osm]
                linkage: {comparisons: [{column: name}], training: {labelled-pairs: labels}}
            outputs:
              - {dataset: golden, from: golden}
            """).plan();

    private static EngineResult.StageResult source(String name, long rows) {
        return new EngineResult.StageResult(name, EngineResult.StageKind.SOURCE, "csv", rows, rows, 0, 0, 1, "f".repeat(64));
    }

    private static EngineResult.StagedOutput output(String dataset, String from, long rows) {
        return new EngineResult.StagedOutput(dataset, from, Path.of(dataset + ".parquet"), rows, new DatasetProfile(rows, List.of()));
    }

    @Test
    void linkageRun_balancesWithoutItsAuditDatasetsAndLabelledPairs() {
        EngineResult result = new EngineResult("duckdb", List.of(source("faa", 3), source("osm", 2), source("labels", 4),
                new EngineResult.StageResult("golden", EngineResult.StageKind.STEP, "match-merge", 5, 3, 0, 2, 9, "")), List.of(),
                List.of(output("golden", "golden", 3), output("golden-clusters", "golden__clusters", 5),
                        output("golden-links", "golden__links", 4)), Optional.empty(), List.of(LinkageReports.unevaluated("golden")));

        RowAccounting books = RowAccounting.of(result, PLAN);

        assertThat(books).isEqualTo(new RowAccounting(5, 3, 0, 2, 0));
        assertThat(books.balanced()).isTrue();
        assertThat(RowAccounting.of(result).balanced()).isFalse();
        assertThat(PLAN.outputs()).extracting(dev.keel.spi.data.OutputSpec::dataset).containsExactly("golden", "golden-clusters",
                "golden-links");
    }
}
