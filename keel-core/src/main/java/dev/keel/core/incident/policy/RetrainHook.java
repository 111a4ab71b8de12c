package dev.keel.core.incident.policy;

import java.util.Optional;

/**
 * Where the {@code retrain} action hands a model that left its limits back to experimentation: the retraining feature
 * implements it (a job that produces a challenger). Until one is configured, the action is recorded as skipped.
 */
@FunctionalInterface
public interface RetrainHook {
    /** The hook of a server without retraining: every request is skipped ("the model has no training spec"). */
    RetrainHook NONE = request -> Optional.empty();

    /**
     * Starts retraining the model, or answers empty when no trainer is configured.
     *
     * @return what was started, in one line (such as the job's id)
     */
    Optional<String> retrain(Request request);

    /**
     * What to retrain and why.
     *
     * @param actor {@code policy:NAME}
     */
    record Request(String project, String model, String incidentId, String reason, String actor) {
    }
}
