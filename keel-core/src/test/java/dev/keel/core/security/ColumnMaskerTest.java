package dev.keel.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.spi.data.DatasetProfile;
import dev.keel.spi.data.TableData;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class ColumnMaskerTest {
    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private final ColumnMasker masker = new ColumnMasker(KEY);

    @Test
    void hash_isHmacSha256OfProjectAndValue_first16HexDigits() throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
        byte[] expected = mac.doFinal("lending\0Ketchikan".getBytes(StandardCharsets.UTF_8));
        assertThat(masker.hash("lending", "Ketchikan")).isEqualTo("h:" + java.util.HexFormat.of().formatHex(expected).substring(0, 16));
    }

    @Test
    void hash_differsByProjectAndByKey_soHashesCannotBeMatchedAcrossThem() {
        assertThat(masker.hash("lending", "jane")).isEqualTo(masker.hash("lending", "jane"))
                .isNotEqualTo(masker.hash("retail", "jane")).isNotEqualTo(masker.hash("lending", "john"));
        byte[] other = KEY.clone();
        other[0] ^= 1;
        assertThat(new ColumnMasker(other).hash("lending", "jane")).isNotEqualTo(masker.hash("lending", "jane"));
        assertThat(ColumnMasker.derivedFrom(KEY).hash("lending", "jane")).isNotEqualTo(masker.hash("lending", "jane"));
    }

    @Test
    void shortKey_isRefused() {
        assertThatThrownBy(() -> new ColumnMasker(new byte[16])).hasMessageContaining("at least 32 bytes; got 16");
    }

    @Test
    void table_masksEachSensitiveColumnAsDeclared_andLeavesTheOthers() {
        List<Object[]> rows = new ArrayList<>();
        rows.add(new Object[] {"jane@example.org", 41, "DE89 3704", "Berlin"});
        rows.add(new Object[] {null, null, null, "Bonn"});
        TableData table = new TableData(List.of("email", "age", "iban", "city"), List.of("string", "integer", "string", "string"), rows);
        SensitiveColumns sensitive = new SensitiveColumns(Map.of("email", Masking.HASH, "age", Masking.REDACT, "iban", Masking.NULL));
        TableData masked = masker.table("p", table, sensitive);
        assertThat(masked.types()).containsExactly("string", "string", "string", "string");
        assertThat(Arrays.asList(masked.rows().get(0))).containsExactly(masker.hash("p", "jane@example.org"), "***", null, "Berlin");
        assertThat(Arrays.asList(masked.rows().get(1))).containsExactly(null, null, null, "Bonn");
        assertThat(masker.table("p", table, SensitiveColumns.none())).isSameAs(table);
    }

    @Test
    void record_keepsOrder_andMasksOnlySensitiveFeatures() {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("duration", 12);
        record.put("age", 47);
        Map<String, Object> masked = masker.record("p", record, new SensitiveColumns(Map.of("age", Masking.REDACT)));
        assertThat(masked).containsExactly(Map.entry("duration", 12), Map.entry("age", "***"));
    }

    @Test
    void profile_dropsValueStatisticsOfSensitiveColumns_hashesTopValuesOnlyForHash() {
        DatasetProfile.ColumnProfile city = new DatasetProfile.ColumnProfile("city", "string", 3, 0, 2, Optional.of("Berlin"),
                Optional.of("Bonn"), Optional.empty(), List.of(), List.of(), List.of(new DatasetProfile.ValueCount("Bonn", 2)));
        DatasetProfile.ColumnProfile age = new DatasetProfile.ColumnProfile("age", "integer", 3, 0, 3, Optional.of("19"), Optional.of("67"),
                Optional.of(41.0), List.of(19.0, 20.0, 30.0, 41.0, 50.0, 60.0, 67.0), List.of(new DatasetProfile.Bin(19, 67, 3)),
                List.of(new DatasetProfile.ValueCount("19", 1)));
        DatasetProfile profile = new DatasetProfile(3, List.of(city, age));
        DatasetProfile masked = masker.profile("p", profile, new SensitiveColumns(Map.of("city", Masking.HASH, "age", Masking.REDACT)));
        DatasetProfile.ColumnProfile shownCity = masked.column("city").orElseThrow();
        assertThat(shownCity.min()).isEmpty();
        assertThat(shownCity.max()).isEmpty();
        assertThat(shownCity.topValues()).containsExactly(new DatasetProfile.ValueCount(masker.hash("p", "Bonn"), 2));
        DatasetProfile.ColumnProfile shownAge = masked.column("age").orElseThrow();
        assertThat(shownAge.mean()).isEmpty();
        assertThat(shownAge.quantiles()).isEmpty();
        assertThat(shownAge.histogram()).isEmpty();
        assertThat(shownAge.topValues()).isEmpty();
        assertThat(shownAge.count()).isEqualTo(3);
        assertThat(shownAge.distinct()).isEqualTo(3);
    }

    @Test
    void masking_parsesWireNames_caseInsensitive_andOrdersByStrictness() {
        assertThat(Masking.parse("HASH")).contains(Masking.HASH);
        assertThat(Masking.parse("encrypt")).isEmpty();
        assertThat(Masking.HASH.strictest(Masking.NULL)).isEqualTo(Masking.NULL);
        assertThat(Masking.REDACT.strictest(Masking.HASH)).isEqualTo(Masking.REDACT);
    }
}
