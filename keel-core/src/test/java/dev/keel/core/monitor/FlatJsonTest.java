package dev.keel.core.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.keel.core.json.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlatJsonTest {
    @Test
    void write_readsBackAsTheSameValuesAsJackson() {
        Map<String, Object> probability = new LinkedHashMap<>();
        probability.put("bad", 0.25f);
        probability.put("good", 0.75f);
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("age", 35);
        map.put("credit_amount", 1234.5);
        map.put("ratio", 1e-7);
        map.put("big", Long.MAX_VALUE);
        map.put("name", "quote \" backslash \\ newline \n tab \t bell \u0007 é");
        map.put("flag", true);
        map.put("missing", null);
        map.put("probability", probability);
        map.put("features", List.of(1.5f, 2, -3L, "x"));

        String text = FlatJson.write(map);

        Map<String, Object> ours = Json.read(text, new TypeReference<Map<String, Object>>() { });
        Map<String, Object> theirs = Json.read(Json.write(map), new TypeReference<Map<String, Object>>() { });
        assertThat(ours).isEqualTo(theirs);
    }

    @Test
    void write_fallsBackToJacksonForValuesItDoesNotHandle() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("nested", List.of(List.of(1, 2)));
        map.put("nan", Double.NaN);

        assertThat(FlatJson.write(map)).isEqualTo(Json.write(map));
    }
}
