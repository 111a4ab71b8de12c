package dev.keel.engine.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.data.PipelineRun;
import dev.keel.core.data.PipelineVersion;
import dev.keel.core.data.RunStatus;
import dev.keel.core.data.SpecError;
import dev.keel.core.data.Trigger;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * User SQL and expressions cannot reach files, settings or extensions: each attack is refused when the spec is registered,
 * and again when a spec that got past registration (stored before the check existed) runs.
 */
class PipelineSandboxTest {
    @TempDir
    Path directory;

    private PipelineHarness harness;

    @BeforeEach
    void setUp() {
        harness = new PipelineHarness(directory, Map.of("KEEL_ADMIN_TOKEN", "secret-admin-token-that-must-not-leak"));
        harness.write("people.csv", "name,age\nada,36\nalan,41\n");
    }

    private static String sqlStep(String query) {
        return """
                pipeline: attack
                sources:
                  - {name: people, type: csv, path: people.csv}
                steps:
                  - name: stolen
                    type: sql
                    inputs: [people]
                    query: %s
                outputs:
                  - {dataset: stolen, from: stolen}
                """.formatted(yamlString(query));
    }

    private static String derive(String expression) {
        return """
                pipeline: attack
                sources:
                  - {name: people, type: csv, path: people.csv}
                steps:
                  - name: stolen
                    type: derive
                    input: people
                    columns:
                      loot: %s
                outputs:
                  - {dataset: stolen, from: stolen}
                """.formatted(yamlString(expression));
    }

