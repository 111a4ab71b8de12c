package dev.keel.core.data;

import dev.keel.spi.data.PipelinePlan;
import java.util.List;
import java.util.Objects;

/**
 * A parsed, valid pipeline spec: the engine-neutral plan plus what the platform needs to run it.
 *
 * @param project the project the pipeline belongs to ({@code default} when the spec names none)
 * @param schedules cron expressions; empty when the pipeline only runs on demand
 */
public record PipelineSpec(String name, String project, String description, String engine, List<CronExpression> schedules,
                           RetryPolicy retry, PipelinePlan plan) {
    public PipelineSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(engine, "engine");
        schedules = List.copyOf(schedules);
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(plan, "plan");
    }
}
