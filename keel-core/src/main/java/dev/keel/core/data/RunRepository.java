package dev.keel.core.data;

import java.util.List;
import java.util.Optional;

/** Stores pipeline runs. */
public interface RunRepository {
    /** Stores a new run. */
    void insert(PipelineRun run);

    /** Replaces a stored run by id. */
    void update(PipelineRun run);

    Optional<PipelineRun> find(String id);

    /** The latest runs of a pipeline, newest first. */
    List<PipelineRun> history(String pipeline, int limit);

    /** Runs in a status, for recovery after a crash. */
    List<PipelineRun> withStatus(RunStatus status);
}
