package dev.keel.core.data;

/**
 * Where the data-collection service records the start, end and abandonment of pipeline runs: the server's audit log
 * ({@link dev.keel.core.security.AuditLog#append}), wired in {@link DataCollection}.
 */
@FunctionalInterface
public interface RunAudit {
    /** Records nothing; for tools and tests that run pipelines without an audit log. */
    RunAudit NONE = (actor, action, project, run, outcome, detail) -> {
    };

    /**
     * Appends one entry, or throws when it cannot be written.
     *
     * @param action {@code pipeline.run-start}, {@code pipeline.run-finish} or {@code pipeline.run-abandon}
     * @param outcome {@code success} or {@code failure}
     */
    void append(String actor, String action, String project, PipelineRun run, String outcome, String detail);
}
