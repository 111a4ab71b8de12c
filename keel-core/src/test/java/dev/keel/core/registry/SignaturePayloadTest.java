package dev.keel.core.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.spi.ArtifactRef;
import dev.keel.spi.ModelSignature;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SignaturePayloadTest {
    private static final String SHA = "04eb644fa102131bbe548bd30721fc92e006e4412e8ccc17810c06d602c19f99";

    private static ModelVersion version(String model, int number, Map<String, Double> metrics, String description) {
        FeatureSpec age = new FeatureSpec("age", "integer", Optional.of(18.0), Optional.of(120.0), List.of(), true, Optional.of("years"));
        FeatureSpec city = new FeatureSpec("city", "string", Optional.empty(), Optional.empty(), List.of("Zürich", "a\"b"), false,
                Optional.empty());
        Lineage lineage = new Lineage(Optional.of("ab12"), Optional.empty(), Optional.of("git:3f2c"), Optional.empty(), Map.of("lr", "0.1"));
        return new ModelVersion(model, number, "risk", "onnx", new ArtifactRef(SHA, 2048), new ModelSignature(List.of(), List.of()),
                List.of(age, city), metrics, Map.of("team", "credit"), lineage, description, Instant.parse("2026-12-01T10:00:00Z"), "alice");
    }

    @Test
    void payload_isTheCanonicalJsonDocumentedInSecurityMd() {
        byte[] payload = SignaturePayload.of(version("churn", 3, Map.of("auc", 0.8125, "loss", 1e-7), "first"));

        // the same text as the worked example in docs/security.md, "Signed model versions"
        assertThat(new String(payload, StandardCharsets.UTF_8)).isEqualTo("{\"artifact\":{\"sha256\":\"" + SHA + "\",\"size\":2048},"
                + "\"features\":[{\"allowed\":[],\"max\":120,\"min\":18,\"name\":\"age\",\"sensitive\":true,\"type\":\"integer\"},"
                + "{\"allowed\":[\"Zürich\",\"a\\\"b\"],\"max\":null,\"min\":null,\"name\":\"city\",\"sensitive\":false,\"type\":\"string\"}],"
                + "\"format\":\"onnx\",\"lineage\":{\"codeVersion\":\"git:3f2c\",\"datasetSha256\":\"ab12\",\"datasetUri\":null,"
                + "\"parameters\":{\"lr\":\"0.1\"},\"runId\":null},\"metrics\":{\"auc\":0.8125,\"loss\":1e-7},\"model\":\"churn\","
                + "\"project\":\"risk\",\"type\":\"keel.model-version.v1\",\"version\":3}");
    }

    @Test
    void payload_namesTheVersion_andLeavesOutTagsDescriptionAndWhoCreatedIt() {
        ModelVersion base = version("churn", 3, Map.of("auc", 0.8), "first");

        assertThat(SignaturePayload.of(version("churn", 4, Map.of("auc", 0.8), "first"))).isNotEqualTo(SignaturePayload.of(base));
        assertThat(SignaturePayload.of(version("fraud", 3, Map.of("auc", 0.8), "first"))).isNotEqualTo(SignaturePayload.of(base));
        assertThat(SignaturePayload.of(version("churn", 3, Map.of("auc", 0.81), "first"))).isNotEqualTo(SignaturePayload.of(base));
        assertThat(SignaturePayload.of(version("churn", 3, Map.of("auc", 0.8), "edited"))).isEqualTo(SignaturePayload.of(base));
    }

    /** Expected forms from RFC 8785 appendix B and ECMAScript's Number.prototype.toString. */
    @ParameterizedTest
    @CsvSource({"0.0, 0", "-0.0, 0", "1.0, 1", "-1.5, -1.5", "0.1, 0.1", "100.0, 100", "1e20, 100000000000000000000",
        "1e21, 1e+21", "1.5e300, 1.5e+300", "0.000001, 0.000001", "1e-7, 1e-7", "1.2345e-7, 1.2345e-7", "123456789.125, 123456789.125",
        "4.94065645841246544e-324, 5e-324", "1.7976931348623157e308, 1.7976931348623157e+308", "9007199254740992.0, 9007199254740992",
        "333333333.3333333, 333333333.3333333", "0.30000000000000004, 0.30000000000000004"})
    void numbers_takeTheirEcmaScriptForm(double value, String expected) {
        assertThat(SignaturePayload.ecmaScript(value)).isEqualTo(expected);
    }

    @Test
    void controlCharacters_areEscapedInLowerCaseHex_andOtherTextIsKept() {
        assertThat(SignaturePayload.canonical(Map.of("b", "\u0001\n\u001f€", "a", List.of(true, 1)))).isEqualTo(
                "{\"a\":[true,1],\"b\":\"\\u0001\\n\\u001f€\"}");
        assertThatThrownBy(() -> SignaturePayload.ecmaScript(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }
}
