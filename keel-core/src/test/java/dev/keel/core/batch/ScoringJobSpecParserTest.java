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
}
