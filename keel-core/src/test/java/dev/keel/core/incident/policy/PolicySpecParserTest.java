package dev.keel.core.incident.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.keel.core.alert.Severity;
import dev.keel.core.data.SpecError;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Policy specs read from YAML and JSON; every error names its path in the file. */
class PolicySpecParserTest {
    private final PolicySpecParser parser = new PolicySpecParser();

    @Test
    void parse_theDocumentedExample_readsEveryField() {
        PolicySpec spec = parser.parseOrThrow("""
                name: rollback-on-model-errors
                project: credit
                when:
                  kind: [endpoint.model_error, endpoint.fallback_used]
                  fingerprint: 9f86d081884c7d65
                  objects: {endpoint: scoring}
                  severity: warning
                  count: 5
                  within: 10m
                actions:
                  - rollback: {alias: champion}
                  - fallback: {}
                  - retry: {attempts: 3, backoff: 30s, max_backoff: 10m}
                  - pause_schedule: {}
                  - resume_schedule:
                  - stop_publish: {}
                  - raise_severity: {to: critical}
                  - notify: {channel: ops}
                  - retrain: {}
                cooldown: 30m
                max_per_hour: 4
                fingerprint: [kind, endpoint]
                """);

        assertThat(spec.name()).isEqualTo("rollback-on-model-errors");
        assertThat(spec.project()).isEqualTo("credit");
        assertThat(spec.when()).isEqualTo(new PolicySpec.When(Set.of("endpoint.model_error", "endpoint.fallback_used"),
                Optional.of("9f86d081884c7d65"), Map.of("endpoint", "scoring"), Severity.WARNING, 5, Optional.of(Duration.ofMinutes(10))));
        assertThat(spec.actions()).containsExactly(new PolicyAction.Rollback("champion"), new PolicyAction.Fallback(),
                new PolicyAction.Retry(3, Duration.ofSeconds(30), Duration.ofMinutes(10)), new PolicyAction.PauseSchedule(),
                new PolicyAction.ResumeSchedule(), new PolicyAction.StopPublish(), new PolicyAction.RaiseSeverity(Severity.CRITICAL),
                new PolicyAction.Notify("ops"), new PolicyAction.Retrain());
        assertThat(spec.cooldown()).isEqualTo(Duration.ofMinutes(30));
        assertThat(spec.maxPerHour()).isEqualTo(4);
        assertThat(spec.fingerprint()).containsExactly("kind", "endpoint");
    }

    @Test
    void parse_json_isReadLikeYaml_withDefaults() {
        PolicySpec spec = parser.parseOrThrow("{\"name\": \"p\", \"when\": {\"kind\": \"pipeline.run_failed\"}, \"actions\": [{\"retry\": {}}]}");

        assertThat(spec.project()).isEqualTo("default");
        assertThat(spec.when().count()).isEqualTo(1);
        assertThat(spec.when().within()).isEmpty();
        assertThat(spec.when().severity()).isEqualTo(Severity.INFO);
        assertThat(spec.actions()).containsExactly(new PolicyAction.Retry(3, Duration.ofSeconds(30), Duration.ofMinutes(10)));
        assertThat(spec.cooldown()).isEqualTo(Duration.ofMinutes(30));
        assertThat(spec.maxPerHour()).isEqualTo(6);
        assertThat(spec.fingerprint()).isEmpty();
    }

