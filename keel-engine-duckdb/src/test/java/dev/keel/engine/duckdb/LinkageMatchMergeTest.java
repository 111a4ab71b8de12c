package dev.keel.engine.duckdb;

import static dev.keel.engine.duckdb.LinkageFixture.AIRPORTS;
import static dev.keel.engine.duckdb.LinkageFixture.AIRPORT_TYPES;
import static dev.keel.engine.duckdb.LinkageFixture.DUPLICATES;
import static dev.keel.engine.duckdb.LinkageFixture.HEADER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.spi.data.EngineResult;
import dev.keel.spi.data.Linkage;
import dev.keel.spi.data.PipelinePlan;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Probabilistic match-merge of an FAA list of airports with an OSM extract that holds Miami twice. */
class LinkageMatchMergeTest {
    /** A second, weaker OSM record of Miami: no state and coordinates about twelve kilometres off. */
    private static final String SECOND_MIAMI = "d11,Miami International,Miami,,25.9010,-80.2870,MIA";

    @TempDir
    Path directory;

    private PipelinePlan merge(LinkageFixture fixture, Linkage.Mode mode) {
        fixture.write("faa.csv", HEADER, AIRPORTS);
        List<String> osm = new ArrayList<>(DUPLICATES);
        osm.add(SECOND_MIAMI);
        fixture.write("osm.csv", HEADER, osm);
        Linkage linkage = LinkageFixture.linkage("id", LinkageFixture.airportComparisons(), LinkageFixture.airportBlocking(), mode,
                LinkageFixture.training(), Linkage.Evaluation.none());
        return LinkageFixture.plan(List.of(LinkageFixture.csv("faa", "faa.csv", AIRPORT_TYPES),
                LinkageFixture.csv("osm", "osm.csv", AIRPORT_TYPES)), LinkageFixture.matchMerge("airports", List.of("faa", "osm"), linkage));
    }

    private static Set<String> clusterOf(EngineResult result, String record) {
        List<Map<String, Object>> rows = LinkageFixture.rows(result, "airports-clusters");
        Object cluster = rows.stream().filter(row -> row.get("record_id").equals(record)).findFirst().orElseThrow().get("cluster_id");
        Set<String> members = new TreeSet<>();
        rows.stream().filter(row -> row.get("cluster_id").equals(cluster)).forEach(row -> members.add((String) row.get("record_id")));
        return members;
    }

    @Test
    void crossSource_neverComparesTwoRecordsOfOneInput_yetBothMiamiRecordsJoinThroughTheFaaOne() {
        LinkageFixture fixture = new LinkageFixture(directory);

        EngineResult result = fixture.run(merge(fixture, Linkage.Mode.CROSS_SOURCE));

        List<Map<String, Object>> links = LinkageFixture.rows(result, "airports-links");
        assertThat(links).isNotEmpty().allSatisfy(row -> assertThat(((String) row.get("left_id")).split(":")[0])
                .isNotEqualTo(((String) row.get("right_id")).split(":")[0]));
        assertThat(clusterOf(result, "faa:a11")).containsExactly("faa:a11", "osm:d07", "osm:d11");
        assertThat(clusterOf(result, "faa:a29")).containsExactly("faa:a29");
        assertThat(result.linkage().getFirst().clusters()).isEqualTo(30);
        assertThat(result.stages().get(2).merged()).isEqualTo(11);
        Map<String, Object> miami = LinkageFixture.rows(result, "airports").stream().filter(row -> "MIA".equals(row.get("entity")))
                .findFirst().orElseThrow();
        assertThat(miami).containsEntry("name", "Miami International").containsEntry("sources", "faa,osm");
        assertThat(LinkageFixture.schema(result, "airports").keySet()).contains("golden_id", "source_count", "sources", "provenance");
    }

    @Test
    void oneToOne_keepsOnlyTheStrongestLinkOfEachRecord() {
        LinkageFixture fixture = new LinkageFixture(directory);

        EngineResult result = fixture.run(merge(fixture, Linkage.Mode.ONE_TO_ONE));

        List<Map<String, Object>> links = LinkageFixture.rows(result, "airports-links");
        Map<String, Object> strong = links.stream().filter(row -> row.get("left_id").equals("faa:a11") && row.get("right_id").equals("osm:d07"))
                .findFirst().orElseThrow();
        Map<String, Object> weak = links.stream().filter(row -> row.get("left_id").equals("faa:a11") && row.get("right_id").equals("osm:d11"))
                .findFirst().orElseThrow();
        assertThat((Double) weak.get("probability")).isGreaterThanOrEqualTo(0.95);
        assertThat((Double) strong.get("match_weight")).isGreaterThan((Double) weak.get("match_weight"));
        assertThat(strong).containsEntry("decision", "linked");
        assertThat(weak).containsEntry("decision", "one-to-one");
        assertThat(clusterOf(result, "faa:a11")).containsExactly("faa:a11", "osm:d07");
        assertThat(clusterOf(result, "osm:d11")).containsExactly("osm:d11");
        assertThat(result.linkage().getFirst().links()).isEqualTo(10);
        assertThat(result.linkage().getFirst().clusters()).isEqualTo(31);
    }
}
