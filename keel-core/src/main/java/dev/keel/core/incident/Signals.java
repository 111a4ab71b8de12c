package dev.keel.core.incident;

import dev.keel.core.alert.Severity;
import dev.keel.spi.event.AliasMoved;
import dev.keel.spi.event.ArtifactRejected;
import dev.keel.spi.event.ChannelFailing;
import dev.keel.spi.event.EndpointOverloaded;
import dev.keel.spi.event.ExpectationFailed;
import dev.keel.spi.event.FallbackUsed;
import dev.keel.spi.event.KeelEvent;
import dev.keel.spi.event.ModelFailed;
import dev.keel.spi.event.MonitorBreached;
import dev.keel.spi.event.PipelineRunFailed;
import dev.keel.spi.event.PipelineRunFinished;
import dev.keel.spi.event.PredictionMade;
import dev.keel.spi.event.PredictionRejected;
import dev.keel.spi.event.QuarantineExceeded;
import dev.keel.spi.event.RolloutAborted;
import dev.keel.spi.event.ScheduleMissed;
import dev.keel.spi.event.ScoringRunFailed;
import dev.keel.spi.event.ShadowDisagreed;
import dev.keel.spi.event.SourceFailed;
import dev.keel.spi.event.TrainingFailed;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Which events are failures, and the {@link Signal} each becomes. */
public final class Signals {
    /** Every signal kind, with the one-line description incidents are titled with. */
    public static final Map<String, String> KINDS = kinds();
    /** The event types that become signals; the incident sink asks the dispatcher for these only. */
    public static final Set<Class<? extends KeelEvent>> FAILURES = Set.of(PipelineRunFailed.class, SourceFailed.class, ExpectationFailed.class,
            QuarantineExceeded.class, ScheduleMissed.class, ModelFailed.class, FallbackUsed.class, EndpointOverloaded.class,
            ShadowDisagreed.class, MonitorBreached.class, ArtifactRejected.class, ChannelFailing.class, TrainingFailed.class,
            RolloutAborted.class, ScoringRunFailed.class);

    private Signals() {
    }

    private static Map<String, String> kinds() {
        Map<String, String> kinds = new LinkedHashMap<>();
        kinds.put("pipeline.run_failed", "Pipeline run failed");
        kinds.put("pipeline.run_retried", "Pipeline run failed and is retried");
        kinds.put("pipeline.source_unreachable", "Pipeline source unreachable");
        kinds.put("pipeline.source_slow", "Pipeline source slow");
        kinds.put("pipeline.expectation_failed", "Data expectation failed");
        kinds.put("pipeline.quarantine_exceeded", "Quarantine rate over its limit");
        kinds.put("pipeline.schedule_missed", "Scheduled run missed");
        kinds.put("endpoint.model_error", "Model raised an error");
        kinds.put("endpoint.model_timeout", "Model timed out");
        kinds.put("endpoint.fallback_used", "Endpoint answered by its fallback");
        kinds.put("endpoint.overloaded", "Endpoint overloaded");
        kinds.put("endpoint.shadow_disagreement", "Shadow version disagrees with the main version");
        kinds.put("monitor.breached", "Monitor breached its limit");
        kinds.put("artifact.integrity_failed", "Model artifact failed its integrity check");
        kinds.put("alert.delivery_failed", "Alert channel keeps failing");
        kinds.put("training.failed", "Retraining produced no promotable challenger");
        kinds.put("rollout.aborted", "Progressive rollout rolled back");
        kinds.put("scoring.run_failed", "Batch scoring run failed");
        return Map.copyOf(kinds);
    }

