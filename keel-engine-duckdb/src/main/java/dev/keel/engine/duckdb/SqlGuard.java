package dev.keel.engine.duckdb;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Judges user SQL before it runs, from DuckDB's own parse tree ({@code json_serialize_sql}): one SELECT statement only,
 * reading only the step's inputs, calling no function that reads files, the engine's settings or runs SQL from a string.
 * The locked sandbox refuses file access anyway; this pass names what was refused instead of echoing DuckDB's message.
 */
final class SqlGuard {
    /** Table functions that only compute rows; every other table function is refused. */
    private static final Set<String> TABLE_FUNCTIONS = Set.of("range", "generate_series", "unnest", "json_each", "json_tree",
            "repeat", "repeat_row", "generate_subscripts");
    private static final Set<String> FILE_FUNCTIONS = Set.of("glob", "parquet_scan", "sniff_csv", "csv_scan", "iceberg_scan",
            "delta_scan", "sqlite_scan", "sqlite_attach", "postgres_scan", "postgres_attach", "mysql_scan", "load_aws_credentials");
    private static final Set<String> ENGINE_FUNCTIONS = Set.of("current_setting", "getenv", "getvariable", "which_secret",
            "checkpoint", "force_checkpoint");
    private static final Set<String> DYNAMIC_FUNCTIONS = Set.of("query", "query_table", "json_execute_serialized_sql",
            "json_serialize_sql", "json_deserialize_sql", "json_serialize_plan");

    private final Connection duck;

    SqlGuard(Connection duck) {
        this.duck = duck;
    }

    /**
     * Why a query may not run, or empty when it may.
     *
     * @param subject how the message names the query's owner, for example {@code step 'x'}
     * @param inputs the relations the query may read
     */
    Optional<String> refusal(String subject, String query, Set<String> inputs) throws SQLException {
        String tree = serialize(query);
        String[] head = head(tree);
        if (Boolean.parseBoolean(head[0])) {
            if (head[1].startsWith("Only SELECT")) {
                return Optional.of(subject + ": the query must be one SELECT statement; COPY, ATTACH, SET, RESET, PRAGMA,"
                        + " INSTALL, LOAD, EXPORT, IMPORT and other statements are not allowed in pipeline SQL");
            }
            return Optional.of(subject + ": the query does not parse: " + head[1]);
        }
        if (Long.parseLong(head[2]) != 1) {
            return Optional.of(subject + ": the query holds " + head[2] + " statements; pipeline SQL is one SELECT statement"
                    + " (remove the ';' between statements)");
        }
        for (String function : strings(tree, "SELECT DISTINCT lower(value->>'function_name') FROM json_tree(?::JSON)"
                + " WHERE type = 'OBJECT' AND value->>'function_name' IS NOT NULL")) {
            Optional<String> why = functionRefusal(function);
            if (why.isPresent()) {
                return Optional.of(subject + ": the function " + function + " " + why.get() + " and is not allowed in pipeline SQL"
                        + (why.get().startsWith("reads files") ? "; sources are declared under 'sources'" : ""));
            }
        }
        for (String function : strings(tree, "SELECT DISTINCT lower(value->'function'->>'function_name') FROM json_tree(?::JSON)"
                + " WHERE type = 'OBJECT' AND value->>'type' = 'TABLE_FUNCTION'")) {
            if (!TABLE_FUNCTIONS.contains(function)) {
                return Optional.of(subject + ": the table function " + function + " is not allowed in pipeline SQL; allowed table"
                        + " functions are " + TABLE_FUNCTIONS.stream().sorted().toList());
            }
        }
        Set<String> readable = new LinkedHashSet<>();
        inputs.forEach(input -> readable.add(input.toLowerCase(Locale.ROOT)));
        for (String cte : strings(tree, "SELECT DISTINCT lower(unnest(json_extract_string(value, '$.map[*].key')))"
                + " FROM json_tree(?::JSON) WHERE key = 'cte_map'")) {
            readable.add(cte);
        }
        try (PreparedStatement statement = duck.prepareStatement("SELECT DISTINCT value->>'table_name', value->>'schema_name',"
                + " value->>'catalog_name' FROM json_tree(?::JSON) WHERE type = 'OBJECT' AND value->>'type' = 'BASE_TABLE'")) {
            statement.setString(1, tree);
            try (ResultSet tables = statement.executeQuery()) {
                while (tables.next()) {
                    String table = tables.getString(1);
                    boolean qualified = !tables.getString(2).isEmpty() || !tables.getString(3).isEmpty();
                    if (qualified || !readable.contains(table.toLowerCase(Locale.ROOT))) {
                        String written = qualified ? String.join(".", List.of(tables.getString(3), tables.getString(2), table)
                                .stream().filter(part -> !part.isEmpty()).toList()) : table;
                        return Optional.of(subject + ": the query reads '" + written + "', which is not "
                                + (table.contains("/") || table.contains(".") ? "a relation of the pipeline (files are read as"
                                + " sources, declared under 'sources')" : "one of its inputs " + inputs.stream().sorted().toList()));
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> functionRefusal(String function) {
        if (function.startsWith("read_") || function.startsWith("parquet_") || FILE_FUNCTIONS.contains(function)) {
            return Optional.of("reads files");
        }
        if (function.startsWith("duckdb_") || function.startsWith("pragma_") || ENGINE_FUNCTIONS.contains(function)) {
            return Optional.of("reads the engine's settings or catalog");
        }
        if (DYNAMIC_FUNCTIONS.contains(function) || function.startsWith("json_execute")) {
            return Optional.of("runs SQL from a string");
        }
        return Optional.empty();
    }

    private String serialize(String query) throws SQLException {
        try (PreparedStatement statement = duck.prepareStatement("SELECT json_serialize_sql(?::VARCHAR)")) {
            statement.setString(1, query);
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                return result.getString(1);
            }
        }
    }

    /** The error flag, error message and number of statements. */
    private String[] head(String tree) throws SQLException {
        try (PreparedStatement statement = duck.prepareStatement("SELECT coalesce(json_extract_string(j, '$.error'), 'false'),"
                + " coalesce(json_extract_string(j, '$.error_message'), ''), coalesce(json_array_length(j, '$.statements'), 0)"
                + " FROM (SELECT ?::JSON AS j)")) {
            statement.setString(1, tree);
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                return new String[] {result.getString(1), result.getString(2), Long.toString(result.getLong(3))};
            }
        }
    }

    private List<String> strings(String tree, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (PreparedStatement statement = duck.prepareStatement(sql)) {
            statement.setString(1, tree);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    Object value = rows.getObject(1);
                    if (value instanceof Array array) {
                        for (Object element : (Object[]) array.getArray()) {
                            values.add(String.valueOf(element));
                        }
                    } else if (value != null) {
                        values.add(value.toString());
                    }
                }
            }
        }
        return values;
    }
}
