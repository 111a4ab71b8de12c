package dev.keel.core.training.external;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.json.Json;
import dev.keel.spi.Trainer.TrainingData;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** The files a run starts with: {@code train.csv} and {@code input.json}, and the class labels they announce. */
final class RunInputs {
    static final String TRAIN_CSV = "train.csv";
    static final String INPUT_JSON = "input.json";
    static final String MODEL_OUT = "model.onnx";
    static final String METRICS_OUT = "metrics.json";
    static final String TARGET = "label";
    static final String TASK = "task";
    static final String REGRESSION = "regression";

    private RunInputs() {
    }

    /**
     * The class labels in the order the model's probability output must follow: the distinct labels in sorted (string)
     * order, or none for a regression ({@code task=regression}, every label a number).
     */
    static List<String> labels(TrainingData data, Map<String, String> parameters) {
        if (REGRESSION.equals(parameters.get(TASK))) {
            for (String label : data.labels()) {
                if (!isNumber(label)) {
                    throw new IllegalArgumentException("parameter task=regression needs numeric labels; got '" + label + "'");
                }
            }
            return List.of();
        }
        if (!data.classes().isEmpty()) {
            for (String label : new TreeSet<>(data.labels())) {
                if (!data.classes().contains(label)) {
                    throw new IllegalArgumentException("label '" + label + "' is not one of the classes " + data.classes());
                }
            }
            return data.classes();
        }
        return List.copyOf(new TreeSet<>(data.labels()));
    }

    private static boolean isNumber(String text) {
        try {
            return Double.isFinite(Double.parseDouble(text.strip()));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Refuses data the files could not carry faithfully: duplicate or reserved column names, rows of the wrong width. */
    static void check(TrainingData data) {
        Set<String> seen = new HashSet<>();
        for (String name : data.featureNames()) {
            if (name.equals(TARGET)) {
                throw new IllegalArgumentException("feature name '" + TARGET + "' is reserved for the target column of " + TRAIN_CSV);
            }
            if (!seen.add(name)) {
                throw new IllegalArgumentException("feature name '" + name + "' appears twice; column names must be distinct");
            }
        }
        int width = data.featureNames().size();
        for (int row = 0; row < data.features().size(); row++) {
            if (data.features().get(row).length != width) {
                throw new IllegalArgumentException("row " + row + " has " + data.features().get(row).length + " features; expected " + width);
            }
        }
    }

    /** Writes {@code train.csv}: RFC 4180 (CRLF line ends, fields quoted when needed), doubles as {@link Double#toString}. */
    static void writeCsv(Path file, TrainingData data) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (String name : data.featureNames()) {
                field(out, name);
                out.write(',');
            }
            field(out, TARGET);
            out.write("\r\n");
            for (int row = 0; row < data.features().size(); row++) {
                for (double value : data.features().get(row)) {
                    out.write(Double.toString(value));
                    out.write(',');
                }
                field(out, data.labels().get(row));
                out.write("\r\n");
            }
        }
    }

    static void field(Writer out, String value) throws IOException {
        boolean quote = false;
        for (int i = 0; i < value.length() && !quote; i++) {
            char c = value.charAt(i);
            quote = c == ',' || c == '"' || c == '\r' || c == '\n';
        }
        if (!quote) {
            out.write(value);
            return;
        }
        out.write('"');
        out.write(value.replace("\"", "\"\""));
        out.write('"');
    }

    /** Writes {@code input.json}, which tells the program where everything is and what it is asked to do. */
    static void writeInput(Path file, TrainingData data, Map<String, String> parameters, List<String> labels) throws IOException {
        ObjectNode input = Json.MAPPER.createObjectNode();
        ArrayNode features = input.putArray("features");
        data.featureNames().forEach(features::add);
        ArrayNode labelArray = input.putArray("labels");
        labels.forEach(labelArray::add);
        input.put("target", TARGET);
        ObjectNode parameterObject = input.putObject("parameters");
        new TreeMap<>(parameters).forEach(parameterObject::put);
        input.put("seed", data.seed());
        input.put("test_fraction", data.testFraction());
        input.put("train_csv", TRAIN_CSV);
        input.put("model_out", MODEL_OUT);
        input.put("metrics_out", METRICS_OUT);
        Files.writeString(file, Json.write(input) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }
}
