package dev.keel.core.registry;

import dev.keel.spi.ArtifactRef;
import dev.keel.spi.ModelSignature;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** An immutable version of a registered model: its artifact, signature, feature schema, metrics, tags and lineage. */
public record ModelVersion(String model, int version, String project, String format, ArtifactRef artifact, ModelSignature signature,
                           List<FeatureSpec> features, Map<String, Double> metrics, Map<String, String> tags, Lineage lineage,
                           String description, Instant createdAt, String createdBy) {
    public ModelVersion {
        features = List.copyOf(features);
        metrics = Map.copyOf(metrics);
        tags = Map.copyOf(tags);
    }

    /** {@code model:version}, for messages. */
    public String label() {
        return model + ":" + version;
    }
}
