package dev.keel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.keel.core.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks what {@code keel model register} is given before anything is created on the server. */
final class Artifacts {
    /** Field 7 of an ONNX ModelProto: the graph. */
    private static final int GRAPH_FIELD = 7;

    private Artifacts() {
    }

    /**
     * The artifact's bytes, refused (exit code 2) when the file cannot be read, is empty, or is declared ONNX but is not
     * an ONNX model: a protobuf message whose fields run exactly to the end of the file and that holds a graph.
     */
    static byte[] read(Path file, String format) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException | SecurityException e) {
            throw new Main.UsageError("cannot read the model file " + file + ": " + e.getMessage());
        }
        if (bytes.length == 0) {
            throw new Main.UsageError("the model file " + file + " is empty");
        }
        if (format.equals("onnx") && !looksLikeOnnx(bytes)) {
            throw new Main.UsageError("the model file " + file + " is not an ONNX model (expected a serialized ModelProto with a graph); "
                    + "nothing was registered");
        }
        return bytes;
    }

    /** True when the bytes parse as a protobuf message to their end and hold field 7 (the graph) as a length-delimited field. */
    static boolean looksLikeOnnx(byte[] bytes) {
        int at = 0;
        boolean graph = false;
        while (at < bytes.length) {
            long[] tag = varint(bytes, at);
            if (tag == null) {
                return false;
            }
            at = (int) tag[1];
            long field = tag[0] >>> 3;
            int wireType = (int) (tag[0] & 7);
            if (field == 0) {
                return false;
            }
            switch (wireType) {
                case 0 -> {
                    long[] value = varint(bytes, at);
                    if (value == null) {
                        return false;
                    }
                    at = (int) value[1];
                }
                case 1 -> at += 8;
                case 2 -> {
                    long[] length = varint(bytes, at);
                    if (length == null || length[0] < 0 || length[0] > bytes.length - length[1]) {
                        return false;
                    }
                    graph |= field == GRAPH_FIELD;
                    at = (int) (length[1] + length[0]);
                }
                case 5 -> at += 4;
                default -> {
                    return false;
                }
            }
            if (at > bytes.length) {
                return false;
            }
        }
        return graph;
    }

    /** The varint at {@code at} and the offset after it, or null when it runs past the end or is longer than ten bytes. */
    private static long[] varint(byte[] bytes, int at) {
        long value = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (at >= bytes.length) {
                return null;
            }
            byte b = bytes[at++];
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return new long[] {value, at};
            }
        }
        return null;
    }

    /**
     * The feature schema of a file: a JSON list of feature objects as the server takes them, a JSON list of names, or plain
     * text with one name a line (or names separated by commas). Names alone become numeric features.
     */
    static JsonNode featureSchema(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | SecurityException e) {
            throw new Main.UsageError("cannot read the feature schema " + file + ": " + e.getMessage());
        }
        JsonNode parsed;
        try {
            parsed = Json.MAPPER.readTree(text);
        } catch (IOException e) {
            parsed = null;
        }
        ArrayNode schema = Json.MAPPER.createArrayNode();
        if (parsed != null && parsed.isObject() && parsed.has("features")) {
            parsed = parsed.get("features");
        }
        if (parsed != null && parsed.isArray()) {
            for (int i = 0; i < parsed.size(); i++) {
                JsonNode entry = parsed.get(i);
                if (entry.isTextual() && !entry.textValue().isBlank()) {
                    schema.add(number(entry.textValue().strip()));
                } else if (entry.isObject()) {
                    schema.add(entry);
                } else {
                    throw new Main.UsageError("entry " + i + " of the feature schema " + file + " is " + entry + "; expected a feature name "
                            + "or an object {name, type, min, max, allowed, sensitive}");
                }
            }
            return schema;
        }
        if (parsed != null && !parsed.isTextual()) {
            throw new Main.UsageError("the feature schema " + file + " must be a JSON list of features or of names, or one name a line");
        }
        for (String name : text.split("[\\r\\n,]+")) {
            if (!name.isBlank()) {
                schema.add(number(name.strip()));
            }
        }
        if (schema.isEmpty()) {
            throw new Main.UsageError("the feature schema " + file + " names no features");
        }
        return schema;
    }

    private static JsonNode number(String name) {
        return Json.MAPPER.createObjectNode().put("name", name).put("type", "number");
    }
}
