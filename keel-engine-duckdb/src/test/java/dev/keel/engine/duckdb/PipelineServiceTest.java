package dev.keel.engine.duckdb;

import dev.keel.spi.event.PipelineRunFailed;
import dev.keel.spi.event.PipelineRunFinished;
import dev.keel.spi.event.ScheduleMissed;
import dev.keel.spi.event.SourceFailed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.sun.net.httpserver.HttpServer;
import dev.keel.core.data.DatasetDiff;
import dev.keel.core.data.PipelineRun;
import dev.keel.core.data.RowAccounting;
import dev.keel.core.data.RunStatus;
import dev.keel.core.data.ScheduleState;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.data.SourceAccess;
import dev.keel.core.data.Scheduler;
import dev.keel.core.data.Trigger;
import dev.keel.spi.data.DatasetProfile;
import dev.keel.spi.data.TableData;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs of whole pipelines through the service facade on a real DuckDB engine. */
class PipelineServiceTest {
    @TempDir
    Path directory;

    private static String statesCsv() {
        StringBuilder csv = new StringBuilder("name,abbreviation,capital\n");
        UsStates.ALL.forEach(state -> csv.append(state.name()).append(',').append(state.abbreviation()).append(',')
                .append(state.capital()).append('\n'));
        return csv.toString();
    }

