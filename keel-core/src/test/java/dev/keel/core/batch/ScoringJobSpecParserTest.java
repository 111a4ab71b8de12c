package dev.keel.core.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.data.SpecError;
import dev.keel.core.error.KeelException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ScoringJobSpecParserTest {
    private static final String VALID = """
            name: credit-nightly
            project: risk
            model: {name: credit, alias: champion}
            input: {dataset: applicants, version: 3}
            keys: [applicant_id]
            outputs: {probabilities: true, classes: [good, bad], label: true, named: [score]}
            destination: {kind: postgres, connection: reports, table: credit_scores, mode: upsert}
            chunk_size: 500
            """;

    private final ScoringJobSpecParser parser = new ScoringJobSpecParser();

    private List<String> errors(String text) {
        return parser.parse(text).errors().stream().map(SpecError::toString).toList();
    }

    @Test
    void parse_readsEveryKey() {
        ScoringJobSpec spec = parser.parseOrThrow(VALID);

        assertThat(spec.name()).isEqualTo("credit-nightly");
        assertThat(spec.project()).isEqualTo("risk");
        assertThat(spec.model()).isEqualTo(new ScoringJobSpec.ModelRef("credit", Optional.of("champion"), 0));
        assertThat(spec.input()).isEqualTo(new ScoringJobSpec.DatasetInput("applicants", 3));
        assertThat(spec.keys()).containsExactly("applicant_id");
        assertThat(spec.outputs()).isEqualTo(new ScoringJobSpec.Outputs(true, List.of("good", "bad"), true, List.of("score")));
        assertThat(spec.destination()).isEqualTo(new ScoringJobSpec.TableDestination(ScoringJobSpec.DestinationKind.POSTGRES, "reports",
                "credit_scores", ScoringJobSpec.Mode.UPSERT));
        assertThat(spec.chunkSize()).isEqualTo(500);
    }

    @Test
    void parse_json_withVersionAndDefaults() {
        ScoringJobSpec spec = parser.parseOrThrow("""
                {"name": "j", "model": {"name": "m", "version": 2}, "input": {"dataset": "d", "version": "latest"},
                 "outputs": {"label": true}, "destination": {"kind": "sqlite", "connection": "keel", "table": "t"}}
                """);

        assertThat(spec.project()).isEqualTo("default");
        assertThat(spec.model()).isEqualTo(new ScoringJobSpec.ModelRef("m", Optional.empty(), 2));
        assertThat(((ScoringJobSpec.DatasetInput) spec.input()).version()).isZero();
        assertThat(spec.destination().mode()).isEqualTo(ScoringJobSpec.Mode.APPEND);
        assertThat(spec.chunkSize()).isEqualTo(ScoringJobSpecParser.DEFAULT_CHUNK_SIZE);
    }

    @Test
    void parse_errorsNameTheirPaths() {
        List<String> errors = errors("""
                name: Bad Name
                model: {name: credit, alias: champion, version: 2}
                input: {dataset: applicants, version: 0, where: x}
                keys: [id, id, "drop table"]
                outputs: {probabilities: yes please, named: [label]}
                destination: {kind: sqlite, connection: reports, table: "t; drop", mode: merge}
                quarantine: "x y"
                chunk_size: 1000001
                colour: blue
                """);

        assertThat(errors).contains(
                "name: 'Bad Name' is not a valid name; use 1-63 lower-case letters, digits, '_' or '-', starting with a letter",
                "model: expected exactly one of alias or version",
                "input.where: unknown key 'where'; expected one of [dataset, version]",
                "input.version: expected latest or a version number >= 1, got '0'",
                "keys[1]: key column 'id' is listed twice",
                "outputs.probabilities: expected true or false, got 'yes please'",
                "destination.mode: 'merge' is not a mode; expected append, replace or upsert",
                "chunk_size: expected at most 100000, got 1000001",
                "colour: unknown key 'colour'; expected one of [after, carry, chunk_size, description, destination, incremental, input, keys,"
                        + " model, name, outputs, project, quarantine, retries, retry_delay, schedule, sensitive]");
        assertThat(errors).anyMatch(error -> error.startsWith("keys[2]: expected a key column"));
        assertThat(errors).anyMatch(error -> error.startsWith("outputs.named[0]: output 'label' would collide"));
        assertThat(errors).anyMatch(error -> error.startsWith("quarantine: 'x y' is not a table name"));
        assertThat(errors).anyMatch(error -> error.startsWith("destination.table: 't; drop' is not a table name"));
    }

    @Test
    void parse_missingSectionsAreNamed() {
        assertThat(errors("name: j\n")).containsExactly(
                "model: missing; expected {name: MODEL, alias: champion} or {name: MODEL, version: N}",
                "input: missing; expected {dataset: NAME, version: latest}, {connection: NAME, table: TABLE} or {files: PATH}",
                "outputs: missing; expected {probabilities: true, label: true, named: [OUTPUT]}",
                "destination: missing; expected {kind: sqlite|postgres, connection: NAME, table: TABLE, mode: append|replace|upsert},"
                        + " {kind: parquet, path: DIR} or {kind: dataset, dataset: NAME}");
    }

    @Test
    void parse_upsertWithoutKeys_isRefused() {
        assertThat(errors(VALID.replace("keys: [applicant_id]\n", "")))
                .containsExactly("keys: missing; upsert mode needs the key columns that identify a row");
    }

    @Test
    void parse_capsListsBeforeReadingThem() {
        String keys = "keys: [" + String.join(", ", java.util.Collections.nCopies(17, "k")) + "]\n";
        assertThat(errors(VALID.replace("keys: [applicant_id]\n", keys))).contains("keys: expected at most 16 entries, got 17");
        assertThat(errors("x".repeat(ScoringJobSpecParser.MAX_SPEC_BYTES + 1)))
                .containsExactly("(spec): the spec is longer than 65536 bytes");
        assertThat(errors("[1, 2]")).containsExactly("(spec): expected a mapping with name, model, input, outputs and destination");
        assertThat(errors("name: [")).singleElement().asString().startsWith("(spec): not valid YAML or JSON at line");
    }

    @Test
    void parseOrThrow_carriesOneFieldErrorPerPath() {
        assertThatThrownBy(() -> parser.parseOrThrow(VALID.replace("mode: upsert", "mode: merge")))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.errors()).extracting(KeelException.FieldError::field)
                        .containsExactly("destination.mode"))
                .hasMessageStartingWith("the scoring job spec has 1 error: destination.mode: 'merge' is not a mode");
    }

    private static final String BASE = """
            name: j
            model: {name: credit, alias: champion}
            keys: [id]
            outputs: {label: true}
            """;

    @Test
    void parse_databaseAndFileInputs() {
        ScoringJobSpec database = parser.parseOrThrow(BASE + """
                input: {connection: crm, query: "SELECT * FROM applicants WHERE active", order_by: [id]}
                destination: {kind: sqlite, connection: keel, table: t}
                """);
        assertThat(database.input()).isEqualTo(new ScoringJobSpec.DatabaseInput("crm", Optional.empty(),
                Optional.of("SELECT * FROM applicants WHERE active"), List.of("id")));
        assertThat(database.input().label()).isEqualTo("the query of connection 'crm'");

        ScoringJobSpec table = parser.parseOrThrow(BASE + """
                input: {connection: crm, table: sales.applicants}
                destination: {kind: sqlite, connection: keel, table: t}
                """);
        assertThat(table.input()).isEqualTo(new ScoringJobSpec.DatabaseInput("crm", Optional.of("sales.applicants"), Optional.empty(), List.of()));

        ScoringJobSpec files = parser.parseOrThrow(BASE + """
                input: {files: "incoming/*.csv"}
                destination: {kind: sqlite, connection: keel, table: t}
                """);
        assertThat(files.input()).isEqualTo(new ScoringJobSpec.FileInput("incoming/*.csv", ScoringJobSpec.FileFormat.CSV));

        assertThat(errors(BASE.replace("keys: [id]\n", "") + """
                input: {connection: crm, table: "a; drop table b"}
                destination: {kind: sqlite, connection: keel, table: t}
                """)).containsExactly("input.table: 'a; drop table b' is not a table name; expected an identifier or schema.table of letters, digits"
                + " or '_'", "input.order_by: missing; a database input needs columns that give its rows a fixed order (order_by, or keys)");
        assertThat(errors(BASE + """
                input: {connection: crm, table: a, query: "SELECT 1"}
                destination: {kind: sqlite, connection: keel, table: t}
                """)).containsExactly("input: expected exactly one of table or query");
        assertThat(errors(BASE + """
                input: {dataset: d, files: x.parquet}
                destination: {kind: sqlite, connection: keel, table: t}
                """)).containsExactly("input: expected exactly one of dataset, connection or files");
        assertThat(errors(BASE + """
                input: {files: x.txt, format: excel}
                destination: {kind: sqlite, connection: keel, table: t}
                """)).containsExactly("input.format: 'excel' is not a file format; expected parquet or csv");
    }

    @Test
    void parse_parquetAndDatasetDestinations() {
        ScoringJobSpec parquet = parser.parseOrThrow(BASE + """
                input: {dataset: d}
                destination: {kind: parquet, path: scores/credit, partition_by: [label], mode: replace}
                """);
        assertThat(parquet.destination()).isEqualTo(new ScoringJobSpec.ParquetDestination("scores/credit", List.of("label"),
                ScoringJobSpec.Mode.REPLACE));
        ScoringJobSpec dataset = parser.parseOrThrow(BASE + """
                input: {dataset: d}
                destination: {kind: dataset, dataset: credit-scores, mode: upsert}
                """);
        assertThat(dataset.destination()).isEqualTo(new ScoringJobSpec.DatasetDestination("credit-scores", ScoringJobSpec.Mode.UPSERT));

        assertThat(errors(BASE + """
                input: {dataset: d}
                destination: {kind: parquet, path: ../../etc, mode: upsert}
                """)).containsExactly("destination.path: '../../etc' is not a relative directory; expected up to 8 segments of letters, digits, '_',"
                + " '.' or '-' (no '..', no leading '/'), resolved under batch.output-root",
                "destination.mode: a Parquet destination is written in append or replace mode; upsert needs a table or a dataset");
        assertThat(errors(BASE + """
                input: {dataset: d}
                destination: {kind: parquet, path: /abs}
                """)).singleElement().asString().startsWith("destination.path: '/abs' is not a relative directory");
        assertThat(errors(BASE + """
                input: {dataset: d}
                destination: {kind: s3, path: x}
                """)).containsExactly("destination.kind: 's3' is not a destination kind; expected sqlite, postgres, parquet or dataset");
    }

    @Test
    void parse_incrementalCarrySensitiveAndOperations() {
        ScoringJobSpec spec = parser.parseOrThrow(BASE + """
                input: {connection: crm, table: applicants}
                carry: [region, ssn]
                sensitive: [ssn]
                incremental: {watermark: updated_at, rescore_on_model_change: false}
                quarantine: rejected_rows
                schedule: "0 2 * * *"
                after: applicants
                retries: 3
                retry_delay: 10s
                destination: {kind: sqlite, connection: keel, table: t}
                """);
        assertThat(spec.carry()).containsExactly("region", "ssn");
        assertThat(spec.copiedColumns()).containsExactly("id", "region", "ssn");
        assertThat(spec.sensitive()).containsExactly("ssn");
        assertThat(spec.incremental()).contains(new ScoringJobSpec.Incremental(Optional.of("updated_at"), false, false));
        assertThat(spec.quarantine()).contains("rejected_rows");
        assertThat(spec.operations()).isEqualTo(new ScoringJobSpec.Operations(Optional.of("0 2 * * *"), Optional.of("applicants"), 3,
                java.time.Duration.ofSeconds(10)));

        assertThat(parser.parseOrThrow(BASE + """
                input: {dataset: d}
                incremental: {changes: true}
                destination: {kind: sqlite, connection: keel, table: t}
                """).incremental()).contains(new ScoringJobSpec.Incremental(Optional.empty(), true, true));

        assertThat(errors(BASE + """
                input: {files: x.parquet}
                carry: [id, label]
                sensitive: [ssn]
                incremental: {changes: true}
                schedule: "every day"
                retries: 11
                destination: {kind: sqlite, connection: keel, table: t}
                """)).contains("carry[0]: column 'id' is a key already; keys are always copied",
                "carry[1]: column 'label' collides with an output column; rename it in the input",
                "sensitive[0]: column 'ssn' is neither a key nor carried; sensitive lists the sensitive columns the job may copy",
                "incremental.changes: changes compares dataset versions; for a database or file input use a watermark column",
                "retries: expected at most 10, got 11")
                .anyMatch(error -> error.startsWith("schedule: 'every day' is not a cron expression"));
        assertThat(errors(BASE + """
                input: {dataset: d}
                incremental: {watermark: t, changes: true}
                destination: {kind: sqlite, connection: keel, table: t}
                """)).containsExactly("incremental: expected exactly one of watermark: COLUMN or changes: true");
    }
}
