package dev.keel.core.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.security.Masking;
import dev.keel.core.security.SensitiveColumns;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An output's {@code sensitive} columns as the parser reads them, and what the datasets published with it inherit. */
class SensitiveOutputsTest {
    private final PipelineSpecParser parser = new PipelineSpecParser();

    private static String spec(String sensitive) {
        return """
                pipeline: people
                quarantine: people-quarantine
                sources:
                  - {name: crm, type: csv, path: crm.csv}
                  - {name: shop, type: csv, path: shop.csv}
                outputs:
                  - dataset: people
                    from: crm
                    sensitive: %s
                  - {dataset: plain, from: shop}
                """.formatted(sensitive);
    }

    @Test
    void list_masksEachColumnRedacted_andTheQuarantineInheritsThem() {
        PipelineSpecParser.Result result = parser.parse(spec("[email, phone]"));
        assertThat(result.errors()).isEmpty();
        PipelineSpec parsed = result.spec().orElseThrow();
        assertThat(parsed.sensitive("people")).isEqualTo(new SensitiveColumns(Map.of("email", Masking.REDACT, "phone", Masking.REDACT)));
        assertThat(parsed.sensitive("people-quarantine")).isEqualTo(parsed.sensitive("people"));
        assertThat(parsed.sensitive("plain").isEmpty()).isTrue();
    }

    @Test
    void linkageOutput_passesItsDeclarationToItsAuditDatasets() throws Exception {
        String yaml = java.nio.file.Files.readString(java.nio.file.Path.of("..", "examples", "matching", "alaska-airports.yaml"))
                .replace("  - dataset: alaska-airports\n    from: golden", "  - dataset: alaska-airports\n    from: golden\n    sensitive: {name: hash}");
        PipelineSpecParser.Result result = parser.parse(yaml);
        assertThat(result.errors()).isEmpty();
        PipelineSpec parsed = result.spec().orElseThrow();
        SensitiveColumns declared = new SensitiveColumns(Map.of("name", Masking.HASH));
        assertThat(parsed.sensitive("alaska-airports")).isEqualTo(declared);
        assertThat(parsed.sensitive("alaska-airports-clusters")).isEqualTo(declared);
        assertThat(parsed.sensitive("alaska-airports-links")).isEqualTo(declared);
    }

    @Test
    void mapping_takesEachColumnsMasking_nullUnquotedOrQuoted() {
        PipelineSpecParser.Result result = parser.parse(spec("{email: hash, phone: redact, iban: null, born: 'null'}"));
        assertThat(result.errors()).isEmpty();
        assertThat(result.spec().orElseThrow().sensitive("people").columns()).containsExactlyInAnyOrderEntriesOf(Map.of("email",
                Masking.HASH, "phone", Masking.REDACT, "iban", Masking.NULL, "born", Masking.NULL));
    }

    @Test
    void unknownMasking_andWrongShapes_areRefusedNamingThePath() {
        assertThat(parser.parse(spec("{email: encrypt}")).errors()).extracting(SpecError::path, SpecError::message)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("outputs[0].sensitive.email", "expected hash, redact or null: how"
                        + " column 'email' is masked for callers without SENSITIVE_READ"));
        assertThat(parser.parse(spec("yes")).errors()).extracting(SpecError::path).containsExactly("outputs[0].sensitive");
        assertThat(parser.parse(spec("[email, email]")).errors()).extracting(SpecError::path).containsExactly("outputs[0].sensitive[1]");
        assertThat(parser.parse(spec("[{a: b}]")).errors()).extracting(SpecError::path).containsExactly("outputs[0].sensitive[0]");
    }

    @Test
    void runError_ofAPipelineWithSensitiveColumns_withholdsQuotedValues() {
        PipelineSpec sensitive = parser.parse(spec("[email]")).spec().orElseThrow();
        String message = "Conversion Error: Could not convert string 'jane@example.org' to INT32 in column \"email\"";
        assertThat(PipelineService.withheld(sensitive, message)).isEqualTo("Conversion Error: Could not convert string '***' to INT32"
                + " in column \"***\"");
        String plainSpec = spec("[email]").replace("    sensitive: [email]\n", "");
        PipelineSpec plain = parser.parse(plainSpec).spec().orElseThrow();
        assertThat(plain.sensitiveDatasets()).isEmpty();
        assertThat(PipelineService.withheld(plain, message)).isEqualTo(message);
    }

    @Test
    void sensitiveColumns_mergeTakesTheStricterMasking_andRetainKeepsPresentColumns() {
        SensitiveColumns first = new SensitiveColumns(Map.of("email", Masking.HASH, "phone", Masking.NULL));
        SensitiveColumns second = new SensitiveColumns(Map.of("email", Masking.REDACT, "phone", Masking.HASH));
        assertThat(first.with(second).columns()).containsExactlyInAnyOrderEntriesOf(Map.of("email", Masking.REDACT, "phone", Masking.NULL));
        assertThat(first.retain(List.of("email", "name")).columns()).containsExactly(Map.entry("email", Masking.HASH));
    }
}
