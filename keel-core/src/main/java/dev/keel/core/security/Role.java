package dev.keel.core.security;

import static dev.keel.core.security.Permission.ALERT_READ;
import static dev.keel.core.security.Permission.ALERT_WRITE;
import static dev.keel.core.security.Permission.AUDIT_READ;
import static dev.keel.core.security.Permission.DATASET_READ;
import static dev.keel.core.security.Permission.ENDPOINT_READ;
import static dev.keel.core.security.Permission.ENDPOINT_WRITE;
import static dev.keel.core.security.Permission.INCIDENT_READ;
import static dev.keel.core.security.Permission.INCIDENT_WRITE;
import static dev.keel.core.security.Permission.LABEL_WRITE;
import static dev.keel.core.security.Permission.METRICS_READ;
import static dev.keel.core.security.Permission.MODEL_PROMOTE;
import static dev.keel.core.security.Permission.MODEL_READ;
import static dev.keel.core.security.Permission.MODEL_WRITE;
import static dev.keel.core.security.Permission.MONITOR_READ;
import static dev.keel.core.security.Permission.MONITOR_WRITE;
import static dev.keel.core.security.Permission.PIPELINE_READ;
import static dev.keel.core.security.Permission.PIPELINE_RUN;
import static dev.keel.core.security.Permission.PIPELINE_WRITE;
import static dev.keel.core.security.Permission.POLICY_WRITE;
import static dev.keel.core.security.Permission.PREDICT;
import static dev.keel.core.security.Permission.PROJECT_READ;
import static dev.keel.core.security.Permission.SENSITIVE_READ;
import static dev.keel.core.security.Permission.SERVER_READ;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * A named set of permissions granted to a token in a project. Each role holds the one before it, except consumer, and operator,
 * which holds scientist but not steward: running models in production does not need the raw personal data a steward reads.
 */
public enum Role {
    /** Reads models, endpoints, pipelines, datasets, monitors and incidents. */
    VIEWER(EnumSet.of(SERVER_READ, PROJECT_READ, MODEL_READ, ENDPOINT_READ, PIPELINE_READ, DATASET_READ, MONITOR_READ, INCIDENT_READ)),
    /**
     * Calls prediction endpoints and nothing else: the role of a business system. Predicting includes the Open Inference
     * Protocol's readiness and model metadata routes, which a client reads before it infers.
     */
    CONSUMER(EnumSet.of(SERVER_READ, PREDICT)),
    /** A viewer who also registers models, edits and runs pipelines, declares monitors and posts labels. */
    SCIENTIST(union(VIEWER.permissions, EnumSet.of(PREDICT, MODEL_WRITE, PIPELINE_WRITE, PIPELINE_RUN, MONITOR_WRITE, LABEL_WRITE))),
    /** A scientist who also reads the raw values of sensitive columns and features (a data steward); others see them masked. */
    STEWARD(union(SCIENTIST.permissions, EnumSet.of(SENSITIVE_READ))),
    /**
     * A scientist who also promotes and rolls back models, manages endpoints, reads the audit log and metrics, manages
     * alert channels and silences, acknowledges and resolves incidents, and manages remediation policies.
     */
    OPERATOR(union(SCIENTIST.permissions, EnumSet.of(MODEL_PROMOTE, ENDPOINT_WRITE, AUDIT_READ, METRICS_READ, ALERT_READ, ALERT_WRITE,
            INCIDENT_WRITE, POLICY_WRITE))),
    /** Everything, including projects and tokens. */
    ADMIN(EnumSet.allOf(Permission.class));

    private final Set<Permission> permissions;

    Role(Set<Permission> permissions) {
        this.permissions = Set.copyOf(permissions);
    }

    public Set<Permission> permissions() {
        return permissions;
    }

    public boolean grants(Permission permission) {
        return permissions.contains(permission);
    }

    /** True when this role holds every permission of the other. */
    public boolean includes(Role other) {
        return permissions.containsAll(other.permissions);
    }

    /** The role's name as used in the API, lower case. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Role> parse(String name) {
        for (Role role : values()) {
            if (role.wireName().equalsIgnoreCase(name)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }

    private static Set<Permission> union(Set<Permission> first, Set<Permission> second) {
        EnumSet<Permission> all = EnumSet.copyOf(first);
        all.addAll(second);
        return all;
    }
}
