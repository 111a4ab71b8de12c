package dev.keel.core.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeatureRowTest {
    private static final FeatureRow.Names NAMES = FeatureRow.Names.of(List.of("duration", "credit_amount", "age"));

    @Test
    void isAMapOfNameToFloat_equalToTheSameEntriesInAnyMap() {
        FeatureRow row = new FeatureRow(NAMES, new float[] {24f, 3578f, 47f});
        Map<String, Object> plain = new LinkedHashMap<>();
        plain.put("duration", 24f);
        plain.put("credit_amount", 3578f);
        plain.put("age", 47f);

        assertThat(row).hasSize(3).containsExactlyEntriesOf(plain);
        assertThat(row.get("credit_amount")).isEqualTo(3578f);
        assertThat(row.get("income")).isNull();
        assertThat(row.containsKey("age")).isTrue();
        assertThat(row.containsKey("income")).isFalse();
        assertThat(row).isEqualTo(plain);
        assertThat(plain).isEqualTo(row);
        assertThat(row.hashCode()).isEqualTo(plain.hashCode());
        assertThat(row.keySet()).containsExactly("duration", "credit_amount", "age");
    }

    @Test
    void cannotBeChanged() {
        FeatureRow row = new FeatureRow(NAMES, new float[] {24f, 3578f, 47f});

        assertThatThrownBy(() -> row.put("age", 50f)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> row.entrySet().iterator().next().setValue(1f)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> row.keySet().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void names_refuseADuplicateName_andARowMustMatchTheirCount() {
        assertThat(FeatureRow.Names.of(List.of("age", "duration", "age"))).isNull();
        assertThat(NAMES.json()).isEqualTo("[\"duration\",\"credit_amount\",\"age\"]");
        assertThatThrownBy(() -> new FeatureRow(NAMES, new float[] {1f, 2f}))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("a row of 3 features has 2 values");
    }
}
