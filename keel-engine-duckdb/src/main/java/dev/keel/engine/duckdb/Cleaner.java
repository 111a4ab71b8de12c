package dev.keel.engine.duckdb;

import dev.keel.spi.data.ColumnType;
import dev.keel.spi.data.DataEngineException;
import dev.keel.spi.data.DataEngineException.Kind;
import dev.keel.spi.data.StepSpec;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Runs a clean step: text fixes and casts, with values that do not cast set to null, defaulted, quarantined or failed. */
final class Cleaner {
    private final Execution execution;
    private final StepSpec.Clean step;
    private final String path;

    Cleaner(Execution execution, StepSpec.Clean step, String path) {
        this.execution = execution;
        this.step = step;
        this.path = path;
    }

    long run() throws SQLException {
        for (StepSpec.ColumnCleaning cleaning : step.columns()) {
            execution.requireColumns(step.input(), List.of(cleaning.column()), path + ".columns." + cleaning.column());
        }
        Map<String, String> columns = Profiler.columns(execution.connection(), Sql.id(step.input()));
        List<String> replacements = new ArrayList<>();
        List<String> quarantineConditions = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<String[]> failChecks = new ArrayList<>();
        for (StepSpec.ColumnCleaning cleaning : step.columns()) {
            String column = Sql.id(cleaning.column());
            boolean text = cleaning.trim() || cleaning.normalize() || cleaning.textCase() != StepSpec.TextCase.KEEP
                    || cleaning.emptyAsNull();
            String expression = "t." + column;
            if (text && !Sql.neutralType(columns.get(cleaning.column())).equals("string")) {
                expression = "CAST(" + expression + " AS VARCHAR)";
            }
            if (cleaning.trim()) {
                expression = "trim(" + expression + ")";
            }
            if (cleaning.normalize()) {
                expression = "regexp_replace(nfc_normalize(" + expression + "), '\\s+', ' ', 'g')";
            }
            if (cleaning.textCase() == StepSpec.TextCase.LOWER) {
                expression = "lower(" + expression + ")";
            } else if (cleaning.textCase() == StepSpec.TextCase.UPPER) {
                expression = "upper(" + expression + ")";
            }
            if (cleaning.emptyAsNull()) {
                expression = "nullif(" + expression + ", '')";
            }
            if (cleaning.cast().isPresent()) {
                ColumnType type = cleaning.cast().get();
                String cast = cast(expression, type, cleaning.format());
                String bad = "(" + expression + " IS NOT NULL AND " + cast + " IS NULL)";
                String label = step.name() + "." + cleaning.column() + ".cast-" + type.specName();
                switch (cleaning.onError()) {
                    case NULL -> expression = cast;
                    case DEFAULT -> expression = "CASE WHEN " + bad + " THEN CAST(" + Sql.literal(cleaning.defaultValue()) + " AS "
                            + Sql.duckType(type) + ") ELSE " + cast + " END";
                    case QUARANTINE -> {
                        quarantineConditions.add(bad);
                        labels.add("CASE WHEN " + bad + " THEN " + Sql.literal(label) + " END");
                        expression = cast;
                    }
                    case FAIL -> {
                        failChecks.add(new String[] {cleaning.column(), bad, type.specName()});
                        expression = cast;
                    }
                }
            }
            replacements.add(expression + " AS " + column);
        }
        for (String[] check : failChecks) {
            try (Statement statement = execution.connection().createStatement();
                 ResultSet result = statement.executeQuery("SELECT count(*), any_value(CAST(t." + Sql.id(check[0])
                         + " AS VARCHAR)) FILTER (WHERE " + check[1] + ") FROM " + Sql.id(step.input()) + " AS t WHERE "
                         + check[1])) {
                result.next();
                if (result.getLong(1) > 0) {
                    throw new DataEngineException(Kind.BAD_DATA, path + ".columns." + check[0] + ".cast", result.getLong(1)
                            + " values of '" + check[0] + "' in '" + step.input() + "' do not cast to " + check[2] + ", for example '"
                            + result.getString(2) + "'; on-error is fail");
                }
            }
        }
        long quarantined = 0;
        if (!quarantineConditions.isEmpty()) {
            String staged = "__keel_clean_" + step.name();
            execution.execute("CREATE TABLE " + Sql.id(staged) + " AS SELECT * FROM " + Sql.id(step.input()));
            quarantined = execution.quarantine(staged, step.name(), String.join(" OR ", quarantineConditions), labels);
            create(Sql.id(staged), replacements);
            execution.execute("DROP TABLE " + Sql.id(staged));
        } else {
            create(Sql.id(step.input()), replacements);
        }
        return quarantined;
    }

    private void create(String from, List<String> replacements) throws SQLException {
        try {
            execution.execute("CREATE TABLE " + Sql.id(step.name()) + " AS SELECT * REPLACE (" + String.join(", ", replacements)
                    + ") FROM " + from + " AS t");
        } catch (SQLException e) {
            throw new DataEngineException(Kind.BAD_SPEC, path, "clean step '" + step.name() + "' failed: "
                    + SourceLoader.firstLine(e), e);
        }
    }

    private static String cast(String expression, ColumnType type, String format) {
        if (!format.isEmpty()) {
            String parsed = "try_strptime(CAST(" + expression + " AS VARCHAR), " + Sql.literal(format) + ")";
            return type == ColumnType.DATE ? "CAST(" + parsed + " AS DATE)" : parsed;
        }
        if (type == ColumnType.BOOLEAN) {
            String lowered = "lower(CAST(" + expression + " AS VARCHAR))";
            return "(CASE WHEN " + lowered + " IN ('true', 't', 'yes', 'y', '1') THEN true WHEN " + lowered
                    + " IN ('false', 'f', 'no', 'n', '0') THEN false END)";
        }
        return "TRY_CAST(" + expression + " AS " + Sql.duckType(type).toUpperCase(Locale.ROOT) + ")";
    }
}
