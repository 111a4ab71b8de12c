package dev.keel.engine.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.data.JdbcConnection;
import dev.keel.core.data.SourceAccess;
import dev.keel.core.data.SpecError;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.spi.data.ValueRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Validation plans a spec on its sources' schemas: missing files, missing columns and SQL that does not bind are reported
 * with their paths when the spec is validated or registered, not when it first runs.
 */
class PipelineValidationTest {
    private static final Path CSV = Path.of("..", "examples", "credit-g", "credit-g.csv");

    @TempDir
    Path directory;

    private static List<String> described(List<SpecError> errors) {
        return errors.stream().map(SpecError::toString).toList();
    }

    @Test
    void missingSourceFile_isAnErrorAtItsPathAndRegistrationIsRefused() {
        PipelineHarness harness = new PipelineHarness(directory);
        String spec = """
                pipeline: missing
                sources: [{name: raw, type: csv, path: landing/orders.csv}]
                outputs: [{dataset: orders, from: raw}]
                """;

        assertThat(described(harness.service.validate(spec))).containsExactly("sources[0].path: no file matches 'landing/orders.csv';"
                + " relative paths resolve against the pipelines base directory");
        assertThatThrownBy(() -> harness.service.register(spec)).isInstanceOfSatisfying(KeelException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_SPEC));
        assertThat(harness.pipelines.listLatest()).isEmpty();
    }

    @Test
    void creditG_missingColumns_areReportedWithTheirPathsAndWhatFollowsAFailedStepIsNotPlanned() {
        PipelineHarness harness = new PipelineHarness(directory);
        harness.copy(CSV, "credit-g.csv");

        List<SpecError> errors = harness.service.validate("""
                pipeline: credit
                sources: [{name: applications, type: csv, path: credit-g.csv, types: {age: string}}]
                steps:
                  - name: cleaned
                    type: clean
                    input: applications
                    columns:
                      age: {trim: true, cast: integer, on-error: quarantine}
                      agee: {trim: true}
                  - {name: unique_applications, type: dedupe, input: cleaned, keys: [checking_status, credit_ammount]}
                  - name: features
                    type: derive
                    input: unique_applications
                    columns:
                      young: "(age < 25)::INTEGER"
                      ratio: "credit_amount / durration"
                expectations:
                  - {dataset: applications, rule: not-null, column: clas, action: quarantine}
                outputs: [{dataset: credit-features, from: features}]
                """);

        // The dedupe and derive steps after the failed clean step have no known input, so they are not planned.
        assertThat(errors).extracting(SpecError::path).containsExactly("expectations[0].columns", "steps[0].columns.agee");
        assertThat(errors.get(0).message()).contains("column 'clas' does not exist in 'applications'").contains("class");
        assertThat(errors.get(1).message()).contains("column 'agee' does not exist in 'applications'");
    }

    @Test
    void independentBranches_eachReportTheirOwnErrors() {
        PipelineHarness harness = new PipelineHarness(directory);
        harness.copy(CSV, "credit-g.csv");

        List<SpecError> errors = harness.service.validate("""
                pipeline: credit
                sources:
                  - {name: first, type: csv, path: credit-g.csv}
                  - {name: second, type: csv, path: credit-g.csv}
                steps:
                  - {name: unique_first, type: dedupe, input: first, keys: [credit_ammount]}
                  - name: features
                    type: derive
                    input: second
                    columns:
                      young: "(age < 25)::INTEGER"
                      ratio: "credit_amount / durration"
                  - {name: summary, type: sql, inputs: [features], query: "SELECT purpose, avg(ratio) AS ratio FROM features GROUP BY purpos"}
                expectations:
                  - {dataset: unique_first, rule: unique, column: checking_status, action: warn}
                outputs:
                  - {dataset: first-out, from: unique_first}
                  - {dataset: second-out, from: summary}
                """);

        assertThat(errors).extracting(SpecError::path).containsExactly("steps[0].keys", "steps[1].columns.ratio");
        assertThat(errors.get(0).message()).contains("'credit_ammount' does not exist in 'first'");
        assertThat(errors.get(1).message()).contains("derive step 'features' failed").contains("durration");
    }

    @Test
    void matchMergeFuzzyDedupeAndDeriveKeep_nameColumnsThatMustExist() {
        PipelineHarness harness = new PipelineHarness(directory);
        harness.write("crm.csv", "abbreviation,name\nOH,Ohio\n");
        harness.write("erp.csv", "abbreviation,capital\nOH,Columbus\n");
        harness.write("people.csv", "name,age\nAda,36\n");

        List<SpecError> errors = harness.service.validate("""
                pipeline: checks
                sources:
                  - {name: crm, type: csv, path: crm.csv}
                  - {name: erp, type: csv, path: erp.csv}
                  - {name: people, type: csv, path: people.csv}
                  - {name: more_people, type: csv, path: people.csv}
                steps:
                  - name: golden
                    type: match-merge
                    inputs: [crm, erp]
                    keys: [abbreviation]
                    survivorship: {default: source-priority, columns: {capitol: most-complete}}
                  - name: unique_people
                    type: dedupe
                    input: people
                    fuzzy: [{column: nam, similarity: jaro-winkler, threshold: 0.9}]
                    blocking: {prefix: 2}
                  - {name: trimmed, type: derive, input: more_people, columns: {decade: "age // 10"}, keep: [name, decade, height]}
                outputs:
                  - {dataset: golden, from: golden}
                  - {dataset: unique-people, from: unique_people}
                  - {dataset: trimmed, from: trimmed}
                """);

        assertThat(errors).extracting(SpecError::path).containsExactly("steps[0].survivorship.columns.capitol",
                "steps[1].fuzzy[0].column", "steps[2].keep[2]");
    }

    @Test
    void sqlStepAndExpressionsOnKnownSchemas_areBoundSoBadColumnsAreFound() {
        PipelineHarness harness = new PipelineHarness(directory);
        harness.copy(CSV, "credit-g.csv");

        List<SpecError> errors = harness.service.validate("""
                pipeline: credit
                sources: [{name: applications, type: csv, path: credit-g.csv}]
                steps:
                  - {name: summary, type: sql, inputs: [applications], query: "SELECT purpose, avg(credit_amount) FROM applications GROUP BY purpos"}
                outputs: [{dataset: summary, from: summary}]
                """);

        assertThat(errors).singleElement().satisfies(error -> {
            assertThat(error.path()).isEqualTo("steps[0].query");
            assertThat(error.message()).contains("sql step 'summary' failed").contains("purpos");
        });
    }

    @Test
    void theDemoPipeline_isValidAndValidationLeavesNothingBehind() throws IOException {
        PipelineHarness harness = new PipelineHarness(directory);
        harness.copy(CSV, "examples/credit-g/credit-g.csv");

        List<SpecError> errors = harness.service.validate(Files.readString(Path.of("..", "examples", "pipelines", "credit-g.yaml")));

        assertThat(errors).isEmpty();
        try (Stream<Path> staged = Files.walk(harness.data.resolve("staging"))) {
            assertThat(staged.filter(path -> !path.equals(harness.data.resolve("staging")))).isEmpty();
        }
        assertThat(harness.datasets.all()).isEmpty();
        assertThat(harness.runs.history("credit-g", 10)).isEmpty();
    }

    @Test
    void parquetAndJsonLinesSources_areCheckedAgainstTheirSchemas() throws Exception {
        PipelineHarness harness = new PipelineHarness(directory);
        try (var duck = java.sql.DriverManager.getConnection("jdbc:duckdb:"); var statement = duck.createStatement()) {
            statement.execute("COPY (SELECT 'ada' AS name, 36 AS age) TO '" + harness.base.resolve("people.parquet") + "' (FORMAT parquet)");
            statement.execute("COPY (SELECT 'ada' AS name, 36 AS age) TO '" + harness.base.resolve("people.jsonl") + "'");
        }

        List<SpecError> errors = harness.service.validate("""
                pipeline: people
                sources:
                  - {name: from_parquet, type: parquet, path: people.parquet}
                  - {name: from_lines, type: jsonl, path: people.jsonl}
                steps:
                  - {name: a, type: impute, input: from_parquet, columns: {height: median}}
                  - {name: b, type: clean, input: from_lines, columns: {name: {case: upper}, age: {cast: integer, on-error: fail}}}
                outputs:
                  - {dataset: a, from: a}
                  - {dataset: b, from: b}
                """);

        assertThat(errors).extracting(SpecError::path).containsExactly("steps[0].columns.height");
        assertThat(errors.get(0).message()).contains("'height' does not exist in 'from_parquet'");
    }

    @Test
    void jdbcSource_isCheckedOnlyForItsConnectionAndWhatFollowsItIsNotPlanned() {
        PipelineHarness harness = new PipelineHarness(directory, Map.of(), base -> SourceAccess.confinedTo(base,
                List.of(new JdbcConnection("shop", "jdbc:postgresql://db.invalid:5432/shop", "reader", new ValueRef.Literal(""))), false));

        List<SpecError> errors = harness.service.validate("""
                pipeline: orders
                sources: [{name: orders, type: jdbc, connection: shop, query: "SELECT * FROM orders"}]
                steps:
                  - {name: unique_orders, type: dedupe, input: orders, keys: [order_id]}
                outputs: [{dataset: orders, from: unique_orders}]
                """);

        assertThat(errors).isEmpty();
    }
}
