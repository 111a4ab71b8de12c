package dev.keel.spi;

import java.util.Locale;
import java.util.Optional;

/** An element type of a tensor, named as in the Open Inference Protocol v2. */
public enum DataType {
    BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, FP32, FP64, BYTES;

    /** Parses a protocol name such as {@code FP32}, case-insensitively. */
    public static Optional<DataType> parse(String name) {
        try {
            return Optional.of(valueOf(name.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** True for the floating-point types. */
    public boolean isFloating() {
        return this == FP16 || this == FP32 || this == FP64;
    }

    /** True for the integer types, signed or not. */
    public boolean isInteger() {
        return switch (this) {
            case UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64 -> true;
            case BOOL, FP16, FP32, FP64, BYTES -> false;
        };
    }
}
