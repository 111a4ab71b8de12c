package dev.keel.core.batch;

import dev.keel.core.registry.ModelVersion;
import dev.keel.spi.LoadedModel;

/** The registry and the runtimes as scoring runs see them: versions found by alias or number, and loaded for scoring. */
public interface ScoringModels {
    /** The version {@code alias} points to now. */
    ModelVersion byAlias(String model, String alias);

    /** Version {@code version} of {@code model}. */
    ModelVersion byNumber(String model, int version);

    /** Loads a version for scoring; the caller closes it. */
    LoadedModel load(ModelVersion version);
}
