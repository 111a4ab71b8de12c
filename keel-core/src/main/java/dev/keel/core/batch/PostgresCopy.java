package dev.keel.core.batch;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Collectors;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Loads a chunk into a PostgreSQL table with {@code COPY … FROM STDIN} in text format, through pgjdbc's {@code CopyManager}. An upsert
 * copies into a temporary table dropped at commit, then inserts from it with {@code ON CONFLICT (keys) DO UPDATE}; when a key occurs
 * twice in a chunk the later row wins, as with one INSERT per row. The only class of keel-core that touches the driver's API, loaded
 * only for a PostgreSQL destination.
 */
final class PostgresCopy {
    private static final int FLUSH_BYTES = 1 << 20;
    private static final String ORDINAL = "keel_ordinal";

    private PostgresCopy() {
    }

    /** Copies the rows (each the output columns' values, then the run's) into {@code table}; upserts by {@code keys} when non-empty. */
    static int write(Connection connection, String table, List<ScoringPlan.OutputColumn> columns, List<String> keys, List<Object[]> rows,
                     Object[] runValues) throws SQLException {
        String names = columns.stream().map(column -> ParquetInput.quote(column.name())).collect(Collectors.joining(", "));
        if (keys.isEmpty()) {
            return copy(connection, ParquetInput.quote(table) + " (" + names + ")", columns.size(), rows, runValues);
        }
        String temporary = ParquetInput.quote(ScoringRun.hashedName("keel_copy_", table));
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TEMPORARY TABLE " + temporary + " (" + columns.stream().map(column -> ParquetInput.quote(column.name()) + " "
                    + column.sqlType()).collect(Collectors.joining(", ")) + ", " + ORDINAL + " BIGINT GENERATED ALWAYS AS IDENTITY) ON COMMIT DROP");
            copy(connection, temporary + " (" + names + ")", columns.size(), rows, runValues);
            String keyList = keys.stream().map(ParquetInput::quote).collect(Collectors.joining(", "));
            String updates = columns.stream().filter(column -> !keys.contains(column.name()))
                    .map(column -> ParquetInput.quote(column.name()) + " = excluded." + ParquetInput.quote(column.name()))
                    .collect(Collectors.joining(", "));
            statement.executeUpdate("INSERT INTO " + ParquetInput.quote(table) + " (" + names + ") SELECT DISTINCT ON (" + keyList + ") " + names
                    + " FROM " + temporary + " ORDER BY " + keyList + ", " + ORDINAL + " DESC ON CONFLICT (" + keyList + ") DO UPDATE SET " + updates);
            statement.execute("DROP TABLE " + temporary);
        }
        return rows.size();
    }

    private static int copy(Connection connection, String target, int width, List<Object[]> rows, Object[] runValues) throws SQLException {
        CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + target + " FROM STDIN (FORMAT text)");
        try {
            int outputs = width - runValues.length;
            StringBuilder runText = new StringBuilder();
            for (Object value : runValues) {
                runText.append('\t');
                append(runText, value);
            }
            runText.append('\n');
            StringBuilder text = new StringBuilder(FLUSH_BYTES + 4096);
            for (Object[] row : rows) {
                for (int i = 0; i < outputs; i++) {
                    if (i > 0) {
                        text.append('\t');
                    }
                    append(text, row[i]);
                }
                if (outputs == 0) {
                    text.append(runText, 1, runText.length());
                } else {
                    text.append(runText);
                }
                if (text.length() >= FLUSH_BYTES) {
                    flush(copy, text);
                }
            }
            flush(copy, text);
            copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
        return rows.size();
    }

    private static void flush(CopyIn copy, StringBuilder text) throws SQLException {
        if (!text.isEmpty()) {
            byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
            copy.writeToCopy(bytes, 0, bytes.length);
            text.setLength(0);
        }
    }

    /** One field of COPY's text format: {@code \N} for NULL; backslash, tab, newline and carriage return escaped in text. */
    static void append(StringBuilder out, Object value) {
        switch (value) {
            case null -> out.append("\\N");
            case Boolean bool -> out.append(bool ? 't' : 'f');
            case Double number -> out.append(Double.toString(number));
            case Float number -> out.append(Double.toString(number.doubleValue()));
            case Long number -> out.append(number.longValue());
            case Integer number -> out.append(number.intValue());
            case Number number -> out.append(number);
            default -> {
                String text = value.toString();
                for (int i = 0; i < text.length(); i++) {
                    char c = text.charAt(i);
                    switch (c) {
                        case '\\' -> out.append("\\\\");
                        case '\t' -> out.append("\\t");
                        case '\n' -> out.append("\\n");
                        case '\r' -> out.append("\\r");
                        default -> out.append(c);
                    }
                }
            }
        }
    }
}