    @Test
    void parse_errors_nameTheirPathsInTheFile_allAtOnce() {
        var result = parser.parse("""
                name: Bad Name
                colour: blue
                when:
                  kind: [endpoint.model_error, endpoint.exploded]
                  objects: {endpoint: scoring, colour: red}
                  severity: dire
                  count: 0
                  within: soon
                  extra: 1
                actions:
                  - rollback: {alias: champion, force: true}
                  - retry: {attempts: 11, backoff: 2m, max_backoff: 1m}
                  - reboot: {}
                  - {fallback: {}, notify: {channel: ops}}
                  - raise_severity: {}
                cooldown: 90d
                max_per_hour: 0
                fingerprint: [kind, colour]
                """);

        assertThat(result.valid()).isFalse();
        assertThat(result.errors()).extracting(SpecError::path).containsExactlyInAnyOrder("name", "colour", "when.kind[1]", "when.objects.colour",
                "when.severity", "when.count", "when.within", "when.extra", "actions[0].rollback.force", "actions[1].retry.attempts",
                "actions[1].retry.max_backoff", "actions[2].reboot", "actions[3]", "actions[4].raise_severity.to", "cooldown", "max_per_hour",
                "fingerprint[1]");
        assertThat(result.errors()).filteredOn(error -> error.path().equals("when.kind[1]")).singleElement()
                .extracting(SpecError::message).asString().startsWith("'endpoint.exploded' is not a signal kind; expected one of [alert.delivery_failed");
        assertThat(result.errors()).filteredOn(error -> error.path().equals("colour")).singleElement().extracting(SpecError::message)
                .isEqualTo("unknown key 'colour'; expected one of [actions, cooldown, description, fingerprint, max_per_hour, name, project, when]");
        assertThat(result.errors()).filteredOn(error -> error.path().equals("actions[2].reboot")).singleElement().extracting(SpecError::message)
                .asString().startsWith("unknown action 'reboot'; expected one of [rollback, fallback, retry,");
    }

    @Test
    void parse_missingWhenAndActions_areNamed() {
        assertThat(parser.parse("name: p\n").errors()).extracting(SpecError::path, SpecError::message).containsExactly(
                tuple("when", "missing; expected the signals the policy acts on: {kind: ...}"),
                tuple("actions", "missing; expected a list of at least one action"));
        assertThat(parser.parse("name: p\nwhen: {kind: monitor.breached}\nactions: []\n").errors()).extracting(SpecError::path)
                .containsExactly("actions");
    }

    @Test
    void parse_hostileInput_isCappedAndRefusedWithoutThrowing() {
        assertThat(parser.parse("x".repeat(PolicySpecParser.MAX_SPEC_BYTES + 1)).errors()).extracting(SpecError::message)
                .containsExactly("the spec is longer than 65536 bytes");
        assertThat(parser.parse("name: [unclosed").errors()).singleElement().extracting(SpecError::message).asString()
                .startsWith("not valid YAML or JSON at line");
        assertThat(parser.parse("- a list\n").errors()).extracting(SpecError::path).containsExactly("");
        StringBuilder many = new StringBuilder("name: p\nwhen: {kind: monitor.breached}\nactions:\n");
        for (int i = 0; i <= PolicySpecParser.MAX_ACTIONS; i++) {
            many.append("  - notify: {channel: c").append(i).append("}\n");
        }
        assertThat(parser.parse(many.toString()).errors()).extracting(SpecError::path, SpecError::message)
                .containsExactly(tuple("actions", "expected at most 20 actions, got 21"));
    }

    @Test
    void parseOrThrow_isInvalidSpecWithAFieldErrorPerPath() {
        assertThatThrownBy(() -> parser.parseOrThrow("name: p\nwhen: {kind: monitor.breached, count: -1}\nactions: [{notify: {}}]\n"))
                .isInstanceOfSatisfying(KeelException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_SPEC);
                    assertThat(e.errors()).extracting(KeelException.FieldError::field).containsExactly("when.count", "actions[0].notify.channel");
                })
                .hasMessageStartingWith("the policy spec has 2 errors: when.count: expected a whole number >= 1");
    }

    @Test
    void retryCeiling_doublesFromBackoffUpToMaxBackoff() {
        PolicyAction.Retry retry = new PolicyAction.Retry(10, Duration.ofSeconds(30), Duration.ofMinutes(3));

        assertThat(java.util.stream.IntStream.rangeClosed(1, 6).mapToObj(retry::ceiling)).containsExactly(Duration.ofSeconds(30),
                Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ofSeconds(180), Duration.ofSeconds(180), Duration.ofSeconds(180));
    }
}
