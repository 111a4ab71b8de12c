package dev.keel.core.data;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An in-memory run repository that also keeps every state a run passed through. */
public final class TestingRunRepository implements RunRepository {
    private final Map<String, PipelineRun> runs = new LinkedHashMap<>();
    private final List<PipelineRun> writes = new ArrayList<>();

    @Override
    public synchronized void insert(PipelineRun run) {
        if (runs.putIfAbsent(run.id(), run) != null) {
            throw new IllegalStateException("duplicate run " + run.id());
        }
        writes.add(run);
    }

    @Override
    public synchronized void update(PipelineRun run) {
        if (runs.replace(run.id(), run) == null) {
            throw new IllegalStateException("unknown run " + run.id());
        }
        writes.add(run);
    }

    @Override
    public synchronized Optional<PipelineRun> find(String id) {
        return Optional.ofNullable(runs.get(id));
    }

    @Override
    public synchronized List<PipelineRun> history(String pipeline, int limit) {
        List<PipelineRun> newestFirst = new ArrayList<>(runs.values());
        java.util.Collections.reverse(newestFirst);
        return newestFirst.stream().filter(run -> run.pipeline().equals(pipeline))
                .sorted(Comparator.comparing(PipelineRun::startedAt).reversed()).limit(limit).toList();
    }

    @Override
    public synchronized List<PipelineRun> withStatus(RunStatus status) {
        return runs.values().stream().filter(run -> run.status() == status).toList();
    }

    /** Every insert and update, in order. */
    public synchronized List<PipelineRun> writes() {
        return List.copyOf(writes);
    }
}
