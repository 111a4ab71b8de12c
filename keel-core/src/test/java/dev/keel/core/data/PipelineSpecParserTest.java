package dev.keel.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.spi.data.Expectation;
import dev.keel.spi.data.SourceSpec;
import dev.keel.spi.data.StepSpec;
import dev.keel.spi.data.ValueRef;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PipelineSpecParserTest {
    private final PipelineSpecParser parser = new PipelineSpecParser();

    private static final String VALID = """
            pipeline: customers
            schedule: "0 3 * * *"
            retry: {max-attempts: 4, initial-backoff: 2s}
            sources:
              - name: crm
                type: csv
                path: data/crm-*.csv
                delimiter: ";"
              - name: shop
                type: jdbc
                url: jdbc:postgresql://127.0.0.1:5432/shop
                user: reader
                password: {env: SHOP_PASSWORD}
                query: select * from customers
            steps:
              - name: crm_clean
                type: clean
                input: crm
                columns:
                  email: {trim: true, case: lower, empty-as-null: true}
                  born: {cast: date, format: "%d.%m.%Y", on-error: quarantine}
              - name: golden
                type: match-merge
                inputs: [crm_clean, shop]
                keys: [email]
                survivorship: {default: most-recent, recency-column: updated_at, priority: [shop, crm_clean]}
            expectations:
              - dataset: crm_clean
                rule: not-null
                column: email
                action: quarantine
              - dataset: golden
                rule: freshness
                column: updated_at
                max-age: 2d
                action: warn
            outputs:
              - dataset: customers-golden
                from: golden
            """;

    @Test
    void parse_validSpec_buildsThePlan() {
        PipelineSpecParser.Result result = parser.parse(VALID);

        assertThat(result.errors()).isEmpty();
        PipelineSpec spec = result.spec().orElseThrow();
        assertThat(spec.name()).isEqualTo("customers");
        assertThat(spec.schedules()).extracting(CronExpression::text).containsExactly("0 3 * * *");
        assertThat(spec.retry().maxAttempts()).isEqualTo(4);
        assertThat(spec.retry().backoff(2)).isEqualTo(Duration.ofSeconds(4));
        assertThat(spec.plan().quarantineDataset()).isEqualTo("customers-quarantine");
        SourceSpec.Jdbc shop = (SourceSpec.Jdbc) spec.plan().sources().get(1);
        assertThat(shop.password()).isEqualTo(new ValueRef.Env("SHOP_PASSWORD"));
        StepSpec.Clean clean = (StepSpec.Clean) spec.plan().steps().get(0);
        assertThat(clean.columns().get(1).onError()).isEqualTo(StepSpec.OnCastError.QUARANTINE);
        StepSpec.MatchMerge merge = (StepSpec.MatchMerge) spec.plan().steps().get(1);
        assertThat(merge.survivorship().defaultRule()).isEqualTo(StepSpec.SurvivorRule.MOST_RECENT);
        assertThat(spec.plan().expectations().get(1).rule()).isEqualTo(new Expectation.Freshness("updated_at", Duration.ofDays(2)));
    }

    @Test
    void parse_badSpec_namesEveryErrorWithItsPath() {
        String yaml = """
                pipeline: Bad Name
                schedul: daily
                schedule: "61 * * * *"
                sources:
                  - name: raw
                    type: csv
                  - name: db
                    type: jdbc
                    url: jdbc:postgresql://x/y
                    password: hunter2
                    query: select 1
                  - name: api
                    type: ftp
                steps:
                  - name: cleaned
                    type: clean
                    input: raw
                    columns:
                      age: {cast: integr, on-error: quarantine}
                      income: {cast: double}
                  - name: unique
                    type: dedupe
                    input: missing
                    fuzzy: [{column: name, threshold: 1.5}]
                expectations:
                  - dataset: cleaned
                    rule: row-count
                    min: 10
                    action: quarantine
                  - dataset: nowhere
                    rule: regex
                    column: zip
                    pattern: "[0-9"
                    action: warn
                outputs:
                  - dataset: out
                    from: cleaned
                """;

        List<SpecError> errors = parser.parse(yaml).errors();

        assertThat(errors).extracting(SpecError::path).contains(
                "pipeline", "schedul", "schedule", "sources[0].path", "sources[1].password", "sources[2].type",
                "steps[0].columns.age.cast", "steps[0].columns.income.on-error", "steps[1].input", "steps[1].fuzzy[0].threshold",
                "steps[1].blocking", "expectations[0].action", "expectations[1].dataset", "expectations[1].pattern")
                .doesNotContain("quarantine");
        assertThat(errors).filteredOn(error -> error.path().equals("sources[1].password"))
                .extracting(SpecError::message).singleElement().asString().contains("{env: VARIABLE}");
        assertThat(errors).filteredOn(error -> error.path().equals("steps[0].columns.age.cast"))
                .extracting(SpecError::message).singleElement().asString().contains("integr").contains("integer");
    }

    @Test
    void parse_relationReadTwiceOrNever_isRejectedSoRowsBalance() {
        String yaml = """
                pipeline: p
                sources:
                  - {name: a, type: csv, path: a.csv}
                  - {name: b, type: csv, path: b.csv}
                steps:
                  - {name: x, type: derive, input: a, columns: {one: "1"}}
                  - {name: y, type: derive, input: a, columns: {two: "2"}}
                outputs:
                  - {dataset: out-x, from: x}
                  - {dataset: out-y, from: y}
                """;

        List<SpecError> errors = parser.parse(yaml).errors();

        assertThat(errors).extracting(SpecError::path).containsExactlyInAnyOrder("steps[1].input", "sources[1]");
        assertThat(errors.get(0).toString() + errors.get(1)).contains("read twice").contains("never read");
    }

    @Test
    void parse_credentialsInUrlOrSensitiveHeader_areRejected() {
        String yaml = """
                pipeline: p
                sources:
                  - name: api
                    type: http
                    url: https://user:secret@example.org/items
                    headers: {Authorization: "Bearer abc", Accept-Language: en}
                    paging: {type: next-link}
                outputs:
                  - {dataset: items, from: api}
                """;

        List<SpecError> errors = parser.parse(yaml).errors();

        assertThat(errors).extracting(SpecError::path)
                .containsExactlyInAnyOrder("sources[0].url", "sources[0].headers.Authorization", "sources[0].paging.pointer");
    }

    @Test
    void parse_notYaml_reportsLine() {
        assertThat(parser.parse("pipeline: [unclosed\nsources: x").errors()).singleElement()
                .extracting(SpecError::message).asString().contains("not valid YAML").contains("line");
    }

    @Test
    void parseOrThrow_invalidSpec_throwsInvalidSpecWithFieldErrors() {
        assertThatThrownBy(() -> parser.parseOrThrow("pipeline: p\n"))
                .isInstanceOfSatisfying(KeelException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_SPEC);
                    assertThat(e.errors()).extracting(KeelException.FieldError::field).containsExactly("sources", "outputs");
                });
    }

    @Test
    void parse_jdbcByConnectionName_leavesUrlAndCredentialsToTheConnection() {
        PipelineSpec spec = parser.parseOrThrow("""
                pipeline: orders
                sources:
                  - {name: orders, type: jdbc, connection: shop, query: select * from orders}
                outputs:
                  - dataset: orders
                    from: orders
                    table: {connection: warehouse, table: orders_copy}
                """);

        SourceSpec.Jdbc orders = (SourceSpec.Jdbc) spec.plan().sources().get(0);
        assertThat(orders.connection()).isEqualTo("shop");
        assertThat(orders.url()).isEmpty();
        assertThat(spec.plan().outputs().get(0).table().orElseThrow().connection()).isEqualTo("warehouse");
    }

    @Test
    void parse_jdbcWithConnectionAndCredentials_namesTheExtraKeys() {
        PipelineSpecParser.Result result = parser.parse("""
                pipeline: orders
                sources:
                  - {name: orders, type: jdbc, connection: shop, url: "jdbc:postgresql://x/y", user: me, query: select 1}
                  - {name: more, type: jdbc, query: select 1}
                outputs:
                  - {dataset: orders, from: orders}
                  - {dataset: more, from: more}
                """);

        assertThat(result.errors()).extracting(SpecError::path).containsExactly("sources[0].url", "sources[0].user",
                "sources[1].connection");
    }

    @Test
    void slowAfterAndQuarantineLimit_areReadPerSourceAndPerSpec() {
        PipelineSpec spec = parser.parseOrThrow("""
                pipeline: scores
                quarantine-limit: 0.05
                sources:
                  - {name: scores, type: http, url: 'https://api.example.com/scores', slow-after: 750ms}
                  - {name: extra, type: csv, path: extra.csv}
                outputs: [{dataset: scores, from: scores}, {dataset: extra, from: extra}]
                """);

        assertThat(spec.slowAfter()).containsExactly(java.util.Map.entry("scores", Duration.ofMillis(750)));
        assertThat(spec.quarantineLimit()).hasValue(0.05);
        assertThat(parser.parseOrThrow(VALID).quarantineLimit()).isEmpty();
        assertThat(parser.parseOrThrow(VALID).slowAfter()).isEmpty();
    }

    @Test
    void slowAfterAndQuarantineLimit_outOfRange_areErrorsNamingTheirPaths() {
        List<SpecError> errors = parser.parse("""
                pipeline: scores
                quarantine-limit: 1.5
                sources:
                  - {name: scores, type: csv, path: scores.csv, slow-after: 0s}
                  - {name: other, type: csv, path: other.csv, slow-after: soon}
                outputs: [{dataset: scores, from: scores}, {dataset: other, from: other}]
                """).errors();

        assertThat(errors).extracting(SpecError::path).containsExactlyInAnyOrder("quarantine-limit", "sources[0].slow-after",
                "sources[1].slow-after");
        assertThat(errors).filteredOn(error -> error.path().equals("quarantine-limit")).singleElement().extracting(SpecError::message)
                .asString().contains("between 0 and 1", "1.5");
        assertThat(parser.parse("pipeline: p\nquarantine-limit: lots\nsources: [{name: a, type: csv, path: a.csv}]\n"
                + "outputs: [{dataset: p, from: a}]\n").errors()).extracting(SpecError::path).containsExactly("quarantine-limit");
    }

    @Test
    void parse_durationPastALong_isAnErrorAtItsPathNotNumberFormatException() {
        // found reading the parsers beside ConfigNode.duration, which KeelConfigFuzzTest broke with a 120-digit number
        for (String backoff : new String[] {"99999999999999999999s", "9999999999999999d"}) {
            PipelineSpecParser.Result result = parser.parse(VALID.replace("initial-backoff: 2s", "initial-backoff: " + backoff));

            assertThat(result.valid()).isFalse();
            assertThat(result.errors()).anySatisfy(error -> {
                assertThat(error.path()).isEqualTo("retry.initial-backoff");
                assertThat(error.message()).contains("fits in a long count of seconds").contains(backoff.substring(0, 10));
            });
        }
    }
}
