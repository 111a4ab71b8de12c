package dev.keel.core.registry;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a model version came from: the data it was trained on, the code that trained it and its parameters. Never changes.
 *
 * @param datasetSha256 the content hash of the training dataset snapshot
 * @param datasetUri where the training data lives (a Keel dataset {@code dataset:name@version}, a file, a table)
 * @param codeVersion the commit or build of the training code
 * @param runId the experiment or pipeline run that produced the model
 */
public record Lineage(Optional<String> datasetSha256, Optional<String> datasetUri, Optional<String> codeVersion, Optional<String> runId,
                      Map<String, String> parameters) {
    public Lineage {
        datasetSha256 = Objects.requireNonNullElse(datasetSha256, Optional.empty());
        datasetUri = Objects.requireNonNullElse(datasetUri, Optional.empty());
        codeVersion = Objects.requireNonNullElse(codeVersion, Optional.empty());
        runId = Objects.requireNonNullElse(runId, Optional.empty());
        parameters = Map.copyOf(Objects.requireNonNullElse(parameters, Map.of()));
    }

    public static Lineage none() {
        return new Lineage(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Map.of());
    }
}
