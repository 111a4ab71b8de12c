package dev.keel.core.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.FloatNode;
import com.fasterxml.jackson.databind.node.IntNode;
import dev.keel.spi.DataType;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CellsTest {
    @Test
    void convert_nonFiniteDoubleForAnIntegerInput_isABadValueNotNumberFormatException() {
        // found by InputLayoutFuzzTest: 1e400 reads as an infinite double, whose decimalValue() threw NumberFormatException
        for (var node : new com.fasterxml.jackson.databind.JsonNode[] {DoubleNode.valueOf(Double.POSITIVE_INFINITY),
                DoubleNode.valueOf(Double.NaN), FloatNode.valueOf(Float.NEGATIVE_INFINITY)}) {
            assertThatThrownBy(() -> Cells.convert(node, DataType.INT64, Optional.empty(), false))
                    .isInstanceOf(Cells.BadValue.class)
                    .hasMessageContaining("expected an integer, got");
        }
    }

    @Test
    void convert_integralDoubleForAnIntegerInput_isTheInteger() throws Exception {
        assertThat(Cells.convert(DoubleNode.valueOf(42.0), DataType.INT64, Optional.empty(), false)).isEqualTo(42L);
        assertThat(Cells.convert(IntNode.valueOf(7), DataType.UINT8, Optional.empty(), false)).isEqualTo(7L);
    }
}
