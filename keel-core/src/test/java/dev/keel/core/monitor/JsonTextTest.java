package dev.keel.core.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTextTest {
    @Test
    void readsAsTheMapItsTextHolds_andARecordKeepsItAsText() {
        JsonText text = new JsonText("{\"probability\":{\"good\":0.25,\"bad\":0.75},\"label\":\"bad\"}");
        Map<String, Object> same = new LinkedHashMap<>();
        same.put("probability", Map.of("good", 0.25, "bad", 0.75));
        same.put("label", "bad");

        assertThat(text).isEqualTo(same).containsOnlyKeys("probability", "label");
        assertThat(text.get("label")).isEqualTo("bad");
        assertThat(text.hashCode()).isEqualTo(same.hashCode());
        assertThatThrownBy(() -> text.put("label", "good")).isInstanceOf(UnsupportedOperationException.class);
        PredictionRecord record = new PredictionRecord("r1", "credit", "credit", 1, Instant.EPOCH, 1.0, Map.of(), text, false, false);
        assertThat(record.outputs()).isSameAs(text);
        assertThat(FlatJson.write(record.outputs())).isEqualTo(text.json());
    }
}
