package dev.keel.core.training.eval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One check of a comparison gate: its name (for example the rule's text), its outcome, a sentence that states the numbers
 * it compared, and those numbers by name.
 */
public record Check(String name, Status status, String sentence, Map<String, Double> numbers) {
    /** The outcome of a check. */
    public enum Status {
        PASSED,
        FAILED,
        /** Not applicable (for example a champion-relative rule when there is no champion); does not fail the gate. */
        SKIPPED
    }

    public Check {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(sentence, "sentence");
        numbers = Collections.unmodifiableMap(new LinkedHashMap<>(numbers));
    }

    static Check passed(String name, String sentence, Map<String, Double> numbers) {
        return new Check(name, Status.PASSED, sentence, numbers);
    }

    static Check failed(String name, String sentence, Map<String, Double> numbers) {
        return new Check(name, Status.FAILED, sentence, numbers);
    }

    static Check skipped(String name, String sentence) {
        return new Check(name, Status.SKIPPED, sentence, Map.of());
    }

    static Check of(boolean passed, String name, String sentence, Map<String, Double> numbers) {
        return passed ? passed(name, sentence, numbers) : failed(name, sentence, numbers);
    }
}
