package dev.keel.core.training.external;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.keel.core.json.Json;
import dev.keel.core.training.external.TrainerFailure.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads what a run left behind, trusting none of it: each file must be a regular file (not a link, directory or FIFO) no
 * larger than its cap, the model must be shaped like a serialized ONNX {@code ModelProto}, and the metrics a small JSON
 * object of names to finite numbers. A full check of the model (that ONNX Runtime loads it) is left to the registry.
 */
final class RunOutputs {
    static final long MAX_METRICS_BYTES = 1 << 20;
    static final int MAX_METRICS = 100;
    private static final Pattern METRIC_NAME = Pattern.compile("[a-z0-9_.-]{1,64}");
    private static final ObjectReader METRICS_READER = Json.MAPPER.reader()
            .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final int ONNX_IR_VERSION_FIELD = 1;
    private static final int ONNX_GRAPH_FIELD = 7;

    private RunOutputs() {
    }

    /** The model's bytes; fails with {@code NO_MODEL} when there is no file and {@code BAD_MODEL_FILE} when it is unfit. */
    static byte[] model(Path file, long maxBytes, String logTail) {
        Optional<byte[]> bytes = readCapped(file, maxBytes, Kind.BAD_MODEL_FILE, "model file " + file.getFileName(), logTail);
        if (bytes.isEmpty()) {
            throw new TrainerFailure(Kind.NO_MODEL, "the training command exited with 0 but wrote no " + file.getFileName()
                    + "; it must write the model to the path in KEEL_MODEL_OUT", logTail);
        }
        byte[] model = bytes.get();
        if (model.length == 0) {
            throw new TrainerFailure(Kind.BAD_MODEL_FILE, "model file " + file.getFileName() + " is empty", logTail);
        }
        String problem = onnxProblem(model);
        if (problem != null) {
            throw new TrainerFailure(Kind.BAD_MODEL_FILE, "model file " + file.getFileName() + " is not an ONNX model: " + problem, logTail);
        }
        return model;
    }

    /** The metrics; fails with {@code BAD_METRICS} when the file is absent or unfit. */
    static Map<String, Double> metrics(Path file, String logTail) {
        String what = "metrics file " + file.getFileName();
        byte[] bytes = readCapped(file, MAX_METRICS_BYTES, Kind.BAD_METRICS, what, logTail)
                .orElseThrow(() -> new TrainerFailure(Kind.BAD_METRICS, "the training command wrote no " + file.getFileName()
                        + "; it must write a JSON object of metrics to the path in KEEL_METRICS_OUT", logTail));
        JsonNode root;
        try {
            root = METRICS_READER.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new TrainerFailure(Kind.BAD_METRICS, what + " is not valid JSON: " + Json.describeFailure(e)
                    + " (NaN and Infinity are not JSON numbers)", logTail);
        } catch (IOException e) {
            throw new TrainerFailure(Kind.BAD_METRICS, what + " could not be read: " + e.getMessage(), logTail);
        }
        if (root == null || !root.isObject()) {
            throw new TrainerFailure(Kind.BAD_METRICS, what + " must hold a JSON object of metric names to numbers; found "
                    + (root == null ? "nothing" : root.getNodeType().toString().toLowerCase(Locale.ROOT)), logTail);
        }
        if (root.size() > MAX_METRICS) {
            throw new TrainerFailure(Kind.BAD_METRICS, what + " has " + root.size() + " metrics; at most " + MAX_METRICS + " are allowed", logTail);
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : root.properties()) {
            String name = entry.getKey();
            if (!METRIC_NAME.matcher(name).matches()) {
                throw new TrainerFailure(Kind.BAD_METRICS, what + ": metric name '" + shorten(name) + "' is not allowed; expected [a-z0-9_.-]{1,64}",
                        logTail);
            }
            JsonNode value = entry.getValue();
            if (!value.isNumber() || !Double.isFinite(value.doubleValue())) {
                throw new TrainerFailure(Kind.BAD_METRICS, what + ": metric '" + name + "' must be a finite number; found "
                        + shorten(value.toString()), logTail);
            }
            metrics.put(name, value.doubleValue());
        }
        return metrics;
    }

