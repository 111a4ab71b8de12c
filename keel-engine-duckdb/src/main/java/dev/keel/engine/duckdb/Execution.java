package dev.keel.engine.duckdb;

import dev.keel.spi.data.ColumnType;
import dev.keel.spi.data.DataEngine;
import dev.keel.spi.data.DataEngineException;
import dev.keel.spi.data.DataEngineException.Kind;
import dev.keel.spi.data.DatasetProfile;
import dev.keel.spi.data.EngineResult;
import dev.keel.spi.data.ExecutionContext;
import dev.keel.spi.data.Expectation;
import dev.keel.spi.data.LinkageReport;
import dev.keel.spi.data.OutputSpec;
import dev.keel.spi.data.PipelinePlan;
import dev.keel.spi.data.SourceSpec;
import dev.keel.spi.data.StepSpec;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/** One execution of a plan on one DuckDB connection. */
final class Execution {
    static final String QUARANTINE = "__keel_quarantine";
    /** The quarantine's reason columns start with this; no quarantined relation may have such a column. */
    static final String QUARANTINE_COLUMN_PREFIX = "_quarantine_";

    private final DuckDBConnection duck;
    private final PipelinePlan plan;
    private final ExecutionContext context;
    private final Map<String, Long> rowCounts = new HashMap<>();
    private final Map<String, Integer> readers = new HashMap<>();
    private final List<EngineResult.ExpectationResult> outcomes = new ArrayList<>();
    private final List<String> quarantineParts = new ArrayList<>();
    private final List<LinkageReport> linkage = new ArrayList<>();
    private boolean planning;
    private final Path staging;

    Execution(DuckDBConnection duck, PipelinePlan plan, ExecutionContext context) {
        this.duck = duck;
        this.plan = plan;
        this.context = context;
        this.staging = context.stagingDirectory().toAbsolutePath().normalize();
    }

    /** Drops a relation once its last reader has run, so memory holds only what is still needed. */
    private void release(String relation) throws SQLException {
        int left = readers.merge(relation, -1, Integer::sum);
        if (left <= 0) {
            execute("DROP TABLE IF EXISTS " + Sql.id(relation));
        }
    }

    EngineResult run() throws SQLException {
        for (StepSpec step : plan.steps()) {
            step.inputs().forEach(input -> readers.merge(input, 1, Integer::sum));
        }
        plan.outputs().forEach(output -> readers.merge(output.from(), 1, Integer::sum));
        List<EngineResult.StageResult> stages = new ArrayList<>();
        // Keel reads every source into a table while files are reachable; then the sandbox locks before any user SQL runs.
        SourceLoader loader = new SourceLoader(duck, context);
        List<String> fingerprints = new ArrayList<>();
        long[] loadNanos = new long[plan.sources().size()];
        for (int index = 0; index < plan.sources().size(); index++) {
            long start = System.nanoTime();
            fingerprints.add(loader.load(plan.sources().get(index), "sources[" + index + "]"));
            loadNanos[index] = System.nanoTime() - start;
        }
        Sandbox.lock(duck, staging);
        SqlGuard guard = new SqlGuard(duck);
        for (int index = 0; index < plan.sources().size(); index++) {
            SourceSpec source = plan.sources().get(index);
            long start = System.nanoTime() - loadNanos[index];
            String fingerprint = fingerprints.get(index);
            long read = count(source.name());
            long quarantined = expect(source.name());
            rowCounts.put(source.name(), read - quarantined);
            stages.add(new EngineResult.StageResult(source.name(), EngineResult.StageKind.SOURCE, sourceType(source), read,
                    read - quarantined, quarantined, 0, millisSince(start), fingerprint));
        }
        for (int index = 0; index < plan.steps().size(); index++) {
            StepSpec step = plan.steps().get(index);
            long start = System.nanoTime();
            long in = step.inputs().stream().mapToLong(rowCounts::get).sum();
            String path = "steps[" + index + "]";
            long quarantined = switch (step) {
                case StepSpec.Sql sql -> sql(sql, path, guard);
                case StepSpec.Clean clean -> new Cleaner(this, clean, path).run();
                case StepSpec.Dedupe dedupe -> dedupe.matching().linkage().isPresent() ? linked(new Linker(this, path).dedupe(dedupe))
                        : new Matcher(this, path).dedupe(dedupe);
                case StepSpec.MatchMerge merge -> merge.matching().linkage().isPresent() ? linked(new Linker(this, path).matchMerge(merge))
                        : new Matcher(this, path).matchMerge(merge);
                case StepSpec.Impute impute -> impute(impute, path);
                case StepSpec.Derive derive -> derive(derive, path, guard);
            };
            countLinkageRelations(step);
            for (String input : step.inputs()) {
                release(input);
            }
            long produced = count(step.name());
            long merged = step instanceof StepSpec.Dedupe || step instanceof StepSpec.MatchMerge ? in - produced - quarantined : 0;
            long checked = expect(step.name());
            rowCounts.put(step.name(), produced - checked);
            stages.add(new EngineResult.StageResult(step.name(), EngineResult.StageKind.STEP, stepType(step), in,
                    produced - checked, quarantined + checked, merged, millisSince(start), ""));
        }
        List<EngineResult.StagedOutput> outputs = new ArrayList<>();
        for (int index = 0; index < plan.outputs().size(); index++) {
            OutputSpec output = plan.outputs().get(index);
            outputs.add(stage(output.dataset(), output.from(), Sql.id(output.from())));
            if (output.table().isPresent()) {
                new TableWriter(duck, context).write(output.from(), output.table().get(), "outputs[" + index + "].table");
            }
            release(output.from());
        }
        Optional<EngineResult.StagedOutput> quarantine = Optional.empty();
        if (collectQuarantine()) {
            quarantine = Optional.of(stage(plan.quarantineDataset(), QUARANTINE, QUARANTINE));
        }
        return new EngineResult("duckdb", stages, outcomes, outputs, quarantine, linkage);
    }

