package dev.keel.engine.duckdb;

import static dev.keel.engine.duckdb.LinkageFixture.AIRPORTS;
import static dev.keel.engine.duckdb.LinkageFixture.AIRPORT_TYPES;
import static dev.keel.engine.duckdb.LinkageFixture.DUPLICATES;
import static dev.keel.engine.duckdb.LinkageFixture.HEADER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.matching.MatchMetrics;
import dev.keel.spi.data.EngineResult;
import dev.keel.spi.data.Linkage;
import dev.keel.spi.data.LinkageReport;
import dev.keel.spi.data.PipelinePlan;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Probabilistic dedupe of thirty airports and ten second records of some of them, whose right answer is known. */
class LinkageDedupeTest {
    @TempDir
    Path directory;

    private PipelinePlan airports(LinkageFixture fixture, Linkage.Evaluation evaluation) {
        List<String> rows = new ArrayList<>(AIRPORTS);
        rows.addAll(DUPLICATES);
        fixture.write("airports.csv", HEADER, rows);
        Linkage linkage = LinkageFixture.linkage("id", LinkageFixture.airportComparisons(), LinkageFixture.airportBlocking(),
                Linkage.Mode.ANY, LinkageFixture.training(), evaluation);
        return LinkageFixture.plan(List.of(LinkageFixture.csv("raw", "airports.csv", AIRPORT_TYPES)),
                LinkageFixture.dedupe("airports", "raw", linkage));
    }

    /** Cluster members by cluster id, as sets of record ids. */
    private static Set<Set<String>> clusters(EngineResult result) {
        Map<Object, Set<String>> clusters = new TreeMap<>();
        for (Map<String, Object> row : LinkageFixture.rows(result, "airports-clusters")) {
            clusters.computeIfAbsent(row.get("cluster_id"), id -> new TreeSet<>()).add((String) row.get("record_id"));
        }
        return Set.copyOf(clusters.values());
    }

    @Test
    void dedupe_findsEveryDuplicateAndLeavesDistinctAirportsApart() {
        LinkageFixture fixture = new LinkageFixture(directory);

        EngineResult result = fixture.run(airports(fixture, Linkage.Evaluation.none()));

        Set<Set<String>> expected = new java.util.HashSet<>();
        for (int index = 1; index <= 30; index++) {
            String airport = "a%02d".formatted(index);
            Set<String> members = new TreeSet<>(Set.of(airport));
            String code = AIRPORTS.get(index - 1).split(",")[6];
            DUPLICATES.stream().filter(row -> row.endsWith("," + code)).forEach(row -> members.add(row.split(",")[0]));
            expected.add(members);
        }
        assertThat(clusters(result)).isEqualTo(expected);
        EngineResult.StageResult stage = result.stages().get(1);
        assertThat(stage.rowsIn()).isEqualTo(40);
        assertThat(stage.rowsOut()).isEqualTo(30);
        assertThat(stage.merged()).isEqualTo(10);
        LinkageReport report = result.linkage().getFirst();
        assertThat(report.records()).isEqualTo(40);
        assertThat(report.clusters()).isEqualTo(30);
        assertThat(report.links()).isEqualTo(10);
        assertThat(report.model().training()).isEqualTo("em");
        assertThat(report.model().uPairs()).isEqualTo(100_000);
    }

