package dev.keel.server.serving;

import dev.keel.core.registry.ModelVersion;
import dev.keel.core.serving.Prediction;
import dev.keel.core.serving.TensorValues;
import dev.keel.spi.Tensor;
import dev.keel.spi.TensorSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keel's prediction response: the outputs as the model gave them, one entry per row, and who answered. When the version
 * carries a {@code labels} tag (such as {@code bad,good}) an output with one column per label is also shown by label, with the
 * most probable label as {@code label}.
 */
final class PredictionJson {
    private PredictionJson() {
    }

    static Map<String, Object> render(Prediction prediction) {
        ModelVersion version = prediction.version();
        Map<String, Tensor> outputs = ordered(version, prediction.outputs());
        List<String> labels = labels(version);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("requestId", prediction.requestId());
        body.put("endpoint", prediction.endpoint());
        body.put("model", version.model());
        body.put("version", version.version());
        body.put("route", prediction.route());
        body.put("fallback", prediction.fallback().isPresent());
        prediction.fallback().ifPresent(mode -> body.put("fallbackMode", mode));
        prediction.failedVersion().ifPresent(failed -> body.put("failedVersion", failed));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int row = 0; row < prediction.rows(); row++) {
            rows.add(new LinkedHashMap<>());
        }
        Map<String, Object> raw = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> entry : outputs.entrySet()) {
            Tensor tensor = entry.getValue();
            raw.put(entry.getKey(), TensorValues.nested(tensor));
            boolean shared = version.signature().output(entry.getKey()).map(spec -> spec.kind().equals("labels")).orElse(false);
            if (shared || tensor.shape().length == 0 || tensor.shape()[0] != prediction.rows()) {
                continue;
            }
            List<Object> values = TensorValues.rows(tensor);
            for (int row = 0; row < values.size(); row++) {
                rows.get(row).put(entry.getKey(), byLabel(values.get(row), labels, tensor, rows.get(row), outputs));
            }
        }
        body.put("predictions", rows);
        body.put("outputs", raw);
        return body;
    }

    private static Object byLabel(Object value, List<String> labels, Tensor tensor, Map<String, Object> row, Map<String, Tensor> outputs) {
        if (labels.isEmpty() || !tensor.type().isFloating() || !(value instanceof List<?> list) || list.size() != labels.size()
                || !list.stream().allMatch(Number.class::isInstance)) {
            return value;
        }
        Map<String, Object> named = new LinkedHashMap<>();
        int best = 0;
        for (int i = 0; i < labels.size(); i++) {
            named.put(labels.get(i), list.get(i));
            if (((Number) list.get(i)).doubleValue() > ((Number) list.get(best)).doubleValue()) {
                best = i;
            }
        }
        if (!outputs.containsKey("label")) {
            row.put("label", labels.get(best));
        }
        return named;
    }

    private static List<String> labels(ModelVersion version) {
        String tag = version.tags().get("labels");
        return tag == null || tag.isBlank() ? List.of() : Arrays.stream(tag.split(",")).map(String::strip).toList();
    }

    /** The outputs in the signature's order, then any others. */
    static Map<String, Tensor> ordered(ModelVersion version, Map<String, Tensor> outputs) {
        Map<String, Tensor> ordered = new LinkedHashMap<>();
        for (TensorSpec spec : version.signature().outputs()) {
            if (outputs.containsKey(spec.name())) {
                ordered.put(spec.name(), outputs.get(spec.name()));
            }
        }
        if (ordered.size() < outputs.size()) {
            outputs.keySet().stream().sorted().forEach(name -> ordered.putIfAbsent(name, outputs.get(name)));
        }
        return ordered;
    }
}