    /**
     * Plans the run without running it: every file source becomes an empty table of the columns and types a run would read,
     * the sandbox locks, and each step and expectation runs on those empty tables, so a missing column or SQL that does not
     * bind is found with its path. Relations whose schema cannot be known cheaply (JDBC and HTTP sources, and whatever is
     * computed from them or from a relation that already failed) are skipped.
     *
     * @return every problem found, in spec order
     */
    List<DataEngine.Problem> plan() throws SQLException {
        planning = true;
        for (StepSpec step : plan.steps()) {
            step.inputs().forEach(input -> readers.merge(input, 1, Integer::sum));
        }
        plan.outputs().forEach(output -> readers.merge(output.from(), 1, Integer::sum));
        List<DataEngine.Problem> problems = new ArrayList<>();
        Set<String> unknown = new java.util.HashSet<>();
        SourceLoader loader = new SourceLoader(duck, context);
        for (int index = 0; index < plan.sources().size(); index++) {
            SourceSpec source = plan.sources().get(index);
            String path = "sources[" + index + "]";
            if (!(source instanceof SourceSpec.Files files)) {
                unknown.add(source.name());
                continue;
            }
            try {
                loader.schema(files, path);
            } catch (DataEngineException e) {
                problems.add(new DataEngine.Problem(e.path().isEmpty() ? path : e.path(), e.getMessage()));
                unknown.add(source.name());
            }
        }
        Sandbox.lock(duck, staging);
        SqlGuard guard = new SqlGuard(duck);
        for (SourceSpec source : plan.sources()) {
            if (!unknown.contains(source.name())) {
                planExpectations(source.name(), problems);
            }
        }
        for (int index = 0; index < plan.steps().size(); index++) {
            StepSpec step = plan.steps().get(index);
            String path = "steps[" + index + "]";
            if (step.inputs().stream().anyMatch(unknown::contains)) {
                unknown.add(step.name());
                continue;
            }
            try {
                switch (step) {
                    case StepSpec.Sql sql -> sql(sql, path, guard);
                    case StepSpec.Clean clean -> new Cleaner(this, clean, path).run();
                    case StepSpec.Dedupe dedupe -> {
                        if (dedupe.matching().linkage().isPresent()) {
                            linked(new Linker(this, path).dedupe(dedupe));
                        } else {
                            new Matcher(this, path).dedupe(dedupe);
                        }
                    }
                    case StepSpec.MatchMerge merge -> {
                        if (merge.matching().linkage().isPresent()) {
                            linked(new Linker(this, path).matchMerge(merge));
                        } else {
                            new Matcher(this, path).matchMerge(merge);
                        }
                    }
                    case StepSpec.Impute impute -> impute(impute, path);
                    case StepSpec.Derive derive -> derive(derive, path, guard);
                }
            } catch (DataEngineException e) {
                problems.add(new DataEngine.Problem(e.path().isEmpty() ? path : e.path(), e.getMessage()));
                unknown.add(step.name());
                continue;
            }
            planExpectations(step.name(), problems);
        }
        return problems;
    }

