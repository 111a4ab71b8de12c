package dev.keel.core.incident.policy;

import dev.keel.core.alert.Alerting;
import dev.keel.core.data.PipelineService;
import dev.keel.core.registry.ModelRegistry;
import dev.keel.core.security.AuditLog;
import dev.keel.core.serving.Serving;
import java.util.Objects;

/**
 * The services a policy's actions call: the same the API calls for a person, so that an automated action is checked and
 * recorded like theirs.
 */
public record RemedyServices(ModelRegistry registry, Serving serving, PipelineService pipelines, Alerting alerting, AuditLog audit,
                             RetrainHook retrain) {
    public RemedyServices {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(serving, "serving");
        Objects.requireNonNull(pipelines, "pipelines");
        Objects.requireNonNull(alerting, "alerting");
        Objects.requireNonNull(audit, "audit");
        Objects.requireNonNull(retrain, "retrain");
    }
}
