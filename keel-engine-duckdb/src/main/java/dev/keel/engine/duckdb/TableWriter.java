package dev.keel.engine.duckdb;

import dev.keel.spi.data.DataEngineException;
import dev.keel.spi.data.DataEngineException.Kind;
import dev.keel.spi.data.ExecutionContext;
import dev.keel.spi.data.OutputSpec;
import dev.keel.spi.data.ValueRef;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.duckdb.DuckDBConnection;

/** Copies a relation into a table of another database over JDBC, in one transaction. */
final class TableWriter {
    private static final int BATCH = 5_000;

    private final DuckDBConnection duck;
    private final ExecutionContext context;

    TableWriter(DuckDBConnection duck, ExecutionContext context) {
        this.duck = duck;
        this.context = context;
    }

    void write(String relation, OutputSpec.JdbcTable target, String path) throws SQLException {
        Map<String, String> columns = Profiler.columns(duck, Sql.id(relation));
        Properties properties = new Properties();
        String user = context.secrets().resolve(target.user());
        if (!user.isEmpty()) {
            properties.setProperty("user", user);
        }
        if (!(target.password() instanceof ValueRef.Literal literal && literal.value().isEmpty())) {
            properties.setProperty("password", context.secrets().resolve(target.password()));
        }
        List<String> definitions = new ArrayList<>();
        List<String> names = new ArrayList<>(columns.keySet());
        for (String name : names) {
            definitions.add(Sql.id(name) + " " + remoteType(Sql.neutralType(columns.get(name))));
        }
        try (Connection remote = DriverManager.getConnection(target.url(), properties)) {
            remote.setAutoCommit(false);
            try (Statement statement = remote.createStatement()) {
                if (target.mode() == OutputSpec.TableMode.REPLACE) {
                    statement.execute("DROP TABLE IF EXISTS " + target.table());
                }
                statement.execute("CREATE TABLE IF NOT EXISTS " + target.table() + " (" + String.join(", ", definitions) + ")");
            }
            String insert = "INSERT INTO " + target.table() + " (" + Sql.ids(names) + ") VALUES ("
                    + String.join(", ", Collections.nCopies(names.size(), "?")) + ")";
            try (PreparedStatement statement = remote.prepareStatement(insert);
                 Statement read = duck.createStatement();
                 ResultSet rows = read.executeQuery("SELECT * FROM " + Sql.id(relation))) {
                int pending = 0;
                while (rows.next()) {
                    for (int column = 1; column <= names.size(); column++) {
                        Object value = rows.getObject(column);
                        if (value instanceof java.time.LocalDateTime || value instanceof java.time.LocalDate) {
                            statement.setObject(column, value);
                        } else if (value instanceof java.sql.Timestamp timestamp) {
                            statement.setObject(column, timestamp.toLocalDateTime());
                        } else {
                            statement.setObject(column, value);
                        }
                    }
                    statement.addBatch();
                    if (++pending == BATCH) {
                        statement.executeBatch();
                        pending = 0;
                    }
                }
                if (pending > 0) {
                    statement.executeBatch();
                }
            }
            remote.commit();
        } catch (SQLException e) {
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            Kind kind = state.startsWith("08") || state.startsWith("57P") ? Kind.TRANSIENT : Kind.SOURCE;
            throw new DataEngineException(kind, path, "cannot write table '" + target.table() + "': " + SourceLoader.firstLine(e), e);
        }
    }

    private static String remoteType(String neutral) {
        return switch (neutral) {
            case "integer" -> "BIGINT";
            case "double" -> "DOUBLE PRECISION";
            case "boolean" -> "BOOLEAN";
            case "date" -> "DATE";
            case "timestamp" -> "TIMESTAMP";
            default -> "TEXT";
        };
    }
}