    /** Keeps a linkage step's report; the step quarantines nothing. */
    private long linked(LinkageReport report) {
        linkage.add(report);
        return 0;
    }

    /** A linkage step also creates {@code S__clusters} and {@code S__links}, which later steps and outputs may read. */
    private void countLinkageRelations(StepSpec step) throws SQLException {
        boolean linkageStep = switch (step) {
            case StepSpec.Dedupe dedupe -> dedupe.matching().linkage().isPresent();
            case StepSpec.MatchMerge merge -> merge.matching().linkage().isPresent();
            case StepSpec.Sql sql -> false;
            case StepSpec.Clean clean -> false;
            case StepSpec.Impute impute -> false;
            case StepSpec.Derive derive -> false;
        };
        if (linkageStep) {
            for (String relation : List.of(step.name() + "__clusters", step.name() + "__links")) {
                rowCounts.put(relation, count(relation));
            }
        }
    }

    /** Checks that each expectation on a relation names columns it has and that its SQL binds, without judging any row. */
    private void planExpectations(String relation, List<DataEngine.Problem> problems) throws SQLException {
        for (int index = 0; index < plan.expectations().size(); index++) {
            Expectation expectation = plan.expectations().get(index);
            if (!expectation.dataset().equals(relation)) {
                continue;
            }
            String path = "expectations[" + index + "]";
            try {
                Map<String, String> columns = Profiler.columns(duck, Sql.id(relation));
                switch (expectation.rule()) {
                    case Expectation.RowCount rowCount -> {
                        // Counts rows only.
                    }
                    case Expectation.Schema schema -> {
                        // Compares the schema when the run has it; a mismatch is the rule's outcome, not a spec error.
                    }
                    case Expectation.Freshness freshness -> requireColumns(relation, List.of(freshness.column()), path + ".column");
                    default -> {
                        String condition = condition(expectation.rule(), columns, path, relation);
                        scalarLong("SELECT count(*) FROM " + Sql.id(relation) + " AS t WHERE " + condition);
                    }
                }
            } catch (DataEngineException e) {
                problems.add(new DataEngine.Problem(e.path().isEmpty() ? path : e.path(), e.getMessage()));
            } catch (SQLException e) {
                problems.add(new DataEngine.Problem(path, "expectation '" + expectation.name() + "' on '" + relation
                        + "' cannot be checked: " + SourceLoader.firstLine(e)));
            }
        }
    }

    private EngineResult.StagedOutput stage(String dataset, String from, String relation) throws SQLException {
        Path file = staging.resolve(dataset + ".parquet");
        execute("COPY (SELECT * FROM " + relation + ") TO " + Sql.literal(file.toString())
                + " (FORMAT parquet, COMPRESSION zstd)");
        long rows = scalarLong("SELECT count(*) FROM read_parquet(" + Sql.literal(file.toString()) + ")");
        DatasetProfile profile = Profiler.profile(duck, relation, context.exactDistinctMaxRows());
        return new EngineResult.StagedOutput(dataset, from, file, rows, profile);
    }

    private static String sourceType(SourceSpec source) {
        return switch (source) {
            case SourceSpec.Files files -> files.format().name().toLowerCase(Locale.ROOT).replace("json_lines", "jsonl");
            case SourceSpec.Jdbc jdbc -> "jdbc";
            case SourceSpec.Http http -> "http";
        };
    }

