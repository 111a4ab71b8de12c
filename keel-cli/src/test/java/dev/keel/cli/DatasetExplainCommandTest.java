package dev.keel.cli;

import static dev.keel.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.config.KeelConfig;
import dev.keel.core.json.Json;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keel dataset explain} against a real server, over a golden-record dataset and its cluster and link tables that a
 * pipeline run wrote (SQL steps shape them in the schemas a linkage step writes).
 */
class DatasetExplainCommandTest {
    private static final String RECORDS = """
            rid,record_id,source,name,city,cluster_id,golden_id,key_name_sound
            0,faa:LAX,faa,Los Angeles Intl,Los Angeles,1,1,LSNJ
            1,osm:4411,osm,Los Angeles International,,1,1,LSNJ
            2,ourairports:LAX,ourairports,LAX,LA,1,1,LKS
            3,osm:77,osm,Oakland International,Oakland,4,2,AKLN
            """;
    private static final String PAIRS = """
            left_id,right_id,rule,name_level,name_weight,city_level,city_weight,match_weight,probability,decision
            faa:LAX,osm:4411,name-sound,jaro-winkler >= 0.92,6.1,null,0.0,18.4,0.99995,linked
            faa:LAX,ourairports:LAX,name-sound,else,-3.2,jaro-winkler >= 0.8,2.5,9.1,0.9982,linked
            """;
    private static final String SPEC = """
            pipeline: airports
            sources:
              - {name: golden_records, type: csv, path: '%1$s/records.csv'}
              - {name: cluster_records, type: csv, path: '%1$s/records.csv'}
              - {name: pairs, type: csv, path: '%1$s/pairs.csv'}
            steps:
              - name: golden
                type: sql
                inputs: [golden_records]
                query: >-
                  SELECT arg_max(name, length(name)) AS name, arg_min(city, rid) FILTER (WHERE city IS NOT NULL) AS city,
                    CAST(golden_id AS BIGINT) AS golden_id, CAST(count(*) AS BIGINT) AS source_count,
                    string_agg(DISTINCT source, ',' ORDER BY source) AS sources,
                    CAST(json_object('name', arg_max(record_id, length(name)),
                      'city', arg_min(record_id, rid) FILTER (WHERE city IS NOT NULL)) AS VARCHAR) AS provenance
                  FROM golden_records GROUP BY golden_id ORDER BY golden_id
              - name: clusters
                type: sql
                inputs: [cluster_records]
                query: >-
                  SELECT CAST(record_id AS VARCHAR) AS record_id, CAST(source AS VARCHAR) AS source,
                    CAST(cluster_id AS BIGINT) AS cluster_id, CAST(golden_id AS BIGINT) AS golden_id,
                    CAST(key_name_sound AS VARCHAR) AS key_name_sound
                  FROM cluster_records ORDER BY rid
              - name: links
                type: sql
                inputs: [pairs]
                query: >-
                  SELECT CAST(left_id AS VARCHAR) AS left_id, CAST(right_id AS VARCHAR) AS right_id, CAST(rule AS VARCHAR) AS rule,
                    CAST(name_level AS VARCHAR) AS name_level, CAST(name_weight AS DOUBLE) AS name_weight,
                    CAST(city_level AS VARCHAR) AS city_level, CAST(city_weight AS DOUBLE) AS city_weight,
                    CAST(match_weight AS DOUBLE) AS match_weight, CAST(probability AS DOUBLE) AS probability,
                    CAST(decision AS VARCHAR) AS decision
                  FROM pairs ORDER BY match_weight DESC
            outputs:
              - {dataset: airports, from: golden}
              - {dataset: airports-clusters, from: clusters}
              - {dataset: airports-links, from: links}
            """;

    @TempDir
    Path directory;

    @Test
    void explain_printsTheClusterGoldenRecordLinksAndPair_orTheServersJson() throws Exception {
        Files.writeString(directory.resolve("records.csv"), RECORDS);
        Files.writeString(directory.resolve("pairs.csv"), PAIRS);
        Path spec = Files.writeString(directory.resolve("airports.yaml"), SPEC.formatted(directory.toAbsolutePath()));
        KeelConfig config = KeelConfig.load(Map.of("KEEL_DATA_DIR", directory.resolve("data").toString(), "KEEL_SERVER_PORT", "0",
                "KEEL_SERVER_HOST", "127.0.0.1", "KEEL_LOGGING_REQUESTS", "false", "KEEL_SERVING_WORKERS", "1",
                "KEEL_PIPELINES_BASE_DIRECTORY", directory.toAbsolutePath().toString(), "KEEL_PIPELINES_SCHEDULER", "false"));
        ServerCommand.Started started = ServerCommand.start(config, new PrintStream(PrintStream.nullOutputStream()));
        try {
            String[] client = {"--url", "http://127.0.0.1:" + started.server().port(), "--token", started.adminSecret().orElseThrow()};
            Cli.Run ran = run(client, "pipeline", "run", "--wait", spec.toString());
            assertThat(ran.code()).as(ran.out() + ran.err()).isZero();

            Cli.Run explained = run(client, "dataset", "explain", "airports", "faa:LAX");
            Cli.Run scored = run(client, "dataset", "explain", "airports", "osm:4411", "--with", "faa:LAX", "--version", "1");
            Cli.Run never = run(client, "dataset", "explain", "airports", "osm:4411", "--with", "ourairports:LAX");
            Cli.Run json = run(client, "dataset", "explain", "airports", "faa:LAX", "--json");
            Cli.Run output = run(client, "dataset", "explain", "airports", "faa:LAX", "-o", "json");
            Cli.Run missing = run(client, "dataset", "explain", "airports", "faa:JFK");
            Cli.Run noLinks = run(client, "dataset", "explain", "airports-clusters", "faa:LAX");

            assertThat(explained.code()).as(explained.err()).isZero();
            assertThat(explained.out()).startsWith("""
                    record faa:LAX  cluster 1  golden 1 (3 records: faa:LAX, osm:4411, ourairports:LAX)
                    golden record 1: name 'Los Angeles International' (from osm:4411), city 'Los Angeles' (from faa:LAX)
                    links:
                      osm:4411  linked  p=0.99995 weight 18.4  rule name-sound
                        name  jaro-winkler >= 0.92  +6.1
                        city  null  +0.0
                      ourairports:LAX  linked  p=0.9982 weight 9.1  rule name-sound
                        name  else  -3.2
                        city  jaro-winkler >= 0.8  +2.5
                    """);
            assertThat(scored.code()).as(scored.err()).isZero();
            assertThat(scored.out()).contains("""
                    pair with faa:LAX (same cluster):
                      faa:LAX  linked  p=0.99995 weight 18.4  rule name-sound
                    """);
            assertThat(never.out()).contains("pair with ourairports:LAX (same cluster): never scored above the link floor")
                    .contains("  no blocking rule generated the pair: rule name-sound: 'LSNJ' vs 'LKS' differ");
            assertThat(json.code()).isZero();
            assertThat(Json.MAPPER.readTree(json.out()).get("golden").get("provenance").get("name").asText()).isEqualTo("osm:4411");
            assertThat(Json.MAPPER.readTree(output.out())).isEqualTo(Json.MAPPER.readTree(json.out()));
            assertThat(missing.code()).isEqualTo(1);
            assertThat(missing.err()).contains("record 'faa:JFK' is not in 'airports-clusters@1'");
            assertThat(noLinks.code()).isEqualTo(1);
            assertThat(noLinks.err()).contains("is not a golden-record dataset");
        } finally {
            started.server().close();
        }
    }
}
