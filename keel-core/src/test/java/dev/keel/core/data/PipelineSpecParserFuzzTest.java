package dev.keel.core.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.keel.core.testing.ParsedOrRefused;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the pipeline spec parser, linkage specs included: every input is parsed into a spec or a list of errors, never an
 * exception. The seeds are under {@code src/test/resources/dev/keel/core/data/PipelineSpecParserFuzzTestInputs/parse/}.
 */
class PipelineSpecParserFuzzTest {
    private final PipelineSpecParser parser = new PipelineSpecParser();

    @FuzzTest(maxDuration = "20s")
    void parse(byte[] input) throws Exception {
        String yaml = new String(input, StandardCharsets.UTF_8);
        ParsedOrRefused.check(() -> parser.parse(yaml));
        ParsedOrRefused.check(() -> parser.identity(yaml));
    }
}