    private static String stepType(StepSpec step) {
        return switch (step) {
            case StepSpec.Sql sql -> "sql";
            case StepSpec.Clean clean -> "clean";
            case StepSpec.Dedupe dedupe -> "dedupe";
            case StepSpec.MatchMerge merge -> "match-merge";
            case StepSpec.Impute impute -> "impute";
            case StepSpec.Derive derive -> "derive";
        };
    }

    private long sql(StepSpec.Sql step, String path, SqlGuard guard) throws SQLException {
        Optional<String> refusal = guard.refusal("step '" + step.name() + "'", step.query(), Set.copyOf(step.inputs()));
        if (refusal.isPresent()) {
            throw new DataEngineException(Kind.BAD_SPEC, path + ".query", refusal.get());
        }
        try {
            execute("CREATE TABLE " + Sql.id(step.name()) + " AS " + step.query());
        } catch (SQLException e) {
            throw new DataEngineException(Kind.BAD_SPEC, path + ".query", "sql step '" + step.name() + "' failed: "
                    + SourceLoader.firstLine(e), e);
        }
        return 0;
    }

    private long impute(StepSpec.Impute step, String path) throws SQLException {
        for (StepSpec.Imputation imputation : step.columns()) {
            requireColumns(step.input(), List.of(imputation.column()), path + ".columns." + imputation.column());
        }
        Map<String, String> columns = Profiler.columns(duck, Sql.id(step.input()));
        List<String> replacements = new ArrayList<>();
        List<String> aggregates = new ArrayList<>();
        for (StepSpec.Imputation imputation : step.columns()) {
            String column = Sql.id(imputation.column());
            aggregates.add(switch (imputation.strategy()) {
                case MEAN -> "avg(" + column + ")::VARCHAR";
                case MEDIAN -> "median(" + column + ")::VARCHAR";
                case MODE -> "mode(" + column + ")::VARCHAR";
                case CONSTANT -> Sql.literal(imputation.value());
            });
        }
        try (Statement statement = duck.createStatement();
             ResultSet values = statement.executeQuery("SELECT " + String.join(", ", aggregates) + " FROM " + Sql.id(step.input()))) {
            values.next();
            for (int index = 0; index < step.columns().size(); index++) {
                String column = step.columns().get(index).column();
                String value = values.getString(index + 1);
                if (value == null) {
                    continue;
                }
                String type = columns.get(column);
                String cast = Sql.neutralType(type).equals("integer") && !step.columns().get(index).strategy()
                        .equals(StepSpec.ImputeStrategy.CONSTANT) ? "round(" + Sql.literal(value) + "::DOUBLE)" : Sql.literal(value);
                replacements.add("coalesce(" + Sql.id(column) + ", CAST(" + cast + " AS " + type + ")) AS " + Sql.id(column));
            }
        }
        String select = replacements.isEmpty() ? "*" : "* REPLACE (" + String.join(", ", replacements) + ")";
        try {
            execute("CREATE TABLE " + Sql.id(step.name()) + " AS SELECT " + select + " FROM " + Sql.id(step.input()));
        } catch (SQLException e) {
            throw new DataEngineException(Kind.BAD_SPEC, path, "impute step '" + step.name() + "' failed: "
                    + SourceLoader.firstLine(e), e);
        }
        return 0;
    }

