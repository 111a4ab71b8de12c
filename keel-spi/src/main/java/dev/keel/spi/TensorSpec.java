package dev.keel.spi;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The declared name, element type and shape of one model input or output; a dimension of -1 is dynamic.
 *
 * @param kind {@code tensor} for plain tensors, otherwise the runtime's word for the value (for example {@code sequence<map>})
 */
public record TensorSpec(String name, DataType type, List<Long> shape, String kind) {
    public TensorSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        shape = List.copyOf(shape);
        Objects.requireNonNull(kind, "kind");
    }

    public TensorSpec(String name, DataType type, long... shape) {
        this(name, type, Arrays.stream(shape).boxed().toList(), "tensor");
    }

    /** The number of dimensions. */
    public int rank() {
        return shape.size();
    }
}