    @Test
    void http_pagedSourceWithTransientError_retriesWithBackoffAndReadsEveryPage() throws IOException {
        AtomicInteger requests = new AtomicInteger();
        List<String> authorizations = Collections.synchronizedList(new ArrayList<>());
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/states", exchange -> {
            authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
            if (requests.incrementAndGet() == 1) {
                exchange.sendResponseHeaders(503, -1);
                exchange.close();
                return;
            }
            int page = Integer.parseInt(exchange.getRequestURI().getQuery().replaceAll("(^|.*&)page=(\\d+).*", "$2"));
            List<String> records = UsStates.ALL.stream().skip((page - 1) * 20L).limit(20)
                    .map(state -> "{\"name\": \"" + state.name() + "\", \"abbreviation\": \"" + state.abbreviation() + "\"}").toList();
            byte[] body = ("{\"data\": [" + String.join(", ", records) + "], \"page\": " + page + "}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            // The test server listens on loopback, which HTTP sources may reach only when an admin allows private hosts.
            PipelineHarness harness = new PipelineHarness(directory, Map.of("STATES_TOKEN", "Bearer s3cret"),
                    base -> SourceAccess.confinedTo(base, List.of(), true));

            PipelineRun run = harness.run("""
                    pipeline: states-api
                    retry: {max-attempts: 3, initial-backoff: 2s, multiplier: 3}
                    sources:
                      - name: api
                        type: http
                        url: http://127.0.0.1:%d/states
                        headers: {Authorization: {env: STATES_TOKEN}}
                        records: /data
                        paging: {type: page-number, parameter: page, start: 1, size-parameter: per_page, size: 20}
                    outputs:
                      - {dataset: states, from: api}
                    """.formatted(server.getAddress().getPort()));

            // 1 refused request, then pages 1-3 (20 + 20 + 10 records; a short page ends paging).
            assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
            assertThat(run.attempts()).isEqualTo(2);
            assertThat(harness.sleeps).containsExactly(Duration.ofSeconds(2));
            assertThat(harness.events).hasSize(3);
            assertThat(harness.events.get(0)).isInstanceOfSatisfying(SourceFailed.class, failed -> {
                assertThat(failed.source()).isEqualTo("api");
                assertThat(failed.kind()).isEqualTo(SourceFailed.Kind.UNREACHABLE);
                assertThat(failed.runId()).isEqualTo(run.id());
                assertThat(failed.message()).contains("HTTP 503");
            });
            assertThat(harness.events.get(1)).isInstanceOfSatisfying(PipelineRunFailed.class, failed -> {
                assertThat(failed.attempt()).isEqualTo(1);
                assertThat(failed.willRetry()).isTrue();
                assertThat(failed.runId()).isEqualTo(run.id());
            });
            assertThat(harness.events.get(2)).isInstanceOfSatisfying(PipelineRunFinished.class, finished -> {
                assertThat(finished.attempt()).isEqualTo(2);
                assertThat(finished.pipeline()).isEqualTo("states-api");
            });
            assertThat(requests.get()).isEqualTo(4);
            assertThat(authorizations).containsOnly("Bearer s3cret");
            assertThat(run.accounting()).isEqualTo(new RowAccounting(50, 50, 0, 0, 0));
            assertThat(harness.service.dataset("states", 1).sourceFingerprints().get("api")).hasSize(64);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void http_notFound_failsWithoutRetryNamingTheSource() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.start();
        try {
            PipelineHarness harness = new PipelineHarness(directory, Map.of(), base -> SourceAccess.confinedTo(base, List.of(), true));

            PipelineRun run = harness.run("""
                    pipeline: missing-api
                    sources:
                      - {name: api, type: http, url: "http://127.0.0.1:%d/nothing"}
                    outputs:
                      - {dataset: nothing, from: api}
                    """.formatted(server.getAddress().getPort()));

            assertThat(run.status()).isEqualTo(RunStatus.FAILED);
            assertThat(run.attempts()).isEqualTo(1);
            assertThat(harness.sleeps).isEmpty();
            assertThat(harness.events).hasSize(2).first().isInstanceOfSatisfying(SourceFailed.class, failed -> {
                assertThat(failed.source()).isEqualTo("api");
                assertThat(failed.kind()).isEqualTo(SourceFailed.Kind.UNREACHABLE);
                assertThat(failed.pipeline()).isEqualTo("missing-api");
            });
            assertThat(harness.events.get(1)).isInstanceOfSatisfying(PipelineRunFailed.class, failed -> {
                assertThat(failed.attempt()).isEqualTo(1);
                assertThat(failed.willRetry()).isFalse();
                assertThat(failed.message()).contains("HTTP 404");
            });
            assertThat(run.error()).get().asString().contains("sources[0]").contains("HTTP 404");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void clean_castFailureWithOnErrorFail_failsNamingColumnValueAndPath() {
        PipelineHarness harness = new PipelineHarness(directory);
        harness.write("people.csv", "name,age\nAda,36\nAlan,forty-one\n");

        PipelineRun run = harness.run("""
                pipeline: people
                sources: [{name: raw, type: csv, path: people.csv}]
                steps:
                  - {name: typed, type: clean, input: raw, columns: {age: {cast: integer, on-error: fail}}}
                outputs: [{dataset: people, from: typed}]
                """);

        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.error()).get().asString().contains("steps[0].columns.age.cast").contains("'forty-one'").contains("integer");
        assertThat(harness.datasets.all()).isEmpty();
        assertThat(stagingFiles(harness)).isEmpty();
    }

    @Test
    void expectation_onMissingColumn_failsNamingThePathAndTheColumnsThatExist() {
        PipelineHarness harness = new PipelineHarness(directory);
        harness.write("states.csv", statesCsv());

        PipelineRun run = harness.runUnchecked("""
                pipeline: states
                sources: [{name: raw, type: csv, path: states.csv}]
                expectations:
                  - {dataset: raw, rule: not-null, column: population, action: fail}
                outputs: [{dataset: states, from: raw}]
                """);

        assertThat(run.error()).get().asString().contains("expectations[0].column").contains("'population'")
                .contains("[name, abbreviation, capital]");
    }

    @Test
    void expectation_failAction_publishesNothing() {
        PipelineHarness harness = new PipelineHarness(directory);
        harness.write("states.csv", statesCsv());

        PipelineRun run = harness.run("""
                pipeline: states
                sources: [{name: raw, type: csv, path: states.csv}]
                expectations:
                  - {name: two-letter-codes, dataset: raw, rule: regex, column: abbreviation, pattern: "[A-Z]{2}", action: warn}
                  - {name: at-least-51, dataset: raw, rule: row-count, min: 51, action: fail}
                outputs: [{dataset: states, from: raw}]
                """);

        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.error()).get().asString().contains("at-least-51").contains("row count outside [51,");
        assertThat(harness.datasets.all()).isEmpty();
        assertThat(stagingFiles(harness)).isEmpty();
    }

    @Test
    void sqlStep_filteredRows_areCountedAndBooksBalance() {
        PipelineHarness harness = new PipelineHarness(directory);
        harness.write("states.csv", statesCsv());

        PipelineRun run = harness.run("""
                pipeline: new-states
                sources: [{name: raw, type: csv, path: states.csv}]
                steps:
                  - name: new_states
                    type: sql
                    inputs: [raw]
                    query: SELECT * FROM raw WHERE name LIKE 'New %'
                expectations:
                  - {dataset: new_states, rule: allowed-values, column: abbreviation, values: [NH, NJ, NM], action: quarantine}
                outputs: [{dataset: new-states, from: new_states}]
                """);

        // 50 in: 46 filtered by the query, New York quarantined by the allowed-values rule, 3 out.
        assertThat(run.accounting()).isEqualTo(new RowAccounting(50, 3, 1, 0, 46));
        assertThat(run.accounting().balanced()).isTrue();
        assertThat(run.datasets()).containsExactly("new-states@1", "new-states-quarantine@1");
    }

    @Test
    void quarantine_keepsTheColumnsWithTheirTypesPlusTheStageAndTheRules() {
        PipelineHarness harness = new PipelineHarness(directory);
        harness.write("cities.csv", "city,population,founded\nOslo,709037,1040-01-01\nBergen,-1,1070-01-01\nTromso,,1794-01-01\n");

        PipelineRun run = harness.run("""
                pipeline: cities
                sources: [{name: raw, type: csv, path: cities.csv}]
                expectations:
                  - {name: population-positive, dataset: raw, rule: range, column: population, min: 0, action: quarantine}
                  - {name: population-known, dataset: raw, rule: not-null, column: population, action: quarantine}
                outputs: [{dataset: cities, from: raw}]
                """);

        assertThat(run.datasets()).containsExactly("cities@1", "cities-quarantine@1");
        DatasetProfile profile = harness.service.profile("cities-quarantine", 1);
        assertThat(profile.columns()).extracting(DatasetProfile.ColumnProfile::name, DatasetProfile.ColumnProfile::type)
                .containsExactly(tuple("_quarantine_stage", "string"), tuple("_quarantine_rules", "string"),
                        tuple("city", "string"), tuple("population", "integer"), tuple("founded", "date"));
        TableData rows = harness.service.read("cities-quarantine", 1, List.of(), 10);
        assertThat(rows.rows()).extracting(row -> row[0] + "|" + row[1] + "|" + row[2] + "|" + row[3]).containsExactlyInAnyOrder(
                "raw|population-positive|Bergen|-1", "raw|population-known|Tromso|null");
    }

    @Test
    void quarantine_rowsOfStagesWithDifferentTypes_meetInOneTable() {
        PipelineHarness harness = new PipelineHarness(directory);
        harness.write("cities.csv", "city,population\nOslo,709037\nBergen,many\nTromso,-5\n");

        PipelineRun run = harness.run("""
                pipeline: cities
                sources: [{name: raw, type: csv, path: cities.csv, types: {population: string}}]
                steps:
                  - {name: typed, type: clean, input: raw, columns: {population: {cast: integer, on-error: quarantine}}}
                expectations:
                  - {name: population-positive, dataset: typed, rule: range, column: population, min: 0, action: quarantine}
                outputs: [{dataset: cities, from: typed}]
                """);

        assertThat(run.accounting()).isEqualTo(new RowAccounting(3, 1, 2, 0, 0));
        TableData rows = harness.service.read("cities-quarantine", 1, List.of("_quarantine_stage", "_quarantine_rules", "city",
                "population"), 10);
        assertThat(rows.rows()).extracting(row -> row[0] + "|" + row[1] + "|" + row[2] + "|" + row[3]).containsExactlyInAnyOrder(
                "typed|typed.population.cast-integer|Bergen|many", "typed|population-positive|Tromso|-5");
        PipelineRun again = harness.service.run("cities", Trigger.CLI);
        assertThat(again.unchanged()).containsExactly("cities@1", "cities-quarantine@1");
    }

    @Test
    void parquetAndJsonLinesSources_readInPlaceOrCopied_giveTheSameRows() throws Exception {
        PipelineHarness harness = new PipelineHarness(directory);
        Path csv = harness.write("states.csv", statesCsv());
        Files.createDirectories(harness.base.resolve("parts"));
        try (java.sql.Connection duck = java.sql.DriverManager.getConnection("jdbc:duckdb:");
             java.sql.Statement statement = duck.createStatement()) {
            statement.execute("COPY (SELECT * FROM read_csv('" + csv + "') UNION ALL SELECT * FROM read_csv('" + csv
                    + "') WHERE name = 'Ohio') TO '" + harness.base.resolve("parts/states-1.parquet") + "' (FORMAT parquet)");
            statement.execute("COPY (SELECT * FROM read_csv('" + csv + "')) TO '" + harness.base.resolve("states.jsonl") + "'");
        }

        PipelineRun run = harness.run("""
                pipeline: formats
                sources:
                  - {name: files, type: parquet, path: "parts/*.parquet"}
                  - {name: lines, type: jsonl, path: states.jsonl}
                steps:
                  - {name: upper, type: clean, input: files, columns: {name: {case: upper}}}
                  - {name: unique_upper, type: dedupe, input: upper}
                  - {name: unique_lines, type: dedupe, input: lines, keys: [abbreviation]}
                outputs:
                  - {dataset: from-parquet, from: unique_upper}
                  - {dataset: from-jsonl, from: unique_lines}
                """);

        // 51 Parquet rows (Ohio twice) and 50 JSON lines: one duplicate merged, 100 rows out.
        assertThat(run.error()).isEmpty();
        assertThat(run.accounting()).isEqualTo(new RowAccounting(101, 100, 0, 1, 0));
        assertThat(harness.service.read("from-parquet", 1, List.of("name"), 1).rows().get(0)).containsExactly("ALABAMA");
        assertThat(harness.service.read("from-jsonl", 1, List.of("capital"), 100).rows()).hasSize(50);
    }

    @Test
    void badSourceData_failsWithClearErrors() {
        PipelineHarness harness = new PipelineHarness(directory);
        harness.write("ragged.csv", "a,b\n1,2\n3,4,5,6\n\"unclosed,7\n");

        PipelineRun missing = harness.runUnchecked("""
                pipeline: missing
                sources: [{name: raw, type: csv, path: "nowhere/*.csv"}]
                outputs: [{dataset: out, from: raw}]
                """);
        String raggedSpec = """
                pipeline: ragged
                sources: [{name: raw, type: csv, path: ragged.csv}]
                outputs: [{dataset: out, from: raw}]
                """;
        List<dev.keel.core.data.SpecError> refused = harness.service.validate(raggedSpec);
        PipelineRun ragged = harness.runUnchecked(raggedSpec);

        assertThat(missing.error()).get().asString().contains("sources[0].path").contains("no file matches 'nowhere/*.csv'");
        assertThat(refused).singleElement().asString().startsWith("sources[0]: cannot read csv source 'raw'");
        assertThat(ragged.status()).isEqualTo(RunStatus.FAILED);
        assertThat(ragged.error()).get().asString().startsWith("bad data error: sources[0]: cannot read csv source 'raw'")
                .doesNotContain("\n");
    }

    @Test
    void validate_unknownEngine_namesTheEngineKey() {
        PipelineHarness harness = new PipelineHarness(directory);

        assertThat(harness.service.validate("""
                pipeline: p
                engine: spark
                sources: [{name: raw, type: csv, path: a.csv}]
                outputs: [{dataset: out, from: raw}]
                """)).singleElement().satisfies(error -> {
                    assertThat(error.path()).isEqualTo("engine");
                    assertThat(error.message()).contains("'spark'").contains("[duckdb]");
                });
    }

    @Test
    void impute_fillsNullsWithMedianAndConstant() {
        PipelineHarness harness = new PipelineHarness(directory);
        harness.write("scores.csv", "id,score,grade\n1,10,a\n2,,b\n3,30,\n4,40,a\n");

        PipelineRun run = harness.run("""
                pipeline: scores
                sources: [{name: raw, type: csv, path: scores.csv}]
                steps:
                  - {name: filled, type: impute, input: raw, columns: {score: median, grade: {constant: unknown}}}
                outputs: [{dataset: scores, from: filled}]
                """);

        assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
        TableData rows = harness.service.read("scores", 1, List.of("score", "grade"), 10);
        // The median of 10, 30 and 40 is 30.
        assertThat(rows.rows()).extracting(row -> row[0]).containsExactly(10L, 30L, 30L, 40L);
        assertThat(rows.rows()).extracting(row -> row[1]).containsExactly("a", "b", "unknown", "a");
    }

    @Test
    void datasets_secondRun_addsVersionAndDiffShowsSchemaAndProfileChanges() throws IOException {
        PipelineHarness harness = new PipelineHarness(directory);
        harness.write("states.csv", statesCsv());
        String spec = """
                pipeline: states
                sources: [{name: raw, type: csv, path: states.csv}]
                outputs: [{dataset: states, from: raw}]
                """;
        harness.run(spec);
        Files.writeString(harness.base.resolve("states.csv"), statesCsv()
                .replace("name,abbreviation,capital", "name,abbreviation,capital,x").lines()
                .map(line -> line.endsWith(",x") ? line : line + ",1").reduce("", (a, b) -> a + b + "\n")
                .replace("Wyoming,WY,Cheyenne,1\n", ""));

        harness.service.run("states", Trigger.CLI);

        assertThat(harness.service.versions("states")).extracting(version -> version.version()).containsExactly(1, 2);
        DatasetDiff diff = harness.service.diff("states", 1, 2);
        assertThat(diff.rowsFrom()).isEqualTo(50);
        assertThat(diff.rowsTo()).isEqualTo(49);
        assertThat(diff.addedColumns()).containsExactly("x");
        assertThat(diff.changes()).anySatisfy(change -> {
            assertThat(change.column()).isEqualTo("name");
            assertThat(change.statistic()).isEqualTo("max");
            assertThat(change.from()).isEqualTo("Wyoming");
            assertThat(change.to()).isEqualTo("Wisconsin");
        });
        assertThat(harness.service.history("states", 10)).extracting(PipelineRun::trigger).containsExactly(Trigger.CLI, Trigger.API);
    }

    @Test
    void datasets_identicalRerun_succeedsUnchangedWithoutANewVersion() throws IOException {
        PipelineHarness harness = new PipelineHarness(directory);
        harness.write("states.csv", statesCsv());
        harness.run("""
                pipeline: states
                sources: [{name: raw, type: csv, path: states.csv}]
                outputs: [{dataset: states, from: raw}]
                """);

        PipelineRun again = harness.service.run("states", Trigger.CLI);
        Files.writeString(harness.base.resolve("states.csv"), statesCsv().replace("Wyoming,WY,Cheyenne\n", ""));
        PipelineRun changed = harness.service.run("states", Trigger.CLI);

        assertThat(again.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(again.datasets()).isEmpty();
        assertThat(again.unchanged()).containsExactly("states@1");
        assertThat(changed.datasets()).containsExactly("states@2");
        assertThat(changed.unchanged()).isEmpty();
        assertThat(harness.service.versions("states")).extracting(version -> version.runId())
                .doesNotContain(again.id()).hasSize(2);
    }

    @Test
    void scheduler_tick_startsPipelinesThatCameDueOnce() {
        PipelineHarness harness = new PipelineHarness(directory);
        harness.write("states.csv", statesCsv());
        harness.service.register("""
                pipeline: hourly-states
                schedule: "0 * * * *"
                sources: [{name: raw, type: csv, path: states.csv}]
                outputs: [{dataset: states, from: raw}]
                """);
        harness.service.register("""
                pipeline: manual-states
                sources: [{name: raw, type: csv, path: states.csv}]
                outputs: [{dataset: manual, from: raw}]
                """);
        // Registered at 12:00 (the harness's clock); the scheduler's last pass was at 12:20.
        Instant start = Instant.parse("2026-11-26T12:20:00Z");
        Scheduler scheduler = new Scheduler(harness.service, java.time.Clock.fixed(start, ZoneOffset.UTC), ZoneOffset.UTC, Runnable::run);

        assertThat(scheduler.nextFireTimes()).containsExactly(Map.entry("hourly-states", Instant.parse("2026-11-26T13:00:00Z")));
        assertThat(scheduler.tick(Instant.parse("2026-11-26T12:59:00Z"))).isEmpty();
        assertThat(scheduler.tick(Instant.parse("2026-11-26T13:00:30Z"))).containsExactly("hourly-states");
        assertThat(scheduler.tick(Instant.parse("2026-11-26T13:30:00Z"))).isEmpty();

        assertThat(harness.service.history("hourly-states", 10)).singleElement()
                .satisfies(run -> assertThat(run.trigger()).isEqualTo(Trigger.SCHEDULE))
                .satisfies(run -> assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED));
        assertThat(harness.service.history("manual-states", 10)).isEmpty();
    }

    @Test
    void scheduler_reportMissed_publishesOneEventPerPipelineForTheSlotsThatCameDueUnrun() {
        PipelineHarness harness = new PipelineHarness(directory);
        harness.write("states.csv", statesCsv());
        harness.service.register("""
                pipeline: hourly-states
                schedule: "0 * * * *"
                sources: [{name: raw, type: csv, path: states.csv}]
                outputs: [{dataset: states, from: raw}]
                """);
        harness.service.register("""
                pipeline: paused-states
                schedule: "0 * * * *"
                sources: [{name: raw, type: csv, path: states.csv}]
                outputs: [{dataset: paused, from: raw}]
                """);
        harness.service.pauseSchedule("paused-states", "ana");
        Scheduler scheduler = new Scheduler(harness.service, java.time.Clock.fixed(PipelineHarness.NOW, ZoneOffset.UTC), ZoneOffset.UTC,
                Runnable::run, harness.events::add);

        assertThat(scheduler.reportMissed(Instant.parse("2026-11-26T12:59:00Z"))).isEmpty();
        // Registered at 12:00 and never run since: the 13:00, 14:00 and 15:00 slots came due while nothing ran them.
        assertThat(scheduler.reportMissed(Instant.parse("2026-11-26T15:30:00Z"))).containsExactly("hourly-states");

        assertThat(harness.events).singleElement().isInstanceOfSatisfying(ScheduleMissed.class, missed -> {
            assertThat(missed.pipeline()).isEqualTo("hourly-states");
            assertThat(missed.project()).contains("default");
            assertThat(missed.scheduledFor()).isEqualTo(Instant.parse("2026-11-26T13:00:00Z"));
            assertThat(missed.message()).startsWith("3 scheduled run(s)").contains("while the server was down");
        });
    }

    @Test
    void scheduler_slotBeforeRegistration_doesNotFire() {
        PipelineHarness harness = new PipelineHarness(directory);
        harness.write("states.csv", statesCsv());
        // The last pass was at 11:58:30; the pipeline is registered at 12:00:00, after the 11:59 and 12:00 slots.
        Scheduler scheduler = new Scheduler(harness.service, java.time.Clock.fixed(Instant.parse("2026-11-26T11:58:30Z"),
                ZoneOffset.UTC), ZoneOffset.UTC, Runnable::run);
        harness.service.register("""
                pipeline: every-minute
                schedule: "* * * * *"
                sources: [{name: raw, type: csv, path: states.csv}]
                outputs: [{dataset: states, from: raw}]
                """);

        assertThat(scheduler.tick(Instant.parse("2026-11-26T12:00:30Z"))).isEmpty();
        assertThat(scheduler.nextFireTimes()).containsExactly(Map.entry("every-minute", Instant.parse("2026-11-26T12:01:00Z")));
        assertThat(scheduler.tick(Instant.parse("2026-11-26T12:01:05Z"))).containsExactly("every-minute");
    }

    @Test
    void scheduler_pausedAndDeletedSchedules_doNotFireUntilResumedOrRegisteredAgain() {
        PipelineHarness harness = new PipelineHarness(directory);
        harness.write("states.csv", statesCsv());
        String spec = """
                pipeline: every-minute
                schedule: "* * * * *"
                sources: [{name: raw, type: csv, path: states.csv}]
                outputs: [{dataset: states, from: raw}]
                """;
        harness.service.register(spec);
        Scheduler scheduler = new Scheduler(harness.service, java.time.Clock.fixed(PipelineHarness.NOW, ZoneOffset.UTC),
                ZoneOffset.UTC, Runnable::run);

        ScheduleState paused = harness.service.pauseSchedule("every-minute", "ana");
        List<String> whilePaused = scheduler.tick(Instant.parse("2026-11-26T12:01:05Z"));
        Map<String, Instant> nextWhilePaused = scheduler.nextFireTimes();
        harness.service.resumeSchedule("every-minute", "ana");
        List<String> afterResume = scheduler.tick(Instant.parse("2026-11-26T12:01:30Z"));
        List<String> nextSlot = scheduler.tick(Instant.parse("2026-11-26T12:02:05Z"));
        ScheduleState deleted = harness.service.deleteSchedule("every-minute", "ana");
        List<String> whileDeleted = scheduler.tick(Instant.parse("2026-11-26T12:03:05Z"));
        harness.service.register(spec + "# a new version\n");
        List<String> newVersion = scheduler.tick(Instant.parse("2026-11-26T12:04:05Z"));

        assertThat(paused.status()).isEqualTo(ScheduleState.Status.PAUSED);
        assertThat(paused.actor()).isEqualTo("ana");
        assertThat(whilePaused).isEmpty();
        assertThat(nextWhilePaused).isEmpty();
        assertThat(afterResume).as("the 12:01 slot passed while paused").isEmpty();
        assertThat(nextSlot).containsExactly("every-minute");
        assertThat(deleted.status()).isEqualTo(ScheduleState.Status.DELETED);
        assertThat(whileDeleted).isEmpty();
        assertThat(harness.service.schedule("every-minute").status()).isEqualTo(ScheduleState.Status.ACTIVE);
        assertThat(newVersion).containsExactly("every-minute");
    }

    @Test
    void schedule_changes_onAPipelineWithoutScheduleOrADeletedOne_areRefused() {
        PipelineHarness harness = new PipelineHarness(directory);
        harness.write("states.csv", statesCsv());
        harness.service.register("""
                pipeline: manual
                sources: [{name: raw, type: csv, path: states.csv}]
                outputs: [{dataset: manual, from: raw}]
                """);
        harness.service.register("""
                pipeline: hourly
                schedule: "0 * * * *"
                sources: [{name: raw, type: csv, path: states.csv}]
                outputs: [{dataset: hourly, from: raw}]
                """);
        harness.service.deleteSchedule("hourly", "ana");

        assertThatThrownBy(() -> harness.service.pauseSchedule("manual", "ana")).isInstanceOfSatisfying(KeelException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND)).hasMessageContaining("pipeline 'manual' has no schedule");
        assertThatThrownBy(() -> harness.service.resumeSchedule("hourly", "ana")).isInstanceOfSatisfying(KeelException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT)).hasMessageContaining("was deleted");
        assertThat(harness.service.deleteSchedule("hourly", "ana").status()).isEqualTo(ScheduleState.Status.DELETED);
    }

    private static List<Path> stagingFiles(PipelineHarness harness) {
        try (Stream<Path> files = Files.walk(harness.data.resolve("staging"))) {
            return files.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
