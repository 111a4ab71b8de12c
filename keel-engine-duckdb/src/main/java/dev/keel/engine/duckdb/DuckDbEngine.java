package dev.keel.engine.duckdb;

import dev.keel.spi.data.DataEngine;
import dev.keel.spi.data.DataEngineException;
import dev.keel.spi.data.DataEngineException.Kind;
import dev.keel.spi.data.DatasetProfile;
import dev.keel.spi.data.EngineResult;
import dev.keel.spi.data.ExecutionContext;
import dev.keel.spi.data.PipelinePlan;
import dev.keel.spi.data.StepSpec;
import dev.keel.spi.data.TableData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.duckdb.DuckDBConnection;

/**
 * The embedded data engine: each run gets its own in-memory DuckDB database that spills into the run's staging directory.
 * Keel loads the sources, then locks the database (no file access but the staging directory, no extensions, configuration
 * locked) before any user SQL runs.
 */
public final class DuckDbEngine implements DataEngine {
    private final Options options;

    /**
     * Engine settings.
     *
     * @param memoryLimit a DuckDB size such as {@code 2GB}, or {@code ""} for DuckDB's default (80 % of RAM)
     * @param threads worker threads, 0 for one per core
     */
    public record Options(String memoryLimit, int threads) {
        public Options {
            Objects.requireNonNull(memoryLimit, "memoryLimit");
            if (!memoryLimit.isEmpty() && !memoryLimit.matches("\\d+(\\.\\d+)?\\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)")) {
                throw new IllegalArgumentException("memory-limit must be a size such as 2GB, got '" + memoryLimit + "'");
            }
            if (threads < 0) {
                throw new IllegalArgumentException("threads must be >= 0, got " + threads);
            }
        }
    }

    /** Settings from the system properties {@code keel.duckdb.memory-limit} and {@code keel.duckdb.threads}. */
    public DuckDbEngine() {
        this(new Options(System.getProperty("keel.duckdb.memory-limit", ""),
                Integer.parseInt(System.getProperty("keel.duckdb.threads", "0"))));
    }

