package dev.keel.engine.duckdb;

import static dev.keel.engine.duckdb.LinkageFixture.AIRPORTS;
import static dev.keel.engine.duckdb.LinkageFixture.AIRPORT_TYPES;
import static dev.keel.engine.duckdb.LinkageFixture.DUPLICATES;
import static dev.keel.engine.duckdb.LinkageFixture.HEADER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.spi.data.DataEngine;
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

/** Blocking rules counted before comparing, pairs compared once, and the refusals a linkage step gives with their paths. */
class LinkageRulesTest {
    @TempDir
    Path directory;

    private static Linkage linkage(String id, List<Linkage.ComparisonSpec> comparisons, List<Linkage.BlockingRule> blocking,
                                   double linkFloor, long maxComparisons) {
        return new Linkage(id, comparisons, blocking, 0.95, Linkage.Mode.ANY, Double.NaN, linkFloor, maxComparisons,
                LinkageFixture.training(), Linkage.Evaluation.none());
    }

    private PipelinePlan airports(LinkageFixture fixture, List<String> rows, Linkage linkage) {
        fixture.write("airports.csv", HEADER, rows);
        return LinkageFixture.plan(List.of(LinkageFixture.csv("raw", "airports.csv", AIRPORT_TYPES)),
                LinkageFixture.dedupe("airports", "raw", linkage));
    }

    private static List<String> allAirports() {
        List<String> rows = new ArrayList<>(AIRPORTS);
        rows.addAll(DUPLICATES);
        return rows;
    }

    @Test
    void aPairTwoRulesGenerate_isComparedOnceUnderTheFirst() {
        LinkageFixture fixture = new LinkageFixture(directory);
        fixture.write("people.csv", "id,name,city", List.of("p1,Anna Smith,Leeds", "p2,Anna Smith,Leeds", "p3,Bob Jones,Leeds",
                "p4,Carl Brown,York"));
        Linkage linkage = linkage("id", List.of(LinkageFixture.text("name"), LinkageFixture.exact("city")), List.of(
                LinkageFixture.rule("name-exact", "name", Linkage.KeyFunction.EXACT), LinkageFixture.rule("city-exact", "city",
                        Linkage.KeyFunction.EXACT)), 0, 1000);

        EngineResult result = fixture.run(LinkageFixture.plan(List.of(LinkageFixture.csv("raw", "people.csv", Map.of())),
                LinkageFixture.dedupe("people", "raw", linkage)));

        LinkageReport report = result.linkage().getFirst();
        assertThat(report.rules()).containsExactly(new LinkageReport.RuleCount("name-exact", 1, 1),
                new LinkageReport.RuleCount("city-exact", 3, 2));
        assertThat(report.candidatePairs()).isEqualTo(3);
        List<Map<String, Object>> links = LinkageFixture.rows(result, "people-links");
        assertThat(links).extracting(row -> row.get("left_id") + "-" + row.get("right_id") + " " + row.get("rule"))
                .containsExactlyInAnyOrder("p1-p2 name-exact", "p1-p3 city-exact", "p2-p3 city-exact");
    }

    @Test
    void moreComparisonsThanAllowed_failsBeforeComparingAndListsEachRulesCounts() {
        LinkageFixture fixture = new LinkageFixture(directory);
        PipelinePlan plan = airports(fixture, allAirports(), linkage("id", LinkageFixture.airportComparisons(),
                LinkageFixture.airportBlocking(), 0.01, 5));

        assertThatThrownBy(() -> fixture.run(plan)).isInstanceOfSatisfying(DataEngineException.class, e -> {
            assertThat(e.kind()).isEqualTo(DataEngineException.Kind.BAD_SPEC);
            assertThat(e.path()).isEqualTo("steps[0].linkage.blocking");
            assertThat(e.getMessage()).contains("would compare 11 pairs, more than max-comparisons 5",
                    "rule 'name-sound' generates 9 and compares 9", "rule 'name-tokens' generates 5 and compares 1",
                    "rule 'location-cell' generates 8 and compares 1");
        });
    }