    /** The file's bytes, empty when it does not exist; {@code kind} when it is not a regular file of at most {@code maxBytes}. */
    private static Optional<byte[]> readCapped(Path file, long maxBytes, Kind kind, String what, String logTail) {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new TrainerFailure(kind, what + " could not be read: " + e.getMessage(), logTail);
        }
        if (attributes.isSymbolicLink()) {
            throw new TrainerFailure(kind, what + " is a symbolic link; it must be a regular file", logTail);
        }
        if (!attributes.isRegularFile()) {
            throw new TrainerFailure(kind, what + " is " + (attributes.isDirectory() ? "a directory" : "not a regular file (a FIFO, socket or device)")
                    + "; it must be a regular file", logTail);
        }
        if (attributes.size() > maxBytes) {
            throw new TrainerFailure(kind, what + " has " + attributes.size() + " bytes; at most " + maxBytes + " are allowed", logTail);
        }
        // O_NOFOLLOW: a link swapped in after the check is refused, not followed; reading stops one byte past the cap
        try (InputStream in = Files.newInputStream(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (bytes.length > maxBytes) {
                throw new TrainerFailure(kind, what + " grew past " + maxBytes + " bytes while it was read", logTail);
            }
            return Optional.of(bytes);
        } catch (IOException e) {
            throw new TrainerFailure(kind, what + " could not be read: " + e.getMessage(), logTail);
        }
    }

    /**
     * Why {@code bytes} cannot be a serialized {@code onnx.ModelProto}, or null: the top-level protobuf fields must parse to
     * the last byte (no groups, lengths within the file) and include {@code ir_version} (field 1, a varint) and {@code graph}
     * (field 7, length-delimited).
     */
    static String onnxProblem(byte[] bytes) {
        boolean irVersion = false;
        boolean graph = false;
        int[] position = {0};
        while (position[0] < bytes.length) {
            int start = position[0];
            long tag = varint(bytes, position);
            if (tag < 0) {
                return "a field tag at byte " + start + " is cut off";
            }
            long field = tag >>> 3;
            int wireType = (int) (tag & 7);
            if (field == 0) {
                return "field number 0 at byte " + start;
            }
            switch (wireType) {
                case 0 -> {
                    if (!skipVarint(bytes, position)) {
                        return "a number at byte " + start + " is cut off";
                    }
                    irVersion |= field == ONNX_IR_VERSION_FIELD;
                }
                case 1 -> position[0] += 8;
                case 5 -> position[0] += 4;
                case 2 -> {
                    long length = varint(bytes, position);
                    if (length < 0 || length > bytes.length - position[0]) {
                        return "a field at byte " + start + " claims more bytes than the file has";
                    }
                    position[0] += (int) length;
                    graph |= field == ONNX_GRAPH_FIELD;
                }
                default -> {
                    return "wire type " + wireType + " at byte " + start + " is not used by ONNX";
                }
            }
            if (position[0] > bytes.length) {
                return "the last field is cut off";
            }
        }
        if (!irVersion) {
            return "it has no ir_version";
        }
        if (!graph) {
            return "it has no graph";
        }
        return null;
    }

    /** Reads a tag or length varint and moves past it; -1 when it is cut off or does not fit in 35 bits. */
    private static long varint(byte[] bytes, int[] position) {
        long value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            if (position[0] >= bytes.length) {
                return -1;
            }
            byte b = bytes[position[0]++];
            value |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        return -1;
    }

    /** Moves past a varint value, which may be any 64-bit number; false when it is cut off or longer than 10 bytes. */
    private static boolean skipVarint(byte[] bytes, int[] position) {
        for (int count = 0; count < 10; count++) {
            if (position[0] >= bytes.length) {
                return false;
            }
            if ((bytes[position[0]++] & 0x80) == 0) {
                return true;
            }
        }
        return false;
    }

    private static String shorten(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "...";
    }
}
