package dev.keel.spi.data;

import java.util.Arrays;
import java.util.List;

/** A small table read into memory: column names, their profile types, and rows of Java values (null for SQL NULL). */
public record TableData(List<String> columns, List<String> types, List<Object[]> rows) {
    public TableData {
        columns = List.copyOf(columns);
        types = List.copyOf(types);
        rows = rows.stream().map(Object[]::clone).toList();
        for (Object[] row : rows) {
            if (row.length != columns.size()) {
                throw new IllegalArgumentException("row " + Arrays.toString(row) + " has " + row.length + " values for "
                        + columns.size() + " columns");
            }
        }
    }
}