    private long derive(StepSpec.Derive step, String path, SqlGuard guard) throws SQLException {
        Map<String, String> columns = Profiler.columns(duck, Sql.id(step.input()));
        List<String> replaced = new ArrayList<>();
        List<String> added = new ArrayList<>();
        for (StepSpec.Derivation derivation : step.columns()) {
            String expression = "(" + derivation.expression() + ") AS " + Sql.id(derivation.column());
            (columns.containsKey(derivation.column()) ? replaced : added).add(expression);
        }
        String select = "SELECT *" + (replaced.isEmpty() ? "" : " REPLACE (" + String.join(", ", replaced) + ")")
                + (added.isEmpty() ? "" : ", " + String.join(", ", added)) + " FROM " + Sql.id(step.input());
        List<String> known = new ArrayList<>(columns.keySet());
        step.columns().forEach(derivation -> known.add(derivation.column()));
        checkListed(step.drop(), known, path + ".drop", step.input());
        checkListed(step.keep(), known, path + ".keep", step.input());
        if (!step.drop().isEmpty()) {
            select = "SELECT * EXCLUDE (" + Sql.ids(step.drop()) + ") FROM (" + select + ")";
        } else if (!step.keep().isEmpty()) {
            select = "SELECT " + Sql.ids(step.keep()) + " FROM (" + select + ")";
        }
        Optional<String> refusal = guard.refusal("step '" + step.name() + "'", select, Set.of(step.input()));
        if (refusal.isPresent()) {
            throw new DataEngineException(Kind.BAD_SPEC, path + ".columns", refusal.get());
        }
        try {
            execute("CREATE TABLE " + Sql.id(step.name()) + " AS " + select);
        } catch (SQLException e) {
            throw new DataEngineException(Kind.BAD_SPEC, failingDerivation(step, columns).orElse(path + ".columns"), "derive step '"
                    + step.name() + "' failed: " + SourceLoader.firstLine(e), e);
        }
        return 0;
    }

    /**
     * The path of the first derivation that does not bind, tried one more at a time (a derivation may use one before it), or
     * empty when each binds and the failure lies in drop or keep.
     */
    private Optional<String> failingDerivation(StepSpec.Derive step, Map<String, String> columns) {
        List<String> replaced = new ArrayList<>();
        List<String> added = new ArrayList<>();
        for (StepSpec.Derivation derivation : step.columns()) {
            (columns.containsKey(derivation.column()) ? replaced : added).add("(" + derivation.expression() + ") AS "
                    + Sql.id(derivation.column()));
            String select = "SELECT *" + (replaced.isEmpty() ? "" : " REPLACE (" + String.join(", ", replaced) + ")")
                    + (added.isEmpty() ? "" : ", " + String.join(", ", added)) + " FROM " + Sql.id(step.input()) + " LIMIT 0";
            try (Statement statement = duck.createStatement(); ResultSet ignored = statement.executeQuery(select)) {
                continue;
            } catch (SQLException e) {
                return Optional.of("steps[" + plan.steps().indexOf(step) + "].columns." + derivation.column());
            }
        }
        return Optional.empty();
    }

    private static void checkListed(List<String> listed, List<String> known, String path, String input) {
        for (int index = 0; index < listed.size(); index++) {
            if (!known.contains(listed.get(index))) {
                throw new DataEngineException(Kind.BAD_SPEC, path + "[" + index + "]", "column '" + listed.get(index)
                        + "' is not in '" + input + "' nor derived; columns: " + known);
            }
        }
    }

