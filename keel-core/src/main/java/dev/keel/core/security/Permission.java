package dev.keel.core.security;

/**
 * Something a route needs. Project permissions are checked against the role a token holds in the route's project;
 * global ones against the role it holds on every project ({@code *}).
 */
public enum Permission {
    /** Held by every role; granted in any one project, it opens the server's own read routes (whoami, OpenAPI, info). */
    SERVER_READ(true),
    PROJECT_READ(true),
    PROJECT_ADMIN(false),
    TOKEN_ADMIN(false),
    /** Re-wraps stored artifacts' and snapshots' data keys under the active encryption key; server-wide. */
    KEY_ADMIN(false),
    /** Reads the audit entries of a project; held everywhere ({@code *}), every entry, including those of no project. */
    AUDIT_READ(true),
    METRICS_READ(false),
    MODEL_READ(true),
    MODEL_WRITE(true),
    MODEL_PROMOTE(true),
    ENDPOINT_READ(true),
    ENDPOINT_WRITE(true),
    PREDICT(true),
    PIPELINE_READ(true),
    PIPELINE_WRITE(true),
    PIPELINE_RUN(true),
    DATASET_READ(true),
    MONITOR_READ(true),
    MONITOR_WRITE(true),
    LABEL_WRITE(true),
    /** Reads a project's alert channels, their delivery records and its silences. */
    ALERT_READ(true),
    /** Adds, tests and deletes a project's alert channels; adds and expires its silences. */
    ALERT_WRITE(true),
    /** Reads a project's incidents, their timelines, pattern reports and remediation policies. */
    INCIDENT_READ(true),
    /** Acknowledges and resolves a project's incidents and adds notes to them. */
    INCIDENT_WRITE(true),
    /** Applies, deletes and dry-runs a project's remediation policies. */
    POLICY_WRITE(true),
    /**
     * Reads the raw values of a project's sensitive columns and features; without it they are masked (hashed, redacted or null, as
     * each column says) in every answer: dataset rows, profiles, diffs and explanations, and the prediction log.
     */
    SENSITIVE_READ(true);

    private final boolean projectScoped;

    Permission(boolean projectScoped) {
        this.projectScoped = projectScoped;
    }

    /** True when the permission is granted per project. */
    public boolean projectScoped() {
        return projectScoped;
    }
}
