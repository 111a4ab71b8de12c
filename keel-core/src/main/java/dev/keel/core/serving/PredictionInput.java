package dev.keel.core.serving;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.spi.Tensor;
import java.util.List;
import java.util.Map;

/** What a caller sends to score: records of named feature values, or tensors by input name (the v2 protocol). */
public sealed interface PredictionInput {
    /** The number of rows. */
    int rowCount();

    /** One JSON object per row, from feature (or input) name to value. */
    record Records(List<JsonNode> rows) implements PredictionInput {
        public Records {
            rows = List.copyOf(rows);
        }

        @Override
        public int rowCount() {
            return rows.size();
        }
    }

    /** Tensors given whole, by input name. */
    record Tensors(Map<String, Tensor> tensors) implements PredictionInput {
        public Tensors {
            tensors = Map.copyOf(tensors);
        }

        @Override
        public int rowCount() {
            return tensors.values().stream().filter(tensor -> tensor.shape().length > 0).mapToInt(tensor -> (int) tensor.shape()[0])
                    .findFirst().orElse(1);
        }
    }
}
