package dev.keel.core.registry;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** What a caller gives when registering a version, besides the artifact bytes. */
public record NewVersion(String format, List<FeatureSpec> features, Map<String, Double> metrics, Map<String, String> tags, Lineage lineage,
                         String description) {
    public NewVersion {
        format = Objects.requireNonNullElse(format, "onnx");
        features = List.copyOf(Objects.requireNonNullElse(features, List.of()));
        metrics = Map.copyOf(Objects.requireNonNullElse(metrics, Map.of()));
        tags = Map.copyOf(Objects.requireNonNullElse(tags, Map.of()));
        lineage = Objects.requireNonNullElse(lineage, Lineage.none());
        description = Objects.requireNonNullElse(description, "");
    }
}
