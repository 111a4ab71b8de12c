package dev.keel.spi.event;

import java.time.Instant;
import java.util.Optional;

/** Something that happened in Keel that another area may act on: a prediction, an alias move, a failure. */
public sealed interface KeelEvent permits PredictionMade, AliasMoved, ModelFailed, FallbackUsed, PredictionRejected, MonitorBreached,
        PipelineRunFinished, PipelineRunFailed, ArtifactRejected, SourceFailed, ExpectationFailed, QuarantineExceeded, ScheduleMissed,
        EndpointOverloaded, ShadowDisagreed, ChannelFailing, TrainingFailed, RolloutAborted,
        ScoringRunFailed {

    /** When it happened, by the publisher's clock. */
    Instant at();

    /** The project the event belongs to, when the publisher knows it. */
    default Optional<String> project() {
        return Optional.empty();
    }
}