    public DuckDbEngine(Options options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    @Override
    public String name() {
        return "duckdb";
    }

    @Override
    public EngineResult execute(PipelinePlan plan, ExecutionContext context) {
        try (DuckDBConnection duck = open()) {
            Path spill = context.stagingDirectory().toAbsolutePath().normalize().resolve("spill");
            Files.createDirectories(spill);
            try (Statement statement = duck.createStatement()) {
                statement.execute("SET temp_directory = " + Sql.literal(spill.toString()));
            }
            return new Execution(duck, plan, context).run();
        } catch (DataEngineException e) {
            throw e;
        } catch (SQLException e) {
            throw new DataEngineException(Kind.INTERNAL, "", "DuckDB failed: " + SourceLoader.firstLine(e), e);
        } catch (java.io.IOException e) {
            throw new DataEngineException(Kind.INTERNAL, "", "cannot prepare the staging directory: " + e.getMessage(), e);
        }
    }

    /** Runs the SQL guard over every SQL step and derive expression, so refused SQL is caught when a spec is registered. */
    @Override
    public List<Problem> check(PipelinePlan plan) {
        List<Problem> problems = new ArrayList<>();
        if (plan.steps().stream().noneMatch(step -> step instanceof StepSpec.Sql || step instanceof StepSpec.Derive)) {
            return problems;
        }
        try (DuckDBConnection duck = open()) {
            SqlGuard guard = new SqlGuard(duck);
            for (int index = 0; index < plan.steps().size(); index++) {
                String path = "steps[" + index + "]";
                switch (plan.steps().get(index)) {
                    case StepSpec.Sql sql -> guard.refusal("step '" + sql.name() + "'", sql.query(), Set.copyOf(sql.inputs()))
                            .ifPresent(message -> problems.add(new Problem(path + ".query", message)));
                    case StepSpec.Derive derive -> {
                        for (StepSpec.Derivation derivation : derive.columns()) {
                            guard.refusal("step '" + derive.name() + "', column '" + derivation.column() + "'", "SELECT *, ("
                                    + derivation.expression() + ") AS " + Sql.id(derivation.column()) + " FROM " + Sql.id(derive.input()),
                                    Set.of(derive.input())).ifPresent(message -> problems.add(new Problem(path + ".columns."
                                    + derivation.column(), message)));
                        }
                    }
                    default -> {
                        // The other steps take column names and literals only, which the engine quotes.
                    }
                }
            }
        } catch (SQLException e) {
            throw new DataEngineException(Kind.INTERNAL, "", "DuckDB failed while checking the plan: " + SourceLoader.firstLine(e), e);
        }
        return problems;
    }

    /**
     * The SQL guard's problems, then the plan run on empty tables of the sources' schemas (file sources only: their header,
     * schema or a sample of rows, read under the source roots) in a locked DuckDB, so that missing files and columns and SQL
     * that does not bind are reported with their paths.
     */
    @Override
    public List<Problem> check(PipelinePlan plan, ExecutionContext context) {
        List<Problem> problems = new ArrayList<>(check(plan));
        try (DuckDBConnection duck = open()) {
            for (Problem problem : new Execution(duck, plan, context).plan()) {
                if (!problems.contains(problem)) {
                    problems.add(problem);
                }
            }
        } catch (SQLException e) {
            throw new DataEngineException(Kind.INTERNAL, "", "DuckDB failed while planning: " + SourceLoader.firstLine(e), e);
        }
        return problems;
    }

    @Override
    public DatasetProfile profile(Path parquetFile) {
        try (DuckDBConnection duck = open(); Statement statement = duck.createStatement()) {
            statement.execute("CREATE VIEW snapshot AS SELECT * FROM read_parquet(" + Sql.literal(parquetFile.toString()) + ")");
            return Profiler.profile(duck, "snapshot", ExecutionContext.DEFAULT_EXACT_DISTINCT_MAX_ROWS);
        } catch (SQLException e) {
            throw new DataEngineException(Kind.BAD_DATA, "", "cannot profile '" + parquetFile + "': " + SourceLoader.firstLine(e), e);
        }
    }

    @Override
    public TableData read(Path parquetFile, List<String> columns, long limit) {
        String select = columns.isEmpty() ? "*" : Sql.ids(columns);
        try (DuckDBConnection duck = open(); Statement statement = duck.createStatement();
             ResultSet rows = statement.executeQuery("SELECT " + select + " FROM read_parquet(" + Sql.literal(parquetFile.toString())
                     + ") LIMIT " + Math.max(0, limit))) {
            return table(rows);
        } catch (SQLException e) {
            throw new DataEngineException(Kind.BAD_DATA, "", "cannot read '" + parquetFile + "': " + SourceLoader.firstLine(e), e);
        }
    }

    /**
     * A filtered scan in a locked DuckDB that may read the file's directory only; the values are bound parameters, never SQL
     * text. Implements {@link DataEngine#lookup}.
     */
    @Override
    public TableData lookup(Path parquetFile, List<String> columns, String column, List<String> values, long limit) {
        Path file = parquetFile.toAbsolutePath().normalize();
        String select = columns.isEmpty() ? "*" : Sql.ids(columns);
        String where = values.isEmpty() ? "false" : "CAST(" + Sql.id(column) + " AS VARCHAR) IN ("
                + values.stream().map(value -> "?").collect(Collectors.joining(", ")) + ")";
        try (DuckDBConnection duck = open()) {
            Sandbox.lock(duck, file.getParent());
            try (PreparedStatement statement = duck.prepareStatement("SELECT " + select + " FROM read_parquet(" + Sql.literal(file.toString())
                    + ") WHERE " + where + " LIMIT " + Math.max(0, limit))) {
                for (int index = 0; index < values.size(); index++) {
                    statement.setString(index + 1, values.get(index));
                }
                try (ResultSet rows = statement.executeQuery()) {
                    return table(rows);
                }
            }
        } catch (SQLException e) {
            throw new DataEngineException(Kind.BAD_DATA, "", "cannot look up rows of '" + parquetFile.getFileName() + "' by '" + column
                    + "': " + SourceLoader.firstLine(e), e);
        }
    }

    private static TableData table(ResultSet rows) throws SQLException {
        ResultSetMetaData meta = rows.getMetaData();
        List<String> names = new ArrayList<>();
        List<String> types = new ArrayList<>();
        for (int column = 1; column <= meta.getColumnCount(); column++) {
            names.add(meta.getColumnLabel(column));
            types.add(Sql.neutralType(meta.getColumnTypeName(column)));
        }
        List<Object[]> values = new ArrayList<>();
        while (rows.next()) {
            Object[] row = new Object[names.size()];
            for (int column = 0; column < row.length; column++) {
                row[column] = rows.getObject(column + 1);
            }
            values.add(row);
        }
        return new TableData(names, types, values);
    }

    private DuckDBConnection open() throws SQLException {
        Properties properties = new Properties();
        if (!options.memoryLimit().isEmpty()) {
            properties.setProperty("memory_limit", options.memoryLimit());
        }
        if (options.threads() > 0) {
            properties.setProperty("threads", Integer.toString(options.threads()));
        }
        Connection connection = DriverManager.getConnection("jdbc:duckdb:", properties);
        return connection.unwrap(DuckDBConnection.class);
    }
}
