package dev.keel.core.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.keel.core.testing.ParsedOrRefused;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Fuzzes the server configuration file: a configuration, or INVALID_CONFIG naming the key, never another exception. */
class KeelConfigFuzzTest {
    @FuzzTest(maxDuration = "20s")
    void parse(byte[] input) throws Exception {
        String yaml = new String(input, StandardCharsets.UTF_8);
        ParsedOrRefused.check(() -> KeelConfig.parse(yaml, Map.of()));
    }
}
