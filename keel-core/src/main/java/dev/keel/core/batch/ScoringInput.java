package dev.keel.core.batch;

import dev.keel.spi.data.ColumnType;
import java.util.List;
import java.util.Objects;

/** The rows a scoring run reads, in a fixed order, so that row {@code n} is the same row every time the input is opened. */
public interface ScoringInput extends AutoCloseable {
    /** Gives back what the input holds (a decrypted snapshot copy); nothing by default. */
    @Override
    default void close() {
    }

    /** The input's columns. */
    List<Column> columns();

    /** A cursor over the rows from {@code firstRow} (0-based) to the end, streamed rather than read into memory. */
    Cursor rows(long firstRow);

    /** How many rows the input holds, when that can be known without reading them all (it gives progress its total). */
    default java.util.OptionalLong count() {
        return java.util.OptionalLong.empty();
    }

    /**
     * One input column.
     *
     * @param declared the source's own name for the type, for messages ({@code VARCHAR}, {@code BIGINT})
     */
    record Column(String name, ColumnType type, String declared) {
        public Column {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(declared, "declared");
        }
    }

    /** Rows read in batches; each row holds one Java value (or null) per column, in {@link #columns()} order. */
    interface Cursor extends AutoCloseable {
        /** Up to {@code max} next rows; empty at the end. */
        List<Object[]> next(int max);

        @Override
        void close();
    }
}
