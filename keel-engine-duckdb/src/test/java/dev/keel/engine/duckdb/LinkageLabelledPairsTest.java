package dev.keel.engine.duckdb;

import static dev.keel.engine.duckdb.LinkageFixture.AIRPORTS;
import static dev.keel.engine.duckdb.LinkageFixture.AIRPORT_TYPES;
import static dev.keel.engine.duckdb.LinkageFixture.DUPLICATES;
import static dev.keel.engine.duckdb.LinkageFixture.HEADER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.spi.data.DataEngineException;
import dev.keel.spi.data.EngineResult;
import dev.keel.spi.data.Linkage;
import dev.keel.spi.data.LinkageReport;
import dev.keel.spi.data.PipelinePlan;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** m and λ from labelled pairs instead of EM, and the clusters judged on those pairs with a precision/recall curve. */
class LinkageLabelledPairsTest {
    /** Ten matches and five non-matches; (a01, a02) and (a06, a19) were never candidates under the airports' blocking. */
    private static final List<String> LABELS = List.of("a01,d01,true", "a02,d02,true", "a03,d03,true", "a05,d04,true", "a07,d05,true",
            "a08,d06,true", "a11,d07,true", "a15,d08,true", "d09,a20,true", "a27,d10,true", "a28,a29,false", "a01,a02,false",
            "a04,a30,false", "a06,a19,false", "a13,a14,false");

    @TempDir
    Path directory;

    private PipelinePlan plan(LinkageFixture fixture, List<String> labels) {
        List<String> rows = new ArrayList<>(AIRPORTS);
        rows.addAll(DUPLICATES);
        fixture.write("airports.csv", HEADER, rows);
        fixture.write("labels.csv", "left_id,right_id,is_match", labels);
        Linkage linkage = LinkageFixture.linkage("id", LinkageFixture.airportComparisons(), LinkageFixture.airportBlocking(),
                Linkage.Mode.ANY, new Linkage.Training(100_000, 7, 25, "labels"), new Linkage.Evaluation("", "labels"));
        return LinkageFixture.plan(List.of(LinkageFixture.csv("raw", "airports.csv", AIRPORT_TYPES), LinkageFixture.csv("labels",
                "labels.csv", Map.of())), LinkageFixture.dedupe("airports", "raw", linkage));
    }

    @Test
    void labelledPairs_trainTheModelAndJudgeTheClusters() {
        LinkageFixture fixture = new LinkageFixture(directory);

        EngineResult result = fixture.run(plan(fixture, LABELS));

        LinkageReport report = result.linkage().getFirst();
        assertThat(report.model().training()).isEqualTo("labelled-pairs");
        assertThat(report.model().iterations()).isZero();
        assertThat(report.model().lambda()).isEqualTo(10 / 15.0);
        // No labelled match has its names at the else level: m of "else" is half a pair over the ten matches.
        LinkageReport.ComparisonParameters name = report.model().comparisons().getFirst();
        assertThat(name.levels().getLast().label()).isEqualTo("else");
        assertThat(name.levels().getLast().m()).isEqualTo(0.05);
        // Ten labelled matches are too few to outweigh two "Portland International"s in two Portlands: PDX and PWM merge, and
        // the labelled non-match between them shows it.
        assertThat(report.clusters()).isEqualTo(29);
        LinkageReport.Evaluation evaluation = report.evaluation().orElseThrow();
        assertThat(evaluation.against()).isEqualTo("labelled-pairs");
        assertThat(evaluation.truePairs()).isEqualTo(10);
        assertThat(evaluation.predictedPairs()).isEqualTo(11);
        assertThat(evaluation.pairwisePrecision()).isEqualTo(10 / 11.0);
        assertThat(evaluation.pairwiseRecall()).isEqualTo(1.0);
        assertThat(evaluation.curve()).isNotEmpty();
        LinkageReport.CurvePoint last = evaluation.curve().getLast();
        // Pairs no rule generated have probability 0, so the last point of the curve counts every labelled pair.
        assertThat(last.threshold()).isEqualTo(0.0);
        assertThat(last.recall()).isEqualTo(1.0);
        assertThat(last.precision()).isEqualTo(10 / 15.0);
    }

    @Test
    void aLabelledPairNamingAnUnknownRecord_isRefused() {
        LinkageFixture fixture = new LinkageFixture(directory);
        List<String> labels = new ArrayList<>(LABELS);
        labels.add("a01,zz9,false");

        assertThatThrownBy(() -> fixture.run(plan(fixture, labels))).isInstanceOfSatisfying(DataEngineException.class, e -> {
            assertThat(e.path()).isEqualTo("steps[0].linkage.training.labelled-pairs");
            assertThat(e.getMessage()).contains("names record 'zz9', which is not among the step's records");
        });
    }
}
