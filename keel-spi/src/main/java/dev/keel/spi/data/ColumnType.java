package dev.keel.spi.data;

import java.util.Locale;
import java.util.Optional;

/** The column types a spec can cast to, named as in specs ({@code integer}, {@code double}, …). */
public enum ColumnType {
    STRING, INTEGER, DOUBLE, BOOLEAN, DATE, TIMESTAMP;

    /** The spec spelling, lower case. */
    public String specName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a spec spelling. */
    public static Optional<ColumnType> parse(String text) {
        for (ColumnType type : values()) {
            if (type.specName().equals(text)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
