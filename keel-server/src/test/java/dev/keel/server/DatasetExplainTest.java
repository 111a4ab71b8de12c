package dev.keel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.testing.StoreKind;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code GET /v1/datasets/{dataset}/explain} on a real server, over datasets a pipeline run wrote: SQL steps shape airport
 * records into a golden-record dataset and its cluster and link tables, in the schemas a linkage step writes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatasetExplainTest {
    /** Airports of three sources in three clusters, with each record's keys under the blocking rules name-sound and code-exact. */
    static final String RECORDS = """
            rid,record_id,source,name,city,code,cluster_id,golden_id,key_name_sound,key_code_exact
            0,faa:LAX,faa,Los Angeles Intl,Los Angeles,LAX,1,1,LSNJ,LAX
            1,osm:4411,osm,Los Angeles International,,,1,1,LSNJ,
            2,ourairports:LAX,ourairports,LAX,LA,LAX,1,1,LKS,LAX
            3,faa:SFO,faa,San Francisco Intl,San Francisco,SFO,4,2,SNFR,SFO
            4,osm:77,osm,Oakland International,Oakland,OAK,5,3,AKLN,OAK
            5,ourairports:SFO,ourairports,San Francisco International,,SFO,4,2,SNFR,SFO
            6,faa:LGB,faa,Long Beach,Long Beach,LGB,7,4,LNKB,LGB
            7,osm:12,osm,Long Beach Heliport,Long Beach,,8,5,LNKB,
            """;
    /** The scored pairs, strongest first. */
    static final String PAIRS = """
            left_id,right_id,rule,name_level,name_weight,city_level,city_weight,match_weight,probability,decision
            faa:LAX,osm:4411,name-sound,jaro-winkler >= 0.92,6.1,null,0.0,18.4,0.99999,linked
            faa:SFO,ourairports:SFO,name-sound,token-sorted,7.5,null,0.0,16.2,0.99998,linked
            faa:LAX,ourairports:LAX,code-exact,else,-3.2,jaro-winkler >= 0.8,2.5,9.1,0.9982,linked
            osm:77,faa:SFO,name-sound,else,-4.1,else,-3.9,-1.5,0.26,below-threshold
            """;

    private TestingServer server;

    @BeforeAll
    void start() throws Exception {
        server = TestingServer.start(StoreKind.SQLITE);
        Files.createDirectories(server.sources());
        Files.writeString(server.sources().resolve("records.csv"), RECORDS);
        Files.writeString(server.sources().resolve("pairs.csv"), PAIRS);
        Path records = server.sources().resolve("records.csv");
        Path pairs = server.sources().resolve("pairs.csv");
        register(spec("airports", "airports", records, pairs, true));
        run("airports");
        register(spec("partial", "partial", records, pairs, false));
        run("partial");
        register(spec("private", "private", records, pairs, true).replace("  - {dataset: private, from: golden}",
                "  - {dataset: private, from: golden, sensitive: {name: hash, city: redact}}"));
        run("private");
    }

    @AfterAll
    void stop() {
        server.close();
    }

    /**
     * A pipeline whose SQL steps write {@code D} (golden records: longest name, first city and code, with provenance),
     * {@code D-clusters} and, with {@code links}, {@code D-links}, from the records and pairs in {@code sources}.
     */
    static String spec(String pipeline, String dataset, Path records, Path pairs, boolean links) {
        String spec = """
                pipeline: %s
                sources:
                  - {name: golden_records, type: csv, path: '%s'}
                  - {name: cluster_records, type: csv, path: '%s'}
                  - {name: pairs, type: csv, path: '%s'}
                steps:
                  - name: golden
                    type: sql
                    inputs: [golden_records]
                    query: >-
                      SELECT arg_max(name, length(name)) AS name,
                        arg_min(city, rid) FILTER (WHERE city IS NOT NULL) AS city,
                        arg_min(code, rid) FILTER (WHERE code IS NOT NULL) AS code,
                        CAST(golden_id AS BIGINT) AS golden_id, CAST(count(*) AS BIGINT) AS source_count,
                        string_agg(DISTINCT source, ',' ORDER BY source) AS sources,
                        CAST(json_object('name', arg_max(record_id, length(name)),
                          'city', arg_min(record_id, rid) FILTER (WHERE city IS NOT NULL),
                          'code', arg_min(record_id, rid) FILTER (WHERE code IS NOT NULL)) AS VARCHAR) AS provenance
                      FROM golden_records GROUP BY golden_id ORDER BY golden_id
                  - name: clusters
                    type: sql
                    inputs: [cluster_records]
                    query: >-
                      SELECT CAST(record_id AS VARCHAR) AS record_id, CAST(source AS VARCHAR) AS source,
                        CAST(cluster_id AS BIGINT) AS cluster_id, CAST(golden_id AS BIGINT) AS golden_id,
                        CAST(key_name_sound AS VARCHAR) AS key_name_sound, CAST(key_code_exact AS VARCHAR) AS key_code_exact
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
                  - {dataset: %s, from: golden}
                  - {dataset: %s-clusters, from: clusters}
                  - {dataset: %s, from: links}
                """.formatted(pipeline, records, records, pairs, dataset, dataset, links ? dataset + "-links" : dataset + "-scores");
        return spec;
    }

    private void register(String spec) {
        TestingServer.Response registered = server.send("POST", "/v1/pipelines", server.adminToken(), spec.getBytes(StandardCharsets.UTF_8),
                "application/yaml", Map.of());
        assertThat(registered.status()).as(registered.toString()).isIn(200, 201);
    }

    private void run(String pipeline) {
        TestingServer.Response run = server.send("POST", "/v1/pipelines/" + pipeline + "/runs?wait=true", server.adminToken(), new byte[0],
                "text/plain", Map.of());
        assertThat(run.status()).as(run.toString()).isEqualTo(200);
        assertThat(run.json().get("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
    }

    private TestingServer.Response explain(String dataset, String query) {
        return server.get("/v1/datasets/" + dataset + "/explain" + query, server.adminToken());
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Test
    void explain_showsTheClusterTheGoldenRecordWithProvenanceAndTheLinksStrongestFirst() {
        TestingServer.Response response = explain("airports", "?record=faa:LAX");

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        JsonNode answer = response.json();
        assertThat(answer.get("record").asText()).isEqualTo("faa:LAX");
        assertThat(answer.get("source").asText()).isEqualTo("faa");
        assertThat(answer.get("cluster_id").asLong()).isEqualTo(1);
        assertThat(answer.get("golden_id").asLong()).isEqualTo(1);
        assertThat(answer.get("audit").get("clusters").asText()).isEqualTo("airports-clusters@1");
        assertThat(answer.get("audit").get("links").asText()).isEqualTo("airports-links@1");
        JsonNode golden = answer.get("golden");
        assertThat(golden.get("name").asText()).isEqualTo("Los Angeles International");
        assertThat(golden.get("city").asText()).isEqualTo("Los Angeles");
        assertThat(golden.get("sources").asText()).isEqualTo("faa,osm,ourairports");
        assertThat(golden.get("provenance").isObject()).isTrue();
        assertThat(golden.get("provenance").get("name").asText()).isEqualTo("osm:4411");
        assertThat(golden.get("provenance").get("city").asText()).isEqualTo("faa:LAX");
        assertThat(texts(answer.get("members"))).containsExactly("faa:LAX", "osm:4411", "ourairports:LAX");
        assertThat(answer.get("members_truncated").asBoolean()).isFalse();
        JsonNode links = answer.get("links");
        assertThat(links).hasSize(2);
        assertThat(links.get(0).get("other").asText()).isEqualTo("osm:4411");
        assertThat(links.get(0).get("rule").asText()).isEqualTo("name-sound");
        assertThat(links.get(0).get("comparisons").get("name").get("level").asText()).isEqualTo("jaro-winkler >= 0.92");
        assertThat(links.get(0).get("comparisons").get("name").get("weight").asDouble()).isEqualTo(6.1);
        assertThat(links.get(0).get("comparisons").get("city").get("level").asText()).isEqualTo("null");
        assertThat(links.get(0).get("match_weight").asDouble()).isEqualTo(18.4);
        assertThat(links.get(0).get("probability").asDouble()).isEqualTo(0.99999);
        assertThat(links.get(0).get("decision").asText()).isEqualTo("linked");
        assertThat(links.get(1).get("other").asText()).isEqualTo("ourairports:LAX");
        assertThat(links.get(1).get("match_weight").asDouble()).isEqualTo(9.1);
        assertThat(answer.has("pair")).isFalse();
    }

    @Test
    void explain_aRecordOnTheRightOfItsLinks_seesTheOtherRecordOfEach() {
        JsonNode answer = explain("airports", "?record=faa:SFO").json();

        assertThat(answer.get("golden_id").asLong()).isEqualTo(2);
        assertThat(answer.get("golden").get("provenance").get("name").asText()).isEqualTo("ourairports:SFO");
        assertThat(answer.get("links")).extracting(link -> link.get("other").asText() + " " + link.get("decision").asText())
                .containsExactly("ourairports:SFO linked", "osm:77 below-threshold");
    }

    @Test
    void explain_withAScoredPartner_showsThePairInEitherOrder() {
        JsonNode pair = explain("airports", "?record=osm:4411&with=faa:LAX").json().get("pair");

        assertThat(pair.get("compared").asBoolean()).isTrue();
        assertThat(pair.get("same_cluster").asBoolean()).isTrue();
        assertThat(pair.get("other").asText()).isEqualTo("faa:LAX");
        assertThat(pair.get("left_id").asText()).isEqualTo("faa:LAX");
        assertThat(pair.get("match_weight").asDouble()).isEqualTo(18.4);
        assertThat(pair.get("comparisons").get("name").get("weight").asDouble()).isEqualTo(6.1);
    }

    @Test
    void explain_withARecordNeverCompared_namesEachRulesKeysOfBoth() {
        JsonNode pair = explain("airports", "?record=osm:4411&with=ourairports:LAX").json().get("pair");

        assertThat(pair.get("compared").asBoolean()).isFalse();
        assertThat(pair.get("same_cluster").asBoolean()).isTrue();
        assertThat(pair.get("reason").asText()).startsWith("no blocking rule generated the pair")
                .contains("rule name-sound: 'LSNJ' vs 'LKS' differ").contains("rule code-exact: no key for 'osm:4411'");
        assertThat(pair.get("keys")).extracting(key -> key.get("rule").asText()).containsExactly("name-sound", "code-exact");

        JsonNode elsewhere = explain("airports", "?record=osm:77&with=ourairports:SFO").json().get("pair");
        assertThat(elsewhere.get("same_cluster").asBoolean()).isFalse();
        assertThat(elsewhere.get("reason").asText()).contains("rule name-sound: 'AKLN' vs 'SNFR' differ", "rule code-exact: 'OAK' vs 'SFO' differ");

        // Neither record has a link: the rules' names come from other links.
        JsonNode shared = explain("airports", "?record=faa:LGB&with=osm:12").json().get("pair");
        assertThat(shared.get("compared").asBoolean()).isFalse();
        assertThat(shared.get("reason").asText()).startsWith("rule name-sound generated the pair, but it is not in 'airports-links@1'")
                .contains("rule name-sound: both 'LNKB'", "rule code-exact: no key for 'osm:12'");
        assertThat(shared.get("keys").get(0).get("equal").asBoolean()).isTrue();
    }

    @Test
    void explain_forACallerWithoutSensitiveRead_masksTheGoldenRecordAndHashesTheKeys() {
        String scientist = server.token("explain-scientist", Map.of("default", dev.keel.core.security.Role.SCIENTIST));
        String steward = server.token("explain-steward", Map.of("default", dev.keel.core.security.Role.STEWARD));
        TestingServer.Response masked = server.get("/v1/datasets/private/explain?record=faa:LGB&with=osm:12", scientist);
        JsonNode raw = server.get("/v1/datasets/private/explain?record=faa:LGB&with=osm:12", steward).json();

        assertThat(masked.status()).as(masked.toString()).isEqualTo(200);
        JsonNode answer = masked.json();
        assertThat(raw.get("golden").get("name").asText()).isEqualTo("Long Beach");
        assertThat(answer.get("golden").get("name").asText()).matches("h:[0-9a-f]{16}");
        assertThat(answer.get("golden").get("city").asText()).isEqualTo("***");
        assertThat(answer.get("golden").get("code")).isEqualTo(raw.get("golden").get("code"));
        assertThat(answer.get("golden").get("provenance")).isEqualTo(raw.get("golden").get("provenance"));
        JsonNode key = answer.get("pair").get("keys").get(0);
        assertThat(key.get("record").asText()).matches("h:[0-9a-f]{16}").isEqualTo(key.get("with").asText());
        assertThat(key.get("equal").asBoolean()).isTrue();
        assertThat(raw.get("pair").get("keys").get(0).get("record").asText()).isEqualTo("LNKB");
        assertThat(masked.body()).doesNotContain("LNKB").doesNotContain("Long Beach");
        assertThat(answer.get("pair").get("reason").asText()).contains("rule name-sound: both 'h:");
    }

    @Test
    void explain_answers404NamingWhatIsMissing() {
        TestingServer.Response unknown = explain("nowhere", "?record=a");
        TestingServer.Response noLinks = explain("partial", "?record=faa:LAX");
        TestingServer.Response noClusters = explain("airports-links", "?record=faa:LAX");
        TestingServer.Response plain = explain("partial-scores", "?record=faa:LAX");
        TestingServer.Response record = explain("airports", "?record=faa:JFK");
        TestingServer.Response other = explain("airports", "?record=faa:LAX&with=osm:1");
        TestingServer.Response version = explain("airports", "?record=faa:LAX&version=9");

        assertThat(List.of(unknown, noLinks, noClusters, plain, record, other, version)).allSatisfy(response -> {
            assertThat(response.status()).as(response.toString()).isEqualTo(404);
            assertThat(response.contentType()).startsWith("application/problem+json");
        });
        assertThat(unknown.json().get("detail").asText()).isEqualTo("dataset 'nowhere' does not exist");
        assertThat(noLinks.json().get("detail").asText()).isEqualTo("dataset 'partial' has no link table 'partial-links'; only datasets"
                + " written by a linkage step can be explained");
        assertThat(noClusters.json().get("detail").asText()).contains("'airports-links@1' is not a golden-record dataset");
        assertThat(plain.json().get("detail").asText()).contains("has no column [golden_id, provenance]");
        assertThat(record.json().get("detail").asText()).isEqualTo("record 'faa:JFK' is not in 'airports-clusters@1', the records of"
                + " 'airports@1'");
        assertThat(other.json().get("detail").asText()).contains("record 'osm:1' is not in");
        assertThat(version.json().get("detail").asText()).contains("has no version 9");
    }

    @Test
    void explain_refusesMissingOverlongOrSelfReferringParameters_with400() {
        TestingServer.Response missing = explain("airports", "");
        TestingServer.Response empty = explain("airports", "?record=");
        TestingServer.Response overlong = explain("airports", "?record=" + "x".repeat(513));
        TestingServer.Response overlongWith = explain("airports", "?record=faa:LAX&with=" + "y".repeat(600));
        TestingServer.Response self = explain("airports", "?record=faa:LAX&with=faa:LAX");
        TestingServer.Response version = explain("airports", "?record=faa:LAX&version=latest");

        assertThat(List.of(missing, empty, overlong, overlongWith, self, version)).allSatisfy(response ->
                assertThat(response.status()).as(response.toString()).isEqualTo(400));
        assertThat(missing.json().get("detail").asText()).contains("'record' is missing");
        assertThat(overlong.json().get("detail").asText()).contains("513 characters", "at most 512");
        assertThat(self.json().get("detail").asText()).contains("'with' names the record 'faa:LAX' itself");
    }

    @Test
    void explain_onHostileRecordIds_answers404NeverAServerError() {
        List<String> hostile = List.of("' OR 1=1 --", "x') OR true; DROP TABLE t; --", "\u0000", "faa:LAX\u0000", "\uD83D\uDE00",
                "%", "..\\..\\etc/passwd", "\"", "x".repeat(512), "\u202Efaa:LAX", " faa:LAX ");
        List<String> failures = new ArrayList<>();
        for (String record : hostile) {
            TestingServer.Response response = explain("airports", "?record=" + encode(record));
            TestingServer.Response with = explain("airports", "?record=faa:LAX&with=" + encode(record));
            if (response.status() != 404 || with.status() != 404) {
                failures.add(record + ": " + response + " / " + with);
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void explain_ofAnEarlierVersion_usesTheAuditTablesOfThatVersionsRun() throws Exception {
        Files.writeString(server.sources().resolve("records-2.csv"), RECORDS.replace("Oakland International,Oakland,OAK,5,3,AKLN",
                "Oakland Metropolitan,Oakland,OAK,5,3,OKLN"));
        Files.writeString(server.sources().resolve("pairs-2.csv"), PAIRS);
        register(spec("airports-2", "airports-two", server.sources().resolve("records-2.csv"), server.sources().resolve("pairs-2.csv"),
                true));
        run("airports-2");
        Files.writeString(server.sources().resolve("records-2.csv"), RECORDS.replace("Oakland International,Oakland,OAK,5,3,AKLN",
                "Oakland Intl,Oakland,OAK,5,3,OKLM"));
        run("airports-2");

        JsonNode first = explain("airports-two", "?record=osm:77&with=faa:SFO&version=1").json();
        JsonNode latest = explain("airports-two", "?record=osm:77&with=faa:SFO").json();
        JsonNode second = explain("airports-two", "?record=osm:77&with=faa:SFO&version=2").json();

        assertThat(first.get("audit").get("clusters").asText()).isEqualTo("airports-two-clusters@1");
        assertThat(first.get("audit").get("links").asText()).isEqualTo("airports-two-links@1");
        assertThat(first.get("golden").get("name").asText()).isEqualTo("Oakland Metropolitan");
        assertThat(second.get("audit").get("clusters").asText()).isEqualTo("airports-two-clusters@2");
        assertThat(second.get("audit").get("links").asText()).as("unchanged by the second run").isEqualTo("airports-two-links@1");
        assertThat(second.get("golden").get("name").asText()).isEqualTo("Oakland Intl");
        assertThat(latest.get("audit")).isEqualTo(second.get("audit"));
        assertThat(first.get("pair").get("compared").asBoolean()).isTrue();
        assertThat(first.get("pair").get("decision").asText()).isEqualTo("below-threshold");
    }

    @Test
    void explain_isPublishedInTheOpenApiDocument_withItsPermission() {
        JsonNode operation = server.get("/openapi.json", server.adminToken()).json().get("paths").get("/v1/datasets/{dataset}/explain")
                .get("get");

        assertThat(operation.get("operationId").asText()).isEqualTo("dataset.explain");
        assertThat(operation.get("x-keel-permission").asText()).isEqualTo("DATASET_READ");
        assertThat(operation.get("x-keel-audited").asBoolean()).isFalse();
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }
}
