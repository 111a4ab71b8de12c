package dev.keel.core.data;

import dev.keel.core.security.SensitiveColumns;
import dev.keel.spi.data.PipelinePlan;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * A parsed, valid pipeline spec: the engine-neutral plan plus what the platform needs to run it.
 *
 * @param project the project the pipeline belongs to ({@code default} when the spec names none)
 * @param schedules cron expressions; empty when the pipeline only runs on demand
 * @param slowAfter per source name, how long reading it may take before it counts as slow ({@code slow-after}); sources
 *     without one use {@code pipelines.source-slow-after}
 * @param quarantineLimit the largest share of read rows a run may quarantine before it is reported ({@code quarantine-limit});
 *     empty for {@code pipelines.max-quarantine-rate}
 * @param sensitive per published dataset, its sensitive columns (an output's {@code sensitive}); datasets without any are absent
 */
public record PipelineSpec(String name, String project, String description, String engine, List<CronExpression> schedules,
                           RetryPolicy retry, PipelinePlan plan, Map<String, Duration> slowAfter, OptionalDouble quarantineLimit,
                           Map<String, SensitiveColumns> sensitive) {
    public PipelineSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(engine, "engine");
        schedules = List.copyOf(schedules);
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(plan, "plan");
        slowAfter = Map.copyOf(slowAfter);
        Objects.requireNonNull(quarantineLimit, "quarantineLimit");
        sensitive = Map.copyOf(sensitive);
    }

    /** A spec with no sensitive columns. */
    public PipelineSpec(String name, String project, String description, String engine, List<CronExpression> schedules,
                        RetryPolicy retry, PipelinePlan plan, Map<String, Duration> slowAfter, OptionalDouble quarantineLimit) {
        this(name, project, description, engine, schedules, retry, plan, slowAfter, quarantineLimit, Map.of());
    }

    /** The published datasets that have sensitive columns. */
    public java.util.Set<String> sensitiveDatasets() {
        return sensitive.keySet();
    }

    /** The sensitive columns declared for a published dataset; none when it declares none. */
    public SensitiveColumns sensitive(String dataset) {
        return sensitive.getOrDefault(dataset, SensitiveColumns.none());
    }

    /** A spec with no per-source slow limits and no quarantine limit of its own. */
    public PipelineSpec(String name, String project, String description, String engine, List<CronExpression> schedules,
                        RetryPolicy retry, PipelinePlan plan) {
        this(name, project, description, engine, schedules, retry, plan, Map.of(), OptionalDouble.empty(), Map.of());
    }
}
