package dev.keel.core.data;

import java.util.List;
import java.util.Optional;

/** Stores pipeline spec versions and the state of their schedules. */
public interface PipelineRepository {
    /** Stores a new version; the caller has checked it is the next number. */
    void insert(PipelineVersion version);

    /** The latest version of a pipeline. */
    Optional<PipelineVersion> latest(String pipeline);

    /** One version of a pipeline. */
    Optional<PipelineVersion> find(String pipeline, int version);

    /** The latest version of every pipeline, by name. */
    List<PipelineVersion> listLatest();

    /** The schedule state of a pipeline, when it was ever changed by hand. */
    Optional<ScheduleState> schedule(String pipeline);

    /** Stores a pipeline's schedule state, replacing the previous one. */
    void saveSchedule(ScheduleState state);

    /** The hold on a pipeline's publishing, when its publishing is stopped. */
    Optional<PublishHold> publishHold(String pipeline);

    /** Stops a pipeline's publishing; an existing hold is replaced. */
    void savePublishHold(PublishHold hold);

    /** Lets a pipeline publish again; false when it was not held. */
    boolean deletePublishHold(String pipeline);
}
