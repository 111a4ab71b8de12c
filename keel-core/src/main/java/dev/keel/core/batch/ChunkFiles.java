package dev.keel.core.batch;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Writes a chunk's rows as Parquet files through DuckDB's JDBC driver (found by URL; keel-core compiles against no DuckDB class).
 * The rows go to a CSV file first, which DuckDB reads with declared column types and copies to Parquet, with the run columns added
 * as constants: binding values one by one through JDBC is several times slower than DuckDB's CSV reader. Files are written under a
 * temporary directory, fsynced and renamed into place, so a reader sees a chunk's file whole or not at all; writing a chunk again
 * replaces its files and removes those it no longer has.
 */
final class ChunkFiles implements AutoCloseable {
    private final List<ScoringPlan.OutputColumn> columns;
    private final List<String> partitionBy;
    private final String prefix;
    private Connection duckdb;

    /**
     * @param columns the output columns (without the run columns)
     * @param partitionBy columns whose values name Hive-style sub-directories ({@code label=bad/})
     * @param prefix the start of every file name, unique to the run ({@code part-<hash of run id>})
     */
    ChunkFiles(List<ScoringPlan.OutputColumn> columns, List<String> partitionBy, String prefix) {
        this.columns = List.copyOf(columns);
        this.partitionBy = List.copyOf(partitionBy);
        this.prefix = prefix;
    }

    /** A chunk's file name without the extension: chunk numbers are zero-padded, so names sort in chunk order. */
    String name(int chunk) {
        return prefix + "-" + String.format(Locale.ROOT, "%06d", chunk);
    }

