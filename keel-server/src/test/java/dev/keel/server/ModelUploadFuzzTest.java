package dev.keel.server;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.keel.core.testing.ParsedOrRefused;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes what Keel itself parses of a model upload: the version metadata, sent as the multipart part {@code metadata} or the
 * {@code X-Keel-Metadata} header; metadata, or a 4xx refusal naming the field.
 */
class ModelUploadFuzzTest {
    @FuzzTest(maxDuration = "20s")
    void metadata(byte[] input) throws Exception {
        ParsedOrRefused.check(() -> ModelRoutes.parseMetadata(new String(input, StandardCharsets.UTF_8)));
    }
}
