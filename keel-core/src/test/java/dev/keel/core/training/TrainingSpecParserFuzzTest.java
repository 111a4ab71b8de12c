package dev.keel.core.training;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.keel.core.testing.ParsedOrRefused;
import java.nio.charset.StandardCharsets;

/** Fuzzes the training spec parser (the body of the training routes): a spec, errors, or a 4xx refusal, never another exception. */
class TrainingSpecParserFuzzTest {
    private final TrainingSpecParser parser = new TrainingSpecParser();

    @FuzzTest(maxDuration = "20s")
    void parse(byte[] input) throws Exception {
        String text = new String(input, StandardCharsets.UTF_8);
        ParsedOrRefused.check(() -> parser.parse(text));
    }
}