    /** Checks the expectations on one relation; quarantines offending rows and returns how many. */
    private long expect(String relation) throws SQLException {
        List<Integer> indexes = new ArrayList<>();
        for (int index = 0; index < plan.expectations().size(); index++) {
            if (plan.expectations().get(index).dataset().equals(relation)) {
                indexes.add(index);
            }
        }
        if (indexes.isEmpty()) {
            return 0;
        }
        String table = Sql.id(relation);
        Map<String, String> columns = Profiler.columns(duck, table);
        List<String> failures = new ArrayList<>();
        List<String> conditions = new ArrayList<>();
        List<Integer> rowLevel = new ArrayList<>();
        for (int index : indexes) {
            Expectation expectation = plan.expectations().get(index);
            String path = "expectations[" + index + "]";
            if (expectation.rule().rowLevel()) {
                conditions.add(condition(expectation.rule(), columns, path, relation));
                rowLevel.add(index);
            } else {
                long violations = datasetRule(expectation, columns, relation, path);
                record(expectation, violations, path, failures, violations == 0 ? "" : describe(expectation.rule(), columns));
            }
        }
        long quarantined = 0;
        if (!rowLevel.isEmpty()) {
            String counts = conditions.stream().map(condition -> "count(*) FILTER (WHERE " + condition + ")")
                    .collect(Collectors.joining(", "));
            long[] violations = new long[rowLevel.size()];
            try (Statement statement = duck.createStatement();
                 ResultSet result = statement.executeQuery("SELECT " + counts + " FROM " + table + " AS t")) {
                result.next();
                for (int position = 0; position < violations.length; position++) {
                    violations[position] = result.getLong(position + 1);
                }
            }
            List<String> quarantineConditions = new ArrayList<>();
            List<String> labels = new ArrayList<>();
            for (int position = 0; position < rowLevel.size(); position++) {
                Expectation expectation = plan.expectations().get(rowLevel.get(position));
                String path = "expectations[" + rowLevel.get(position) + "]";
                record(expectation, violations[position], path, failures, violations[position] == 0 ? ""
                        : describe(expectation.rule(), columns));
                if (expectation.action() == Expectation.Action.QUARANTINE && violations[position] > 0) {
                    quarantineConditions.add(conditions.get(position));
                    labels.add("CASE WHEN " + conditions.get(position) + " THEN " + Sql.literal(expectation.name()) + " END");
                }
            }
            if (!failures.isEmpty()) {
                throw new DataEngineException("expectations", String.join("; ", failures), outcomes);
            }
            if (!quarantineConditions.isEmpty()) {
                quarantined = quarantine(relation, relation, String.join(" OR ", quarantineConditions), labels);
            }
        } else if (!failures.isEmpty()) {
            throw new DataEngineException("expectations", String.join("; ", failures), outcomes);
        }
        return quarantined;
    }

    /**
     * Moves rows matching {@code condition} from a table to the quarantine, with their columns and types as they are, the stage
     * that quarantined them ({@code _quarantine_stage}) and the rules they broke ({@code _quarantine_rules}).
     */
    long quarantine(String relation, String dataset, String condition, List<String> labels) throws SQLException {
        String table = Sql.id(relation);
        for (String column : Profiler.columns(duck, table).keySet()) {
            if (column.toLowerCase(Locale.ROOT).startsWith(QUARANTINE_COLUMN_PREFIX)) {
                throw new DataEngineException(Kind.BAD_SPEC, "", "'" + dataset + "' has a column '" + column + "'; names starting with"
                        + " '" + QUARANTINE_COLUMN_PREFIX + "' are reserved for the quarantine's reason columns; rename it first");
            }
        }
        String part = QUARANTINE + "_" + quarantineParts.size();
        execute("CREATE TABLE " + part + " AS SELECT " + Sql.literal(dataset) + " AS " + QUARANTINE_COLUMN_PREFIX + "stage, concat_ws('; ', "
                + String.join(", ", labels) + ") AS " + QUARANTINE_COLUMN_PREFIX + "rules, t.* FROM " + table + " AS t WHERE " + condition);
        quarantineParts.add(part);
        try (Statement statement = duck.createStatement()) {
            return statement.executeUpdate("DELETE FROM " + table + " AS t WHERE " + condition);
        }
    }

    /**
     * Puts the quarantined rows of every stage into one table, matching columns by name; a column whose type differs between
     * stages takes a type that holds both. False when no row was quarantined.
     */
    private boolean collectQuarantine() throws SQLException {
        List<String> parts = new ArrayList<>();
        for (String part : quarantineParts) {
            if (count(part) > 0) {
                parts.add("SELECT * FROM " + part);
            }
        }
        if (parts.isEmpty()) {
            return false;
        }
        try {
            execute("CREATE TABLE " + QUARANTINE + " AS " + String.join(" UNION ALL BY NAME ", parts));
        } catch (SQLException e) {
            // Types that no common type holds (a list and a number): such columns are kept as text.
            List<String> text = new ArrayList<>();
            for (String part : quarantineParts) {
                if (count(part) > 0) {
                    text.add("SELECT " + Profiler.columns(duck, part).keySet().stream().map(column -> "CAST(" + Sql.id(column)
                            + " AS VARCHAR) AS " + Sql.id(column)).collect(Collectors.joining(", ")) + " FROM " + part);
                }
            }
            execute("CREATE TABLE " + QUARANTINE + " AS " + String.join(" UNION ALL BY NAME ", text));
        }
        for (String part : quarantineParts) {
            execute("DROP TABLE " + part);
        }
        return true;
    }

