package dev.keel.core.data;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** An in-memory pipeline repository. */
public final class TestingPipelineRepository implements PipelineRepository {
    private final List<PipelineVersion> versions = new ArrayList<>();
    private final java.util.Map<String, ScheduleState> schedules = new java.util.HashMap<>();
    private final java.util.Map<String, PublishHold> holds = new java.util.HashMap<>();

    @Override
    public synchronized void insert(PipelineVersion version) {
        if (find(version.pipeline(), version.version()).isPresent()) {
            throw new IllegalStateException("duplicate " + version.pipeline() + " v" + version.version());
        }
        versions.add(version);
    }

    @Override
    public synchronized Optional<PipelineVersion> latest(String pipeline) {
        return versions.stream().filter(version -> version.pipeline().equals(pipeline))
                .max(Comparator.comparingInt(PipelineVersion::version));
    }

    @Override
    public synchronized Optional<PipelineVersion> find(String pipeline, int version) {
        return versions.stream().filter(found -> found.pipeline().equals(pipeline) && found.version() == version).findFirst();
    }

    @Override
    public synchronized List<PipelineVersion> listLatest() {
        return versions.stream().map(PipelineVersion::pipeline).distinct().sorted().map(name -> latest(name).orElseThrow()).toList();
    }

    @Override
    public synchronized Optional<ScheduleState> schedule(String pipeline) {
        return Optional.ofNullable(schedules.get(pipeline));
    }

    @Override
    public synchronized void saveSchedule(ScheduleState state) {
        schedules.put(state.pipeline(), state);
    }

    @Override
    public synchronized Optional<PublishHold> publishHold(String pipeline) {
        return Optional.ofNullable(holds.get(pipeline));
    }

    @Override
    public synchronized void savePublishHold(PublishHold hold) {
        holds.put(hold.pipeline(), hold);
    }

    @Override
    public synchronized boolean deletePublishHold(String pipeline) {
        return holds.remove(pipeline) != null;
    }
}
