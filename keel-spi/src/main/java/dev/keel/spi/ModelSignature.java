package dev.keel.spi;

import java.util.List;
import java.util.Optional;

/** The inputs and outputs a model declares, read from its artifact. */
public record ModelSignature(List<TensorSpec> inputs, List<TensorSpec> outputs) {
    public ModelSignature {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /** The input with this name, if the model has one. */
    public Optional<TensorSpec> input(String name) {
        for (TensorSpec spec : inputs) {
            if (spec.name().equals(name)) {
                return Optional.of(spec);
            }
        }
        return Optional.empty();
    }

    /** The output with this name, if the model has one. */
    public Optional<TensorSpec> output(String name) {
        for (TensorSpec spec : outputs) {
            if (spec.name().equals(name)) {
                return Optional.of(spec);
            }
        }
        return Optional.empty();
    }
}