    private void record(Expectation expectation, long violations, String path, List<String> failures, String detail) {
        outcomes.add(new EngineResult.ExpectationResult(expectation.name(), expectation.dataset(), expectation.action(), violations,
                detail));
        if (violations > 0 && expectation.action() == Expectation.Action.FAIL) {
            failures.add(path + " '" + expectation.name() + "' on '" + expectation.dataset() + "': " + detail
                    + (expectation.rule().rowLevel() ? " (" + violations + " rows)" : ""));
        }
    }

    private String describe(Expectation.Rule rule, Map<String, String> columns) {
        return switch (rule) {
            case Expectation.NotNull notNull -> "null values in " + notNull.columns();
            case Expectation.Unique unique -> "duplicate values of " + unique.columns();
            case Expectation.Range range -> "values of '" + range.column() + "' outside [" + range.min() + ", " + range.max() + "]";
            case Expectation.AllowedValues allowed -> "values of '" + allowed.column() + "' not in " + allowed.values();
            case Expectation.Regex regex -> "values of '" + regex.column() + "' not matching /" + regex.pattern() + "/";
            case Expectation.RowCount rowCount -> "row count outside [" + rowCount.min() + ", " + rowCount.max() + "]";
            case Expectation.Freshness freshness -> "latest '" + freshness.column() + "' older than " + freshness.maxAge();
            case Expectation.Schema schema -> "schema " + columns + " does not match " + schema.columns()
                    + (schema.exact() ? " exactly" : "");
        };
    }

    private String condition(Expectation.Rule rule, Map<String, String> columns, String path, String relation)
            throws SQLException {
        return switch (rule) {
            case Expectation.NotNull notNull -> {
                requireColumns(relation, notNull.columns(), path + ".columns");
                yield "(" + notNull.columns().stream().map(column -> "t." + Sql.id(column) + " IS NULL")
                        .collect(Collectors.joining(" OR ")) + ")";
            }
            case Expectation.Unique unique -> {
                requireColumns(relation, unique.columns(), path + ".columns");
                String keys = Sql.ids(unique.columns());
                String duplicates = "__keel_dup_" + Math.abs(path.hashCode());
                execute("CREATE OR REPLACE TEMP TABLE " + duplicates + " AS SELECT " + keys + " FROM " + Sql.id(relation)
                        + " GROUP BY ALL HAVING count(*) > 1");
                yield "EXISTS (SELECT 1 FROM " + duplicates + " AS d WHERE " + unique.columns().stream()
                        .map(column -> "d." + Sql.id(column) + " = t." + Sql.id(column)).collect(Collectors.joining(" AND ")) + ")";
            }
            case Expectation.Range range -> {
                requireColumns(relation, List.of(range.column()), path + ".column");
                String value = "TRY_CAST(t." + Sql.id(range.column()) + " AS DOUBLE)";
                List<String> bounds = new ArrayList<>();
                if (!Double.isInfinite(range.min())) {
                    bounds.add(value + " < " + range.min());
                }
                if (!Double.isInfinite(range.max())) {
                    bounds.add(value + " > " + range.max());
                }
                bounds.add(value + " IS NULL");
                yield "(t." + Sql.id(range.column()) + " IS NOT NULL AND (" + String.join(" OR ", bounds) + "))";
            }
            case Expectation.AllowedValues allowed -> {
                requireColumns(relation, List.of(allowed.column()), path + ".column");
                yield "(t." + Sql.id(allowed.column()) + " IS NOT NULL AND CAST(t." + Sql.id(allowed.column()) + " AS VARCHAR) NOT IN ("
                        + allowed.values().stream().map(Sql::literal).collect(Collectors.joining(", ")) + "))";
            }
            case Expectation.Regex regex -> {
                requireColumns(relation, List.of(regex.column()), path + ".column");
                yield "(t." + Sql.id(regex.column()) + " IS NOT NULL AND NOT regexp_full_match(CAST(t." + Sql.id(regex.column())
                        + " AS VARCHAR), " + Sql.literal(regex.pattern()) + "))";
            }
            case Expectation.RowCount rowCount -> throw new IllegalStateException("not a row rule: " + rowCount);
            case Expectation.Freshness freshness -> throw new IllegalStateException("not a row rule: " + freshness);
            case Expectation.Schema schema -> throw new IllegalStateException("not a row rule: " + schema);
        };
    }

