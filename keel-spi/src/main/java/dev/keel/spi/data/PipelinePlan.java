package dev.keel.spi.data;

import java.util.List;
import java.util.Objects;

/**
 * The engine-neutral part of a pipeline spec: what to read, compute, check and write. Lists keep the order of the spec,
 * so {@code steps[2]} in an error is the third step of the file.
 *
 * @param quarantineDataset the dataset that receives quarantined rows with the rule they broke
 */
public record PipelinePlan(String pipeline, List<SourceSpec> sources, List<StepSpec> steps, List<Expectation> expectations,
                           List<OutputSpec> outputs, String quarantineDataset) {
    public PipelinePlan {
        Objects.requireNonNull(pipeline, "pipeline");
        sources = List.copyOf(sources);
        steps = List.copyOf(steps);
        expectations = List.copyOf(expectations);
        outputs = List.copyOf(outputs);
        Objects.requireNonNull(quarantineDataset, "quarantineDataset");
    }
}