    @Test
    void linkTable_hasTheContractColumnsLabelsAndDecisions() {
        LinkageFixture fixture = new LinkageFixture(directory);

        EngineResult result = fixture.run(airports(fixture, Linkage.Evaluation.none()));

        assertThat(LinkageFixture.schema(result, "airports-links")).containsExactly(Map.entry("left_id", "VARCHAR"),
                Map.entry("right_id", "VARCHAR"), Map.entry("rule", "VARCHAR"), Map.entry("name_level", "VARCHAR"),
                Map.entry("name_weight", "DOUBLE"), Map.entry("city_level", "VARCHAR"), Map.entry("city_weight", "DOUBLE"),
                Map.entry("state_level", "VARCHAR"), Map.entry("state_weight", "DOUBLE"), Map.entry("location_level", "VARCHAR"),
                Map.entry("location_weight", "DOUBLE"), Map.entry("match_weight", "DOUBLE"), Map.entry("probability", "DOUBLE"),
                Map.entry("decision", "VARCHAR"));
        List<Map<String, Object>> links = LinkageFixture.rows(result, "airports-links");
        assertThat(links).extracting(row -> (Double) row.get("match_weight")).isSortedAccordingTo(java.util.Comparator.reverseOrder());
        assertThat(links).allSatisfy(row -> {
            assertThat((Double) row.get("probability")).isGreaterThanOrEqualTo(0.01);
            assertThat(row.get("decision")).isEqualTo((Double) row.get("probability") >= 0.95 ? "linked" : "below-threshold");
            double sum = (Double) row.get("name_weight") + (Double) row.get("city_weight") + (Double) row.get("state_weight")
                    + (Double) row.get("location_weight");
            LinkageReport.Model model = result.linkage().getFirst().model();
            double prior = Math.log(model.lambda() / (1 - model.lambda())) / Math.log(2);
            assertThat((Double) row.get("match_weight")).isCloseTo(prior + sum, org.assertj.core.data.Offset.offset(1e-9));
        });
        // Los Angeles written with its tokens reordered and no state: the state is at the null level, which weighs nothing.
        Map<String, Object> losAngeles = links.stream().filter(row -> row.get("right_id").equals("d02")).findFirst().orElseThrow();
        assertThat(losAngeles).containsEntry("left_id", "a02").containsEntry("rule", "name-tokens")
                .containsEntry("name_level", "exact on sorted tokens").containsEntry("state_level", "null").containsEntry("state_weight", 0.0)
                .containsEntry("location_level", "within 1.0 km").containsEntry("decision", "linked");
        assertThat(links).filteredOn(row -> row.get("decision").equals("linked")).hasSize(10);
    }

    @Test
    void clusterTable_hasOneRowPerRecordInRecordOrderWithItsKeys() {
        LinkageFixture fixture = new LinkageFixture(directory);

        EngineResult result = fixture.run(airports(fixture, Linkage.Evaluation.none()));

        assertThat(LinkageFixture.schema(result, "airports-clusters")).containsExactly(Map.entry("record_id", "VARCHAR"),
                Map.entry("source", "VARCHAR"), Map.entry("cluster_id", "BIGINT"), Map.entry("golden_id", "BIGINT"),
                Map.entry("key_name_sound", "VARCHAR"), Map.entry("key_name_tokens", "VARCHAR"), Map.entry("key_location_cell", "VARCHAR"));
        List<Map<String, Object>> rows = LinkageFixture.rows(result, "airports-clusters");
        assertThat(rows).hasSize(40);
        assertThat(rows.get(0)).containsEntry("record_id", "a01").containsEntry("source", "raw").containsEntry("cluster_id", 1L)
                .containsEntry("golden_id", 1L).containsEntry("key_name_tokens", "atlanta hartsfield international jackson")
                .containsEntry("key_location_cell", dev.keel.core.matching.Keys.geohash(new dev.keel.core.matching.GeoPoint(33.6407, -84.4277), 5));
        // d01 (the 31st record) joins a01's cluster: cluster id = the smallest rid + 1.
        assertThat(rows.get(30)).containsEntry("record_id", "d01").containsEntry("cluster_id", 1L).containsEntry("golden_id", 1L);
        assertThat(rows).extracting(row -> (Long) row.get("golden_id")).containsAll(java.util.stream.LongStream.rangeClosed(1, 30)
                .boxed().toList()).allMatch(id -> id >= 1 && id <= 30);
        Map<String, String> golden = LinkageFixture.schema(result, "airports");
        assertThat(golden.keySet()).containsExactly("id", "name", "city", "state", "latitude", "longitude", "entity", "golden_id",
                "record_count", "provenance");
    }