    private long datasetRule(Expectation expectation, Map<String, String> columns, String relation, String path)
            throws SQLException {
        return switch (expectation.rule()) {
            case Expectation.RowCount rowCount -> {
                long rows = count(relation);
                yield rows < rowCount.min() || rows > rowCount.max() ? 1 : 0;
            }
            case Expectation.Freshness freshness -> {
                requireColumns(relation, List.of(freshness.column()), path + ".column");
                Optional<Long> latest = Optional.ofNullable(scalarObject("SELECT epoch_ms(max(CAST(" + Sql.id(freshness.column())
                        + " AS TIMESTAMP))) FROM " + Sql.id(relation))).map(value -> ((Number) value).longValue());
                Instant limit = context.now().minus(freshness.maxAge());
                yield latest.isEmpty() || Instant.ofEpochMilli(latest.get()).isBefore(limit) ? 1 : 0;
            }
            case Expectation.Schema schema -> {
                boolean broken = schema.exact() && columns.size() != schema.columns().size();
                for (Map.Entry<String, ColumnType> column : schema.columns().entrySet()) {
                    String actual = columns.get(column.getKey());
                    broken |= actual == null || !Sql.neutralType(actual).equals(column.getValue().specName());
                }
                yield broken ? 1 : 0;
            }
            default -> throw new IllegalStateException("not a dataset rule: " + expectation.rule());
        };
    }

    Map<String, String> requireColumns(String relation, List<String> wanted, String path) throws SQLException {
        Map<String, String> columns = Profiler.columns(duck, Sql.id(relation));
        for (int index = 0; index < wanted.size(); index++) {
            if (!columns.containsKey(wanted.get(index))) {
                String where = wanted.size() > 1 || path.endsWith("columns") ? path + (path.endsWith("columns") && wanted.size() > 1
                        ? "[" + index + "]" : "") : path;
                throw new DataEngineException(Kind.BAD_SPEC, where, "column '" + wanted.get(index) + "' does not exist in '"
                        + relation + "'; its columns are " + columns.keySet());
            }
        }
        return columns;
    }

    DuckDBConnection connection() {
        return duck;
    }

    /** Whether this execution plans (empty tables; JDBC and HTTP sources and what reads them are not there) rather than runs. */
    boolean planning() {
        return planning;
    }

    ExecutionContext context() {
        return context;
    }

    void execute(String sql) throws SQLException {
        try (Statement statement = duck.createStatement()) {
            statement.execute(sql);
        }
    }

    long count(String relation) throws SQLException {
        return scalarLong("SELECT count(*) FROM " + (relation.startsWith("__keel") ? relation : Sql.id(relation)));
    }

    long scalarLong(String sql) throws SQLException {
        Object value = scalarObject(sql);
        return value == null ? 0 : ((Number) value).longValue();
    }

    Object scalarObject(String sql) throws SQLException {
        try (Statement statement = duck.createStatement(); ResultSet result = statement.executeQuery(sql)) {
            result.next();
            return result.getObject(1);
        }
    }

    /** Writes a cluster mapping (row id to cluster root) into a fresh table. */
    void writeClusters(String table, Map<Long, Long> clusters) throws SQLException {
        execute("CREATE OR REPLACE TEMP TABLE " + table + " (rid BIGINT, root BIGINT)");
        try (DuckDBAppender appender = duck.createAppender("temp", DuckDBConnection.DEFAULT_SCHEMA, table)) {
            for (Map.Entry<Long, Long> entry : clusters.entrySet()) {
                appender.beginRow().append(entry.getKey().longValue()).append(entry.getValue().longValue()).endRow();
            }
        }
    }

    static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

}