    /**
     * Writes chunk {@code chunk} into {@code directory}, replacing what an earlier attempt wrote of it.
     *
     * @param temporary a directory on the same file system, for the CSV and the files before their rename; emptied and removed
     * @return the files written, relative to {@code directory}
     */
    List<Path> write(Path directory, Path temporary, int chunk, List<Object[]> rows, Object[] runValues) {
        try {
            deleteTree(temporary);
            Files.createDirectories(temporary);
            List<Path> written = new ArrayList<>();
            if (!rows.isEmpty()) {
                Path csv = temporary.resolve("chunk.csv");
                writeCsv(csv, rows);
                Path out = temporary.resolve("out");
                if (partitionBy.isEmpty()) {
                    Files.createDirectories(out);
                }
                copyToParquet(csv, partitionBy.isEmpty() ? out.resolve(name(chunk) + ".parquet") : out, chunk, runValues);
                Files.delete(csv);
                try (Stream<Path> files = Files.walk(out)) {
                    for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                        Path relative = out.relativize(file);
                        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                            channel.force(true);
                        }
                        Path target = directory.resolve(relative);
                        Files.createDirectories(target.getParent());
                        move(file, target);
                        written.add(relative);
                    }
                }
            }
            Set<Path> kept = new HashSet<>(written);
            for (Path old : files(directory, chunk)) {
                if (!kept.contains(directory.relativize(old))) {
                    Files.delete(old);
                }
            }
            for (Path relative : written) {
                forceDirectory(directory.resolve(relative).getParent());
            }
            deleteTree(temporary);
            return List.copyOf(written);
        } catch (IOException e) {
            throw new KeelException(ErrorCode.INTERNAL, "cannot write chunk " + chunk + " to " + directory + ": " + e.getMessage(), e);
        }
    }

    /** The files of chunk {@code chunk} in {@code directory} and its partition directories. */
    List<Path> files(Path directory, int chunk) throws IOException {
        String base = name(chunk);
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile).filter(file -> {
                String name = file.getFileName().toString();
                return name.equals(base + ".parquet") || name.startsWith(base + "_") && name.endsWith(".parquet");
            }).toList();
        }
    }

    private void writeCsv(Path csv, List<Object[]> rows) throws IOException {
        int width = columns.size();
        try (Writer out = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(csv), StandardCharsets.UTF_8), 1 << 16)) {
            StringBuilder line = new StringBuilder(256);
            for (Object[] row : rows) {
                line.setLength(0);
                for (int i = 0; i < width; i++) {
                    if (i > 0) {
                        line.append(',');
                    }
                    csvField(line, row[i]);
                }
                line.append('\n');
                out.append(line);
            }
        }
    }

    /** One CSV field: empty and unquoted for NULL; text always quoted, so that {@code ""} is the empty string. */
    static void csvField(StringBuilder out, Object value) {
        switch (value) {
            case null -> {
            }
            case Boolean bool -> out.append(bool);
            case Double number -> out.append(Double.toString(number));
            case Float number -> out.append(Double.toString(number.doubleValue()));
            case Number number -> out.append(number);
            default -> {
                String text = value.toString();
                out.append('"');
                for (int i = 0; i < text.length(); i++) {
                    char c = text.charAt(i);
                    if (c == '"') {
                        out.append('"');
                    }
                    out.append(c);
                }
                out.append('"');
            }
        }
    }

    private void copyToParquet(Path csv, Path out, int chunk, Object[] runValues) throws IOException {
        String types = columns.stream().map(column -> literal(column.name()) + ": " + literal(duckType(column.sqlType())))
                .collect(Collectors.joining(", "));
        StringBuilder select = new StringBuilder("SELECT *");
        List<ScoringPlan.OutputColumn> run = TableWriter.RUN_COLUMNS;
        for (int i = 0; i < run.size(); i++) {
            Object value = runValues[i];
            select.append(", ").append(value instanceof Number ? value.toString() : literal(value.toString())).append("::")
                    .append(duckType(run.get(i).sqlType())).append(" AS ").append(ParquetInput.quote(run.get(i).name()));
        }
        select.append(" FROM read_csv(").append(literal(csv.toString())).append(", header = false, auto_detect = false, delim = ',',"
                + " quote = '\"', escape = '\"', allow_quoted_nulls = false, parallel = false, columns = {").append(types).append("})");
        String options = partitionBy.isEmpty() ? "FORMAT parquet" : "FORMAT parquet, PARTITION_BY (" + partitionBy.stream()
                .map(ParquetInput::quote).collect(Collectors.joining(", ")) + "), FILENAME_PATTERN " + literal(name(chunk) + "_{i}");
        try (Statement statement = connection().createStatement()) {
            statement.execute("COPY (" + select + ") TO " + literal(out.toString()) + " (" + options + ")");
        } catch (SQLException e) {
            throw new KeelException(ErrorCode.INTERNAL, "DuckDB cannot write chunk " + chunk + " as Parquet: " + e.getMessage(), e);
        }
    }

    /** DuckDB's in-memory database, opened at the first chunk. */
    Connection connection() {
        if (duckdb == null) {
            try {
                duckdb = DriverManager.getConnection("jdbc:duckdb:");
            } catch (SQLException e) {
                throw new KeelException(ErrorCode.UNAVAILABLE, "cannot open DuckDB to write Parquet: " + e.getMessage(), e);
            }
        }
        return duckdb;
    }

    static String duckType(String sqlType) {
        return switch (sqlType) {
            case "DOUBLE PRECISION" -> "DOUBLE";
            case "TEXT" -> "VARCHAR";
            default -> sqlType;
        };
    }

    static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    /** Renames atomically, replacing an earlier file of the same name. */
    static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new KeelException(ErrorCode.INVALID_CONFIG, "cannot rename '" + from + "' to '" + to + "' atomically; put batch.output-root"
                    + " on one local file system", e);
        }
    }

    /** Fsyncs a directory; some file systems cannot open directories, where the rename is atomic all the same. */
    static void forceDirectory(Path path) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException ignored) {
            // best effort for directories
        }
    }

    static void deleteTree(Path directory) {
        if (!Files.exists(directory, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (duckdb != null) {
            try {
                duckdb.close();
            } catch (SQLException ignored) {
                // an in-memory database holds nothing to lose
            }
            duckdb = null;
        }
    }
}