    @Test
    void aRecordWithoutId_isRefusedNamingItsRow() {
        LinkageFixture fixture = new LinkageFixture(directory);
        List<String> rows = allAirports();
        rows.set(2, rows.get(2).replaceFirst("^a03", ""));
        PipelinePlan plan = airports(fixture, rows, linkage("id", LinkageFixture.airportComparisons(), LinkageFixture.airportBlocking(),
                0.01, 1000));

        assertThatThrownBy(() -> fixture.run(plan)).isInstanceOfSatisfying(DataEngineException.class, e -> {
            assertThat(e.kind()).isEqualTo(DataEngineException.Kind.BAD_SPEC);
            assertThat(e.path()).isEqualTo("steps[0].linkage.id");
            assertThat(e.getMessage()).contains("row 3 of 'raw' has no id", "'id' is null");
        });
    }

    @Test
    void aDuplicateId_isRefusedNamingTheValue() {
        LinkageFixture fixture = new LinkageFixture(directory);
        List<String> rows = allAirports();
        rows.set(4, rows.get(4).replaceFirst("^a05", "a02"));
        PipelinePlan plan = airports(fixture, rows, linkage("id", LinkageFixture.airportComparisons(), LinkageFixture.airportBlocking(),
                0.01, 1000));

        assertThatThrownBy(() -> fixture.run(plan)).isInstanceOfSatisfying(DataEngineException.class, e -> {
            assertThat(e.path()).isEqualTo("steps[0].linkage.id");
            assertThat(e.getMessage()).contains("id 'a02' appears 2 times in 'raw'");
        });
    }

    @Test
    void aMissingColumn_isRefusedWithItsPathAndTheColumnsThereAre() {
        LinkageFixture fixture = new LinkageFixture(directory);
        List<Linkage.ComparisonSpec> comparisons = new ArrayList<>(LinkageFixture.airportComparisons());
        comparisons.add(LinkageFixture.exact("country"));
        PipelinePlan plan = airports(fixture, allAirports(), linkage("id", comparisons, LinkageFixture.airportBlocking(), 0.01, 1000));

        assertThatThrownBy(() -> fixture.run(plan)).isInstanceOfSatisfying(DataEngineException.class, e -> {
            assertThat(e.path()).isEqualTo("steps[0].linkage.comparisons[4].columns");
            assertThat(e.getMessage()).contains("column 'country' does not exist", "[id, name, city, state, latitude, longitude, entity]");
        });
        List<DataEngine.Problem> problems = fixture.check(plan);
        assertThat(problems).extracting(DataEngine.Problem::path).containsExactly("steps[0].linkage.comparisons[4].columns");
    }

    @Test
    void aMissingBlockingColumn_isRefusedWithTheKeysPath() {
        LinkageFixture fixture = new LinkageFixture(directory);
        List<Linkage.BlockingRule> blocking = new ArrayList<>(LinkageFixture.airportBlocking());
        blocking.add(LinkageFixture.rule("zip", "zip", Linkage.KeyFunction.EXACT));
        PipelinePlan plan = airports(fixture, allAirports(), linkage("id", LinkageFixture.airportComparisons(), blocking, 0.01, 1000));

        assertThat(fixture.check(plan)).extracting(DataEngine.Problem::path).containsExactly("steps[0].linkage.blocking[3].keys[0].columns");
    }

    @Test
    void checkMode_onZeroRows_succeedsAndAZeroRowRunCreatesTheThreeRelations() {
        LinkageFixture fixture = new LinkageFixture(directory);
        PipelinePlan plan = airports(fixture, List.of(), linkage("id", LinkageFixture.airportComparisons(), LinkageFixture.airportBlocking(),
                0.01, 1000));

        assertThat(fixture.check(plan)).isEmpty();
        EngineResult result = fixture.run(plan);

        assertThat(LinkageFixture.rows(result, "airports")).isEmpty();
        assertThat(LinkageFixture.rows(result, "airports-links")).isEmpty();
        assertThat(LinkageFixture.rows(result, "airports-clusters")).isEmpty();
        assertThat(LinkageFixture.schema(result, "airports-links")).containsKeys("left_id", "right_id", "rule", "name_level", "name_weight",
                "match_weight", "probability", "decision");
        assertThat(LinkageFixture.schema(result, "airports-clusters")).containsKeys("record_id", "source", "cluster_id", "golden_id",
                "key_name_sound");
        assertThat(LinkageFixture.schema(result, "airports")).containsKeys("name", "golden_id", "record_count", "provenance");
        LinkageReport report = result.linkage().getFirst();
        assertThat(report.records()).isZero();
        assertThat(report.candidatePairs()).isZero();
        assertThat(report.clusters()).isZero();
        assertThat(report.model().uPairs()).isZero();
    }
}
