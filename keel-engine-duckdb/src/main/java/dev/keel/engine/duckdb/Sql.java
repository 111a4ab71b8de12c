package dev.keel.engine.duckdb;

import dev.keel.spi.data.ColumnType;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** SQL text helpers: quoting and type names. */
final class Sql {
    private Sql() {
    }

    static String id(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    static String ids(List<String> identifiers) {
        return identifiers.stream().map(Sql::id).collect(Collectors.joining(", "));
    }

    static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    static String duckType(ColumnType type) {
        return switch (type) {
            case STRING -> "VARCHAR";
            case INTEGER -> "BIGINT";
            case DOUBLE -> "DOUBLE";
            case BOOLEAN -> "BOOLEAN";
            case DATE -> "DATE";
            case TIMESTAMP -> "TIMESTAMP";
        };
    }

    /** The engine-neutral name of a DuckDB type, as used in profiles and schema rules. */
    static String neutralType(String duckType) {
        String type = duckType.toUpperCase(Locale.ROOT);
        if (type.equals("VARCHAR") || type.startsWith("VARCHAR(")) {
            return "string";
        }
        if (List.of("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT",
                "UHUGEINT").contains(type)) {
            return "integer";
        }
        if (type.equals("DOUBLE") || type.equals("FLOAT") || type.startsWith("DECIMAL")) {
            return "double";
        }
        if (type.equals("BOOLEAN")) {
            return "boolean";
        }
        if (type.equals("DATE")) {
            return "date";
        }
        if (type.startsWith("TIMESTAMP")) {
            return "timestamp";
        }
        return "other:" + type.toLowerCase(Locale.ROOT);
    }
}