    private static String yamlString(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Registers without the validation pass, as a spec stored before it existed, and runs it. */
    private PipelineRun runUnchecked(String spec) {
        harness.pipelines.insert(new PipelineVersion("attack", 1, spec, "0".repeat(64), Instant.EPOCH));
        return harness.service.run("attack", Trigger.API);
    }

    private void assertRefusedAtRegistration(String spec, String... named) {
        assertThatThrownBy(() -> harness.service.register(spec)).isInstanceOfSatisfying(KeelException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_SPEC);
            assertThat(e.getMessage()).contains(named).doesNotContain(directory.toString()).doesNotContain("Permission Error");
        });
    }

    private void assertRunRefused(String spec, String... named) {
        PipelineRun run = runUnchecked(spec);
        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.error()).get().asString().startsWith("bad spec error").contains(named)
                .doesNotContain(directory.toString()).doesNotContain("root:").doesNotContain("secret-admin-token");
        assertThat(harness.datasets.listLatest()).isEmpty();
    }

    // One regression test per attack that worked before the sandbox.

    @Test
    void sqlStep_readTextOfProcEnviron_isRefusedNamingTheFunction() {
        String spec = sqlStep("SELECT content FROM read_text('/proc/self/environ')");
        assertRefusedAtRegistration(spec, "steps[0].query", "step 'stolen'", "the function read_text reads files",
                "sources are declared under 'sources'");
        assertRunRefused(spec, "read_text");
    }

    @Test
    void deriveExpression_readCsvOfEtcPasswd_isRefusedNamingTheFunction() {
        String spec = derive("(SELECT string_agg(column0, '|') FROM read_csv('/etc/passwd', header=false))");
        assertRefusedAtRegistration(spec, "steps[0].columns.loot", "the function read_csv reads files");
        assertRunRefused(spec, "read_csv");
    }

    @Test
    void sqlStep_readBlobOfKeelsStore_isRefused() {
        String spec = sqlStep("SELECT content FROM read_blob('" + directory.resolve("keel.db") + "')");
        assertRefusedAtRegistration(spec, "the function read_blob reads files");
        assertRunRefused(spec, "read_blob");
    }

    @Test
    void sqlStep_globOfRoot_isRefused() {
        String spec = sqlStep("SELECT file FROM glob('/root/*')");
        assertRefusedAtRegistration(spec, "the function glob reads files");
        assertRunRefused(spec, "glob");
    }

    @Test
    void sqlStep_copyAfterASelect_isRefused() {
        Path target = directory.resolve("written.csv");
        String spec = sqlStep("SELECT * FROM people; COPY (SELECT 1) TO '" + target + "'");
        assertRefusedAtRegistration(spec, "the query must be one SELECT statement", "COPY");
        assertRunRefused(spec, "one SELECT statement");
        assertThat(target).doesNotExist();
    }

    @Test
    void sqlStep_twoSelects_isRefusedAsTwoStatements() {
        String spec = sqlStep("SELECT * FROM people; SELECT * FROM people");
        assertRefusedAtRegistration(spec, "the query holds 2 statements", "one SELECT statement");
        assertRunRefused(spec, "2 statements");
    }

    static Stream<Arguments> fileAndSettingFunctions() {
        return Stream.of(
                Arguments.of("read_csv('/etc/passwd')", "read_csv"),
                Arguments.of("read_csv_auto('/etc/passwd')", "read_csv_auto"),
                Arguments.of("read_parquet('/etc/passwd')", "read_parquet"),
                Arguments.of("parquet_scan('/etc/passwd')", "parquet_scan"),
                Arguments.of("read_json('/etc/passwd')", "read_json"),
                Arguments.of("read_json_auto('/etc/passwd')", "read_json_auto"),
                Arguments.of("read_ndjson('/etc/passwd')", "read_ndjson"),
                Arguments.of("read_text('/etc/passwd')", "read_text"),
                Arguments.of("read_blob('/etc/passwd')", "read_blob"),
                Arguments.of("glob('/etc/*')", "glob"),
                Arguments.of("sniff_csv('/etc/passwd')", "sniff_csv"),
                Arguments.of("parquet_metadata('/etc/passwd')", "parquet_metadata"),
                Arguments.of("parquet_schema('/etc/passwd')", "parquet_schema"),
                Arguments.of("main.read_text('/etc/passwd')", "read_text"),
                Arguments.of("duckdb_settings()", "duckdb_settings"),
                Arguments.of("duckdb_extensions()", "duckdb_extensions"),
                Arguments.of("duckdb_databases()", "duckdb_databases"),
                Arguments.of("query('SELECT 1')", "query"),
                Arguments.of("query_table('people')", "query_table"));
    }

    @ParameterizedTest(name = "{1} in a sql step")
    @MethodSource("fileAndSettingFunctions")
    void sqlStep_tableFunctionsThatReachFilesOrSettings_areRefused(String call, String function) {
        String spec = sqlStep("SELECT * FROM " + call);
        assertRefusedAtRegistration(spec, "function " + function);
        assertRunRefused(spec, "function " + function);
    }

    @ParameterizedTest(name = "{1} in a derive expression")
    @MethodSource("fileAndSettingFunctions")
    void deriveExpression_functionsThatReachFilesOrSettings_areRefused(String call, String function) {
        String spec = derive("(SELECT count(*) FROM " + call + ")");
        assertRefusedAtRegistration(spec, "function " + function);
        assertRunRefused(spec, "function " + function);
    }

    static Stream<Arguments> scalarFunctions() {
        return Stream.of(
                Arguments.of("current_setting('home_directory')", "current_setting"),
                Arguments.of("current_setting('temp_directory')", "current_setting"),
                Arguments.of("getenv('KEEL_ADMIN_TOKEN')", "getenv"),
                Arguments.of("json_execute_serialized_sql('{}')", "json_execute_serialized_sql"),
                Arguments.of("(SELECT content FROM read_text('/etc/passwd'))", "read_text"));
    }

    @ParameterizedTest(name = "{1} as a scalar in a sql step")
    @MethodSource("scalarFunctions")
    void sqlStep_scalarFunctionsThatReadSettings_areRefused(String call, String function) {
        String spec = sqlStep("SELECT *, " + call + " AS loot FROM people");
        assertRefusedAtRegistration(spec, "function " + function);
        assertRunRefused(spec, "function " + function);
    }

    @ParameterizedTest(name = "{1} as a scalar in a derive expression")
    @MethodSource("scalarFunctions")
    void deriveExpression_scalarFunctionsThatReadSettings_areRefused(String call, String function) {
        String spec = derive(call);
        assertRefusedAtRegistration(spec, "function " + function);
        assertRunRefused(spec, "function " + function);
    }

    static Stream<String> statements() {
        return Stream.of("SET enable_external_access = true", "RESET lock_configuration", "PRAGMA database_list",
                "ATTACH '/tmp/other.db' AS other", "COPY people TO '/tmp/people.csv'", "COPY people FROM '/etc/passwd'",
                "INSTALL httpfs", "LOAD httpfs", "EXPORT DATABASE '/tmp/export'", "IMPORT DATABASE '/tmp/export'",
                "CREATE SECRET s (TYPE s3, KEY_ID 'a', SECRET 'b')", "CALL duckdb_settings()", "DETACH memory",
                "CHECKPOINT", "CREATE TABLE x AS SELECT 1", "DROP TABLE people");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("statements")
    void sqlStep_statementsOtherThanSelect_areRefused(String statement) {
        String spec = sqlStep(statement);
        assertRefusedAtRegistration(spec, "step 'stolen'", "one SELECT statement");
        assertRunRefused(spec, "one SELECT statement");
    }

    @ParameterizedTest(name = "{0} after a select")
    @MethodSource("statements")
    void sqlStep_statementsAfterASelect_areRefused(String statement) {
        String spec = sqlStep("SELECT * FROM people; " + statement);
        assertRefusedAtRegistration(spec, "step 'stolen'");
        assertRunRefused(spec, "step 'stolen'");
    }

    @Test
    void deriveExpression_breakingOutOfItsParentheses_isRefused() {
        String spec = derive("1) AS a FROM people; COPY (SELECT 1) TO '/tmp/escaped.csv'; SELECT (1");
        assertRefusedAtRegistration(spec, "statements");
        assertRunRefused(spec, "statements");
        assertThat(Path.of("/tmp/escaped.csv")).doesNotExist();
    }

    @Test
    void sqlStep_fileNamedAsTable_isRefused() {
        String spec = sqlStep("SELECT * FROM '/etc/passwd'");
        assertRefusedAtRegistration(spec, "reads '/etc/passwd'", "declared under 'sources'");
        assertRunRefused(spec, "reads '/etc/passwd'");
    }

    @Test
    void sqlStep_relationThatIsNotAnInput_isRefused() {
        String spec = sqlStep("SELECT * FROM people, information_schema.tables");
        assertRefusedAtRegistration(spec, "information_schema.tables");
        assertRunRefused(spec, "information_schema.tables");
    }

    @Test
    void sqlStep_ordinaryQueryWithCteAndRange_runs() {
        PipelineRun run = harness.run(sqlStep("WITH adults AS (SELECT * FROM people WHERE age > 18)"
                + " SELECT a.*, r.range AS n FROM adults a, range(2) r"));

        assertThat(run.error()).isEmpty();
        assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(harness.service.dataset("stolen", 1).rows()).isEqualTo(4);
    }

    @Test
    void columnNamesInStructuredSteps_areQuotedNotRun() {
        // Column names in clean rules, dedupe keys and expectations are identifiers: an injection is a missing column.
        String spec = """
                pipeline: attack
                sources:
                  - {name: people, type: csv, path: people.csv}
                steps:
                  - name: unique_people
                    type: dedupe
                    input: people
                    keys: ["name\\" FROM read_text('/etc/passwd') --"]
                outputs:
                  - {dataset: people, from: unique_people}
                """;
        List<SpecError> refused = harness.service.validate(spec);
        PipelineRun run = harness.runUnchecked(spec);

        assertThat(refused).extracting(SpecError::toString).singleElement().asString().startsWith("steps[0].keys: column 'name\"")
                .contains("does not exist");
        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.error()).get().asString().contains("does not exist").doesNotContain("root:");
    }

    @Test
    void expectationColumnAndPattern_areQuotedNotRun() {
        String spec = """
                pipeline: attack
                sources:
                  - {name: people, type: csv, path: people.csv}
                expectations:
                  - {dataset: people, rule: regex, column: name, pattern: "x' OR length(current_setting('temp_directory')) > 0 OR 'y",
                     action: fail}
                  - {dataset: people, rule: not-null, column: "age\\" IS NULL OR (SELECT 1 FROM glob('/root/*')) --", action: fail}
                outputs:
                  - {dataset: people, from: people}
                """;
        List<SpecError> refused = harness.service.validate(spec);
        PipelineRun run = harness.runUnchecked(spec);

        assertThat(refused).extracting(SpecError::path).containsExactly("expectations[1].columns");
        assertThat(refused.get(0).message()).contains("does not exist").doesNotContain("root:");
        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.error()).get().asString().contains("does not exist").doesNotContain("root:");
    }

    @Test
    void parquetSource_isMaterialisedSoStepsStillReadItAfterTheLock() throws Exception {
        Path parquet = harness.base.resolve("people.parquet");
        try (var duck = java.sql.DriverManager.getConnection("jdbc:duckdb:"); var statement = duck.createStatement()) {
            statement.execute("COPY (SELECT 'ada' AS name, 36 AS age UNION ALL SELECT 'alan', 41) TO '" + parquet
                    + "' (FORMAT parquet)");
        }
        PipelineRun run = harness.run("""
                pipeline: parquet-people
                sources:
                  - {name: people, type: parquet, path: people.parquet}
                steps:
                  - {name: older, type: sql, inputs: [people], query: "SELECT name, age + 1 AS age FROM people"}
                outputs:
                  - {dataset: older, from: older}
                """);

        assertThat(run.error()).isEmpty();
        assertThat(harness.service.dataset("older", 1).rows()).isEqualTo(2);
        assertThat(Files.exists(parquet)).isTrue();
    }
}
