package dev.keel.core.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.alert.Severity;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a fingerprint ignores (ids, numbers, paths, times) and what it keeps (the kind of failure and its wording). */
class FingerprintsTest {
    private static Signal failed(String message) {
        return new Signal("pipeline.run_failed", "pipelines", "pipeline", "fraud", Severity.CRITICAL, message, Map.of("pipeline", "orders"),
                Instant.EPOCH);
    }

    @Test
    void normalise_stripsWhatVariesBetweenOccurrences() {
        assertThat(Fingerprints.normalise("source 'orders' (/srv/data/2026-12-04/orders.csv) not found at 2026-12-04T03:00:00Z"))
                .isEqualTo("source <value> (<path>) not found at <time>");
        assertThat(Fingerprints.normalise("run run-3f2a9c01 failed after 3 attempts, 12.5 s"))
                .isEqualTo("run <id> failed after <n> attempts, <n> s");
        assertThat(Fingerprints.normalise("request 5e2b1f0c-8a9d-4c1e-9f3b-2a7c6d5e4f10 timed out after 250ms"))
                .isEqualTo("request <uuid> timed out after <n>ms");
        assertThat(Fingerprints.normalise("GET https://api.example.com/v1/rates?day=3 answered 503"))
                .isEqualTo("get <url> answered <n>");
        assertThat(Fingerprints.normalise("sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 mismatch"))
                .isEqualTo("sha256 <hex> mismatch");
    }

    @Test
    void occurrencesThatDifferOnlyInIdsShareAFingerprint_differentCausesDoNot() {
        String first = Fingerprints.of(failed("source 'orders' (/srv/in/day1.csv) not found"));
        String second = Fingerprints.of(failed("source 'orders' (/srv/in/day2.csv) not found"));
        String other = Fingerprints.of(failed("step 'clean': column price does not exist"));

        assertThat(first).isEqualTo(second).hasSize(16).matches("[0-9a-f]{16}");
        assertThat(other).isNotEqualTo(first);
    }

    @Test
    void theKindIsPartOfTheFingerprint() {
        Signal retried = new Signal("pipeline.run_retried", "pipelines", "pipeline", "fraud", Severity.WARNING, "x not found", Map.of(),
                Instant.EPOCH);
        assertThat(Fingerprints.of(retried)).isNotEqualTo(Fingerprints.of(failed("x not found")));
    }

    @Test
    void hostileMessagesAreCut() {
        String huge = "a".repeat(1_000_000);
        assertThat(Fingerprints.normalise(huge)).hasSize(Fingerprints.MAX_CAUSE);
        assertThat(failed(huge).message()).hasSizeLessThanOrEqualTo(Signal.MAX_MESSAGE + 1);
    }

    @Test
    void maskedNumbers_mergeOnlyMessagesThatNormaliseAlike() {
        String[][] alike = {
            {"request 12345 failed after 250ms", "request 99999 failed after 131ms"},
            {"at 2026-12-04 03:00:00", "at 2025-01-31 23:59:59"},
            {"run-3f2a9c01 failed", "run-4f2a9c01 failed"},
            {"value -5 out of [0, 10]", "value -7 out of [0, 12]"},
        };
        for (String[] pair : alike) {
            assertThat(Fingerprints.maskNumbers(pair[0])).isEqualTo(Fingerprints.maskNumbers(pair[1]));
            assertThat(Fingerprints.normalise(pair[0])).isEqualTo(Fingerprints.normalise(pair[1]));
        }
        assertThat(Fingerprints.maskNumbers("sha256 mismatch")).isEqualTo("sha256 mismatch").isNotEqualTo(Fingerprints.maskNumbers("sha512 mismatch"));
        assertThat(Fingerprints.maskNumbers("col_1 missing")).isEqualTo("col_1 missing");
        assertThat(Fingerprints.maskNumbers("at 2026-12-04")).isNotEqualTo(Fingerprints.maskNumbers("at 2026-1-04"));
        assertThat(Fingerprints.normalise("at 2026-12-04")).isNotEqualTo(Fingerprints.normalise("at 2026-1-04"));
        // conservative: a digit after a letter is kept, so equal timestamps written with 'T' are two keys (one fingerprint)
        assertThat(Fingerprints.maskNumbers("at 2026-12-04T03:00:00Z")).isNotEqualTo(Fingerprints.maskNumbers("at 2025-01-31T23:59:59Z"));
        String plain = "no digits here";
        assertThat(Fingerprints.maskNumbers(plain)).isSameAs(plain);
    }
}
