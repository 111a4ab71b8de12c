package dev.keel.core.serving;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.util.List;

/**
 * How much one prediction call may carry, checked while its body is read and before anything of its size is built.
 *
 * @param maxRows the most rows (records, or values per column) of one call to Keel's predict API
 *     ({@code serving.max-rows-per-request})
 * @param maxTensorElements the most values of one call: cells of a predict call, elements summed over the inputs of a v2
 *     inference call ({@code serving.max-tensor-elements})
 */
public record InputLimits(int maxRows, int maxTensorElements) {
    private static final String ROWS_SETTING = "serving.max-rows-per-request, or the endpoint's lower maxRowsPerRequest";
    private static final String ELEMENTS_SETTING = "serving.max-tensor-elements, or the endpoint's lower maxTensorElements";
    /** The default of {@code serving.max-rows-per-request}. */
    public static final int DEFAULT_MAX_ROWS = 10_000;
    /** The default of {@code serving.max-tensor-elements}. */
    public static final int DEFAULT_MAX_TENSOR_ELEMENTS = 1_000_000;

    public InputLimits {
        KeelException.requireArgument(maxRows >= 1, "maxRows must be >= 1, got %d", maxRows);
        KeelException.requireArgument(maxTensorElements >= 1, "maxTensorElements must be >= 1, got %d", maxTensorElements);
    }

    /** The defaults. */
    public static InputLimits defaults() {
        return new InputLimits(DEFAULT_MAX_ROWS, DEFAULT_MAX_TENSOR_ELEMENTS);
    }

    /** Fails with 413 naming the field and the limit when a call sends more rows than allowed. */
    public void checkRows(String field, long rows) {
        if (rows > maxRows) {
            throw new KeelException(ErrorCode.PAYLOAD_TOO_LARGE, "'" + field + "' has " + rows + " rows; at most " + maxRows
                    + " rows a call (" + ROWS_SETTING + "); split the call",
                    List.of(new KeelException.FieldError(field, "expected at most " + maxRows + " rows")));
        }
    }

    /**
     * The number of elements a shape holds, or a 413 naming the input when it is more than allowed (an overflowing product
     * included); {@code alreadyTaken} counts the elements of the call's earlier inputs.
     */
    public long checkElements(String input, long[] shape, long alreadyTaken) {
        long count = 1;
        boolean tooMany = false;
        for (long dimension : shape) {
            if (dimension < 0) {
                throw new KeelException(ErrorCode.INVALID_REQUEST, "input '" + input + "' has shape " + java.util.Arrays.toString(shape)
                        + "; dimensions must be integers >= 0", List.of(new KeelException.FieldError(input + ".shape", "expected integers >= 0")));
            }
            try {
                count = Math.multiplyExact(count, dimension);
            } catch (ArithmeticException e) {
                tooMany = true;
                break;
            }
        }
        if (tooMany || count > maxTensorElements - alreadyTaken) {
            throw new KeelException(ErrorCode.PAYLOAD_TOO_LARGE, "input '" + input + "' has shape " + java.util.Arrays.toString(shape)
                    + ", which holds " + (tooMany ? "more than " + Long.MAX_VALUE : Long.toString(count)) + " elements; a call may carry at most "
                    + maxTensorElements + " elements over all its inputs (" + ELEMENTS_SETTING + ")",
                    List.of(new KeelException.FieldError(input + ".shape", "expected at most " + maxTensorElements + " elements")));
        }
        return count;
    }

    /** The 413 for a body that holds more values than a call may carry. */
    public KeelException tooManyValues() {
        return new KeelException(ErrorCode.PAYLOAD_TOO_LARGE, "the body holds more than " + maxTensorElements + " values; a call may carry at most "
                + maxTensorElements + " values (" + ELEMENTS_SETTING + ") and " + maxRows + " rows (" + ROWS_SETTING + "); split the call");
    }
}
