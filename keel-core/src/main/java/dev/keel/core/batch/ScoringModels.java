package dev.keel.core.batch;

import dev.keel.core.registry.ModelVersion;
import dev.keel.spi.LoadedModel;

/** The registry and the runtimes as scoring runs see them: versions found by alias or number, and loaded for scoring. */
public interface ScoringModels {
    /** The version {@code alias} points to now; throws NOT_FOUND when the model or the alias does not exist. */
    ModelVersion byAlias(String model, String alias);

    /** Version {@code version} of {@code model}; throws NOT_FOUND when it does not exist. */
    ModelVersion byNumber(String model, int version);

    /** Loads a version for scoring; the caller closes it. */
    LoadedModel load(ModelVersion version);
}
