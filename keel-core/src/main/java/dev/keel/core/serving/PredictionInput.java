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
            for (Tensor tensor : tensors.values()) {
                if (tensor.rank() > 0) {
                    return (int) tensor.dimension(0);
                }
            }
            return 1;
        }
    }
}
