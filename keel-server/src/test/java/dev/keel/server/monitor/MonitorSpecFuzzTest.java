package dev.keel.server.monitor;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.keel.core.monitor.MonitorSpec;
import dev.keel.core.testing.ParsedOrRefused;
import dev.keel.server.Call;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes monitor specs: the body of {@code POST /v1/monitors} bound as the server binds it, and each entry of a monitors YAML
 * file as {@code keel monitor apply} sends it (a list, or {@code monitors: [...]}); a spec, or a 4xx refusal naming the field.
 */
class MonitorSpecFuzzTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @FuzzTest(maxDuration = "20s")
    void monitor(byte[] input) throws Exception {
        ParsedOrRefused.check(() -> Call.bind(Call.jsonObject(input), MonitorSpec.class));
        JsonNode tree;
        try {
            tree = YAML.readTree(new String(input, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            return; // the CLI reports the file as not YAML before anything reaches the server
        }
        JsonNode list = tree != null && tree.isObject() && tree.has("monitors") ? tree.get("monitors") : tree;
        if (list == null || !list.isArray()) {
            return;
        }
        for (JsonNode spec : list) {
            ParsedOrRefused.check(() -> Call.bind(spec, MonitorSpec.class));
        }
    }
}