    @Test
    void evaluation_againstTheTruthColumn_isWhatMatchMetricsSays() {
        LinkageFixture fixture = new LinkageFixture(directory);

        EngineResult result = fixture.run(airports(fixture, new Linkage.Evaluation("entity", "")));

        Map<Long, Long> predicted = new HashMap<>();
        Map<Long, Long> truth = new HashMap<>();
        Map<String, String> entityOf = new HashMap<>();
        List<String> all = new ArrayList<>(AIRPORTS);
        all.addAll(DUPLICATES);
        all.forEach(row -> entityOf.put(row.split(",")[0], row.split(",")[6]));
        Map<String, Long> entities = new HashMap<>();
        long rid = 0;
        for (Map<String, Object> row : LinkageFixture.rows(result, "airports-clusters")) {
            predicted.put(rid, (Long) row.get("cluster_id"));
            truth.put(rid, entities.computeIfAbsent(entityOf.get((String) row.get("record_id")), e -> (long) entities.size()));
            rid++;
        }
        MatchMetrics expected = MatchMetrics.evaluate(predicted, truth);
        LinkageReport.Evaluation evaluation = result.linkage().getFirst().evaluation().orElseThrow();
        assertThat(evaluation.against()).isEqualTo("truth-column");
        assertThat(evaluation.pairwisePrecision()).isEqualTo(expected.pairwisePrecision());
        assertThat(evaluation.pairwiseRecall()).isEqualTo(expected.pairwiseRecall());
        assertThat(evaluation.pairwiseF1()).isEqualTo(expected.pairwiseF1());
        assertThat(evaluation.bcubedPrecision()).isEqualTo(expected.bcubedPrecision());
        assertThat(evaluation.bcubedRecall()).isEqualTo(expected.bcubedRecall());
        assertThat(evaluation.bcubedF1()).isEqualTo(expected.bcubedF1());
        assertThat(evaluation.truePairs()).isEqualTo(10);
        assertThat(evaluation.predictedPairs()).isEqualTo(10);
        assertThat(evaluation.curve()).isEmpty();
    }

    @Test
    void sameSeed_givesTheSameOutputTwice() {
        LinkageFixture fixture = new LinkageFixture(directory);
        PipelinePlan plan = airports(fixture, new Linkage.Evaluation("entity", ""));

        EngineResult first = fixture.run(plan);
        List<Map<String, Object>> firstLinks = LinkageFixture.rows(first, "airports-links");
        List<Map<String, Object>> firstClusters = LinkageFixture.rows(first, "airports-clusters");
        List<Map<String, Object>> firstGolden = LinkageFixture.rows(first, "airports");
        EngineResult second = fixture.run(plan);

        assertThat(second.linkage()).isEqualTo(first.linkage());
        assertThat(LinkageFixture.rows(second, "airports-links")).isEqualTo(firstLinks);
        assertThat(LinkageFixture.rows(second, "airports-clusters")).isEqualTo(firstClusters);
        assertThat(LinkageFixture.rows(second, "airports")).isEqualTo(firstGolden);
    }

    @Test
    void goldenRecords_areOnePerClusterWithProvenance() {
        LinkageFixture fixture = new LinkageFixture(directory);

        EngineResult result = fixture.run(airports(fixture, Linkage.Evaluation.none()));

        List<Map<String, Object>> golden = LinkageFixture.rows(result, "airports");
        assertThat(golden).hasSize(30);
        assertThat(golden).extracting(row -> row.get("golden_id")).containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 30)
                .boxed().collect(Collectors.toList()));
        assertThat(golden.stream().mapToLong(row -> (Long) row.get("record_count")).sum()).isEqualTo(40);
        Map<String, Object> losAngeles = golden.stream().filter(row -> "LAX".equals(row.get("entity"))).findFirst().orElseThrow();
        assertThat(losAngeles).containsEntry("name", "Los Angeles International").containsEntry("record_count", 2L);
        assertThat((String) losAngeles.get("provenance")).contains("\"name\":\"a02\"");
    }
}
