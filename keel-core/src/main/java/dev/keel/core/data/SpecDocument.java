package dev.keel.core.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What every spec parser (policies, training, scoring jobs) does before and after reading its own keys: refuse text over
 * the size cap before parsing it, read YAML (JSON is YAML too) into a mapping, collect every error with its path, and turn
 * them into one INVALID_SPEC exception with a field error per path.
 */
public final class SpecDocument {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private SpecDocument() {
    }

    /** The outcome of parsing: a spec when there were no errors, otherwise every error found. */
    public record Result<T>(Optional<T> spec, List<SpecError> errors) {
        public Result {
            Objects.requireNonNull(spec, "spec");
            errors = List.copyOf(errors);
        }

        public boolean valid() {
            return errors.isEmpty();
        }
    }

    /** Reads a spec's keys from its root mapping, adding an error for everything wrong (and a best-effort value). */
    @FunctionalInterface
    public interface Reader<T> {
        T read(SpecNode root, List<SpecError> errors);
    }

    /**
     * Parses {@code text} and reads it with {@code reader}; never throws for bad input.
     *
     * @param expected what the root mapping holds, for the error when it is something else ("a mapping with name, ...")
     */
    public static <T> Result<T> parse(String text, int maxBytes, String expected, Reader<T> reader) {
        if (text.length() > maxBytes || text.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            return failed("", "the spec is longer than " + maxBytes + " bytes");
        }
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            return failed("", "not valid YAML or JSON" + where + ": " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            return failed("", "expected " + expected);
        }
        List<SpecError> errors = new ArrayList<>();
        T spec = reader.read(new SpecNode(root, "", errors), errors);
        return errors.isEmpty() ? new Result<>(Optional.of(spec), List.of()) : new Result<>(Optional.empty(), errors);
    }

    /** The text's root mapping, without checking anything in it; empty for text over the cap, unreadable or not a mapping. */
    public static Optional<JsonNode> mapping(String text, int maxBytes) {
        if (text.length() > maxBytes || text.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            return Optional.empty();
        }
        try {
            JsonNode root = YAML.readTree(text);
            return root != null && root.isObject() ? Optional.of(root) : Optional.empty();
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    /** A result with one error. */
    public static <T> Result<T> failed(String path, String message) {
        return new Result<>(Optional.empty(), List.of(new SpecError(path, message)));
    }

    /** The spec if {@code result} holds one, else INVALID_SPEC naming every error ({@code what}: "the training spec"). */
    public static <T> T orThrow(Result<T> result, String what) {
        if (!result.valid()) {
            throw invalid(what, result.errors());
        }
        return result.spec().orElseThrow();
    }

    /** INVALID_SPEC with one field error per path ({@code spec} for an error of the whole text). */
    public static KeelException invalid(String what, List<SpecError> errors) {
        String message = what + " has " + errors.size() + (errors.size() == 1 ? " error: " : " errors: ")
                + errors.stream().map(SpecError::toString).collect(Collectors.joining("; "));
        return new KeelException(ErrorCode.INVALID_SPEC, message,
                errors.stream().map(error -> new KeelException.FieldError(error.path().isEmpty() ? "spec" : error.path(), error.message())).toList());
    }
}