    /** The signal an event is, or empty for an event that is no failure (a prediction, an alias move, a finished run). */
    public static Optional<Signal> of(KeelEvent event) {
        return Optional.ofNullable(switch (event) {
            case PipelineRunFailed e -> new Signal(e.willRetry() ? "pipeline.run_retried" : "pipeline.run_failed", "pipelines", "pipeline",
                    e.projectName(), e.willRetry() ? Severity.WARNING : Severity.CRITICAL, e.message(),
                    Map.of("pipeline", e.pipeline(), "run", e.runId()), e.at());
            case SourceFailed e -> new Signal(e.kind() == SourceFailed.Kind.SLOW ? "pipeline.source_slow" : "pipeline.source_unreachable",
                    "pipelines", "source", e.projectName(), e.kind() == SourceFailed.Kind.SLOW ? Severity.WARNING : Severity.CRITICAL, e.message(),
                    Map.of("pipeline", e.pipeline(), "run", e.runId(), "source", e.source()), e.at());
            case ExpectationFailed e -> new Signal("pipeline.expectation_failed", "pipelines", "dataset", e.projectName(),
                    "fail".equals(e.action()) ? Severity.CRITICAL : Severity.WARNING,
                    "expectation " + e.expectation() + " (" + e.action().toLowerCase(Locale.ROOT) + "): " + e.message(),
                    Map.of("pipeline", e.pipeline(), "run", e.runId(), "dataset", e.dataset()), e.at());
            case QuarantineExceeded e -> new Signal("pipeline.quarantine_exceeded", "pipelines", "pipeline", e.projectName(), Severity.WARNING,
                    String.format(Locale.ROOT, "quarantined %d of %d rows (%.4f), over the limit %.4f", e.quarantined(), e.rowsIn(), e.rate(),
                            e.limit()), Map.of("pipeline", e.pipeline(), "run", e.runId()), e.at());
            case ScheduleMissed e -> new Signal("pipeline.schedule_missed", "pipelines", "schedule", e.projectName(), Severity.WARNING,
                    e.message(), Map.of("pipeline", e.pipeline()), e.at());
            case ModelFailed e -> new Signal(e.kind() == ModelFailed.Kind.TIMEOUT ? "endpoint.model_timeout" : "endpoint.model_error", "serving",
                    "endpoint", "", e.kind() == ModelFailed.Kind.TIMEOUT ? Severity.WARNING : Severity.CRITICAL, e.message(),
                    Map.of("endpoint", e.endpoint(), "model", e.model(), "version", Integer.toString(e.version())), e.at());
            case FallbackUsed e -> new Signal("endpoint.fallback_used", "serving", "endpoint", "", Severity.WARNING,
                    "answered by the fallback (" + e.mode() + ") instead of the failed version", Map.of("endpoint", e.endpoint(), "model", e.model(),
                    "version", Integer.toString(e.failedVersion())), e.at());
            case EndpointOverloaded e -> new Signal("endpoint.overloaded", "serving", "endpoint", "", Severity.WARNING,
                    "refused " + e.rejected() + " requests as overloaded within " + e.window() + ", over the limit " + e.limit(),
                    Map.of("endpoint", e.endpoint(), "model", e.model()), e.at());
            case ShadowDisagreed e -> new Signal("endpoint.shadow_disagreement", "serving", "endpoint", "", Severity.WARNING,
                    String.format(Locale.ROOT, "shadow disagreed on %d of %d requests, over the limit %.4f", e.disagreements(), e.comparisons(),
                            e.limit()), Map.of("endpoint", e.endpoint(), "model", e.model(), "version", Integer.toString(e.mainVersion()),
                    "shadow_version", Integer.toString(e.shadowVersion())), e.at());
            case MonitorBreached e -> new Signal("monitor.breached", "monitoring", "monitor", e.projectName(), Severity.CRITICAL,
                    e.statistic() + " beyond its limit", Map.of("monitor", e.monitor(), "model", e.model(), "target", e.target(),
                    "breach", e.breachId()), e.at());
            case ArtifactRejected e -> new Signal("artifact.integrity_failed", "registry", "artifact", "", Severity.CRITICAL, e.message(),
                    artifactObjects(e), e.at());
            case ChannelFailing e -> new Signal("alert.delivery_failed", "alerts", "channel", e.projectName(), Severity.WARNING,
                    "deliveries keep failing: " + e.message(), Map.of("channel", e.channel()), e.at());
            case TrainingFailed e -> new Signal("training.failed", "training", "model", e.projectName(),
                    "GATE_FAILED".equals(e.code()) ? Severity.WARNING : Severity.CRITICAL, e.code() + ": " + e.message(),
                    Map.of("model", e.model(), "training_run", e.runId()), e.at());
            case RolloutAborted e -> new Signal("rollout.aborted", "serving", "endpoint", e.projectName(), Severity.CRITICAL, e.reason(),
                    Map.of("endpoint", e.endpoint(), "model", e.model(), "version", Integer.toString(e.version())), e.at());
            case ScoringRunFailed e -> new Signal("scoring.run_failed", "scoring", "scoring_job", e.projectName(),
                    e.willRetry() ? Severity.WARNING : Severity.CRITICAL, e.message(), Map.of("scoring_job", e.job(), "scoring_run", e.runId()),
                    e.at());
            case PredictionMade ignored -> null;
            case PredictionRejected ignored -> null;
            case AliasMoved ignored -> null;
            case PipelineRunFinished ignored -> null;
        });
    }

    /** {@code usedBy} is a version label ({@code churn:3}) when a model version wanted the artifact. */
    private static Map<String, String> artifactObjects(ArtifactRejected event) {
        Map<String, String> objects = new LinkedHashMap<>();
        objects.put("artifact", event.sha256());
        int colon = event.usedBy().lastIndexOf(':');
        if (colon > 0 && event.usedBy().substring(colon + 1).chars().allMatch(Character::isDigit) && colon < event.usedBy().length() - 1) {
            objects.put("model", event.usedBy().substring(0, colon));
            objects.put("version", event.usedBy().substring(colon + 1));
        } else if (!event.usedBy().isEmpty()) {
            objects.put("model", event.usedBy());
        }
        return objects;
    }
}
