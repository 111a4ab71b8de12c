package dev.keel.core.batch;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.keel.core.testing.ParsedOrRefused;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the scoring job spec parser (the body of {@code POST /v1/scoring-jobs}): a spec, errors, or a 4xx refusal, never
 * another exception.
 */
class ScoringJobSpecParserFuzzTest {
    private final ScoringJobSpecParser parser = new ScoringJobSpecParser();

    @FuzzTest(maxDuration = "20s")
    void parse(byte[] input) throws Exception {
        String text = new String(input, StandardCharsets.UTF_8);
        ParsedOrRefused.check(() -> parser.parse(text));
    }
}
