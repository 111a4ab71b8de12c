package dev.keel.engine.duckdb;

import dev.keel.core.matching.Clustering;
import dev.keel.core.matching.Comparison;
import dev.keel.core.matching.MatchMetrics;
import dev.keel.core.matching.MatchModel;
import dev.keel.core.matching.MatchTraining;
import dev.keel.core.matching.ScoredPair;
import dev.keel.spi.data.DataEngineException;
import dev.keel.spi.data.DataEngineException.Kind;
import dev.keel.spi.data.Linkage;
import dev.keel.spi.data.LinkageReport;
import dev.keel.spi.data.StepSpec;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * Probabilistic record linkage of a dedupe or match-merge step (Fellegi–Sunter, as {@code dev.keel.core.matching} defines it),
 * with the heavy lifting in DuckDB and memory bounded by the records' features, not by the pairs:
 *
 * <ol>
 *   <li>records get a dense id, their input, their record id and priority ({@code __keel_rid}, ...);</li>
 *   <li>one pass over the records computes in Java the compared values (normalised text, sorted tokens) and the blocking
 *       keys, appended to a features table, and keeps a bounded reservoir sample for u;</li>
 *   <li>each rule's pairs are counted in SQL from the key groups before any pair is compared;</li>
 *   <li>u comes from random pairs of a reservoir sample of min(n, max(2000, ⌈2·√(2·uPairs)⌉)) records, drawn with the seed;</li>
 *   <li>the candidate pairs stream through JDBC once, in chunks shared out among one worker per core: each pair's level
 *       vector is counted and stored as one code per pair;</li>
 *   <li>m comes from one EM session per blocking rule over the pairs the rule generates, with the comparisons that read the
 *       rule's columns left out and u re-estimated within the session (a rule's pairs agree on more than random pairs do);
 *       m is averaged over the sessions that saw a comparison, u stays the random pairs' and λ is the fixed point of the
 *       mean match probability over all candidate pairs. Or m and λ come from labelled pairs;</li>
 *   <li>weights and probabilities are computed in SQL from the stored codes, term frequencies included;</li>
 *   <li>pairs at or above the threshold are clustered in Java; the link table, the clusters and the golden records are SQL.</li>
 * </ol>
 */
final class Linker {
    /** Candidate pairs fetched per query; each query's result is held by DuckDB until read. */
    private static final long CHUNK = 250_000;
    private static final long RECORD_CHUNK = 500_000;
    /** Threads comparing pairs, at most one per core. */
    private static final int WORKERS = 4;
    private static final double EM_TOLERANCE = 0.0001;
    private static final double PROBABILITY_FLOOR = 1e-9;

    private final Execution execution;
    private final String path;
    private final String prefix;

    Linker(Execution execution, String path) {
        this.execution = execution;
        this.path = path;
        this.prefix = "__keel_link_" + path.replaceAll("\\W", "_") + "_";
    }

    LinkageReport dedupe(StepSpec.Dedupe step) throws SQLException {
        Linkage linkage = step.matching().linkage().orElseThrow();
        return link(step.name(), linkage, List.of(step.input()), List.of(step.input()), false, step.survivorship());
    }

    LinkageReport matchMerge(StepSpec.MatchMerge step) throws SQLException {
        Linkage linkage = step.matching().linkage().orElseThrow();
        List<String> priority = new ArrayList<>(step.survivorship().sourcePriority());
        step.inputs().stream().filter(input -> !priority.contains(input)).forEach(priority::add);
        if (linkage.mode() == Linkage.Mode.ONE_TO_ONE && step.inputs().size() != 2) {
            throw new DataEngineException(Kind.BAD_SPEC, path + ".linkage.mode", "one-to-one linking takes two inputs; '" + step.name()
                    + "' has " + step.inputs().size() + ": " + step.inputs());
        }
        return link(step.name(), linkage, step.inputs(), priority, true, step.survivorship());
    }

    private String table(String name) {
        return prefix + name;
    }

    private LinkageReport link(String step, Linkage linkage, List<String> inputs, List<String> priority, boolean matchMerge,
                               StepSpec.Survivorship survivorship) throws SQLException {
        try {
            return run(step, linkage, inputs, priority, matchMerge, survivorship);
        } finally {
            for (String name : List.of("records", "features_raw", "features", "pairs", "pairs_0", "pairs_1", "pairs_2", "pairs_3",
                    "links", "decisions", "clustered", "clusters", "labelled")) {
                execution.execute("DROP TABLE IF EXISTS " + table(name));
            }
        }
    }

    private LinkageReport run(String step, Linkage linkage, List<String> inputs, List<String> priority, boolean matchMerge,
                              StepSpec.Survivorship survivorship) throws SQLException {
        String records = table("records");
        long[] offsets = prepareRecords(records, linkage, inputs, priority, matchMerge);
        long n = offsets[offsets.length - 1];
        Map<String, String> types = new LinkedHashMap<>(Profiler.columns(execution.connection(), records));
        types.keySet().removeIf(column -> column.startsWith("__keel_"));
        List<String> dataColumns = List.copyOf(types.keySet());
        LinkFields fields = new LinkFields(linkage, types, path);
        String truth = linkage.evaluation().truthColumn();
        if (!truth.isEmpty() && !types.containsKey(truth)) {
            throw new DataEngineException(Kind.BAD_SPEC, path + ".linkage.evaluation.truth-column", "column '" + truth
                    + "' does not exist in the step's input; its columns are " + dataColumns);
        }
        List<String> labelledRelations = new ArrayList<>();
        checkLabelled(linkage.training().labelledPairs(), path + ".linkage.training.labelled-pairs", labelledRelations);
        checkLabelled(linkage.evaluation().labelledPairs(), path + ".linkage.evaluation.labelled-pairs", labelledRelations);

        // The record pass: compared values and keys per record, and the reservoir sample u is estimated from.
        int sampleSize = (int) Math.min(n, Math.max(2000, (long) Math.ceil(Math.sqrt(2.0 * linkage.training().uPairs()) * 2)));
        Random random = new Random(linkage.training().seed());
        LinkFields.Values[] sample = new LinkFields.Values[sampleSize];
        String features = table("features");
        writeFeatures(records, fields, n, sample, random);

        // Counts first: nothing is compared when the rules generate too many pairs.
        boolean crossSource = matchMerge && linkage.mode() != Linkage.Mode.ANY;
        CandidatePairs candidates = new CandidatePairs(execution, features, fields, linkage.blocking().size(), crossSource);
        List<LinkageReport.RuleCount> counts = new ArrayList<>();
        long candidatePairs = 0;
        for (int rule = 0; rule < linkage.blocking().size(); rule++) {
            long compared = candidates.compared(rule);
            counts.add(new LinkageReport.RuleCount(linkage.blocking().get(rule).name(), candidates.generated(rule), compared));
            candidatePairs += compared;
        }
        if (candidatePairs > linkage.maxComparisons()) {
            throw new DataEngineException(Kind.BAD_SPEC, path + ".linkage.blocking", "the blocking rules of '" + step + "' would compare "
                    + candidatePairs + " pairs, more than max-comparisons " + linkage.maxComparisons() + ": " + counts.stream()
                    .map(count -> "rule '" + count.rule() + "' generates " + count.generated() + " and compares " + count.compared())
                    .collect(Collectors.joining("; ")) + "; make the rules stricter (more keys, longer prefixes) or raise max-comparisons");
        }

        // u from random pairs of the sample.
        List<Comparison> comparisons = fields.comparisons();
        MatchModel untrained = MatchModel.untrained(comparisons);
        long uPairs = sampleSize >= 2 ? linkage.training().uPairs() : 0;
        MatchModel model = uPairs > 0 ? untrained.withU(estimateU(fields, untrained, sample, linkage.training().uPairs(), random)) : untrained;

        // The pass over the candidate pairs: level vectors counted, one code per pair stored.
        int[] radix = new int[comparisons.size()];
        long[] multiplier = new long[comparisons.size()];
        long product = 1;
        for (int k = 0; k < radix.length; k++) {
            radix[k] = comparisons.get(k).levelCount();
            multiplier[k] = product;
            product = Math.multiplyExact(product, radix[k]);
        }
        VectorCounts vectors = new VectorCounts(product);
        VectorCounts[] sessions = new VectorCounts[linkage.blocking().size()];
        for (int rule = 0; rule < sessions.length; rule++) {
            sessions[rule] = new VectorCounts(product);
        }
        String pairs = table("pairs");
        long streamed = streamPairs(candidates, fields, counts, pairs, multiplier, vectors, sessions);
        if (streamed != candidatePairs) {
            throw new DataEngineException(Kind.INTERNAL, path, "counted " + candidatePairs + " candidate pairs but generated " + streamed);
        }

        // m and λ.
        String training = "em";
        int iterations = 0;
        boolean converged = false;
        List<LabelledPair> trainingPairs = List.of();
        if (!linkage.training().labelledPairs().isEmpty()) {
            training = "labelled-pairs";
            trainingPairs = readLabelled(linkage.training().labelledPairs(), path + ".linkage.training.labelled-pairs", fields, n);
            if (n > 0) {
                model = fromLabelled(model, trainingPairs);
            }
        } else if (candidatePairs > 0) {
            // Within a rule's pairs u is re-estimated: its pairs agree on its keys, and on whatever goes with them (a city with
            // its cell), more often than random pairs do. Only m is taken from the sessions; u stays the random pairs' one.
            MatchTraining.EmOptions session = new MatchTraining.EmOptions(linkage.training().emIterations(), EM_TOLERANCE, false,
                    PROBABILITY_FLOOR);
            MatchTraining.EmOptions options = new MatchTraining.EmOptions(linkage.training().emIterations(), EM_TOLERANCE, true,
                    PROBABILITY_FLOOR);
            double[][] sums = new double[comparisons.size()][];
            int[] sessionsOf = new int[comparisons.size()];
            for (int k = 0; k < sums.length; k++) {
                sums[k] = new double[radix[k]];
            }
            converged = true;
            for (int rule = 0; rule < sessions.length; rule++) {
                if (sessions[rule].total() == 0) {
                    continue;
                }
                MatchTraining.EmResult em = MatchTraining.expectationMaximisation(model, sessions[rule].patterns(radix, multiplier),
                        sessions[rule].counts(), session);
                iterations = Math.max(iterations, em.iterations());
                converged &= em.converged();
                boolean[] blocked = fields.blockedBy(rule);
                for (int k = 0; k < sums.length; k++) {
                    if (!blocked[k] && sessions[rule].informs(k, radix, multiplier)) {
                        sessionsOf[k]++;
                        for (int l = 1; l < radix[k]; l++) {
                            sums[k][l] += em.model().m(k, l);
                        }
                    }
                }
            }
            double[][] m = model.m();
            for (int k = 0; k < m.length; k++) {
                for (int l = 1; l < radix[k] && sessionsOf[k] > 0; l++) {
                    m[k][l] = sums[k][l] / sessionsOf[k];
                }
            }
            model = model.withM(monotone(m, model.u()));
            model = model.withLambda(lambda(model, vectors.patterns(radix, multiplier), vectors.counts(), options));
        }

        // Scores in SQL; links and decisions; clusters.
        Map<Integer, Long> frequencyTotals = new HashMap<>();
        for (int k = 0; k < fields.size(); k++) {
            if (fields.termFrequencies(k)) {
                frequencyTotals.put(k, execution.scalarLong("SELECT count(c" + k + "_norm) FROM " + features));
            }
        }
        String scored = scoredSql(pairs, fields, model, multiplier, radix, frequencyTotals);
        String links = table("links");
        execution.execute("CREATE TABLE " + links + " AS SELECT * FROM (" + scored + ") WHERE probability >= " + literal(linkage.linkFloor()));
        Clustering.Result clustering = cluster(linkage, links, offsets, inputs);
        String clustersTable = table("clusters");
        writeClusters(records, clustering);
        createLinkTable(step, linkage, fields, links);
        createClusterTable(step, linkage, fields, records, features, clustersTable);
        GoldenRecords.create(execution, step, records, clustersTable, dataColumns, survivorship, matchMerge, path);

        long clusters = execution.scalarLong("SELECT count(DISTINCT cluster_id) FROM " + clustersTable);
        Optional<LinkageReport.Evaluation> evaluation = Optional.empty();
        if (linkage.evaluation().any() && n > 0) {
            List<LabelledPair> judged = linkage.evaluation().labelledPairs().isEmpty() ? List.of()
                    : linkage.evaluation().labelledPairs().equals(linkage.training().labelledPairs()) ? trainingPairs
                    : readLabelled(linkage.evaluation().labelledPairs(), path + ".linkage.evaluation.labelled-pairs", fields, n);
            evaluation = evaluate(linkage, records, clustersTable, scored, judged);
        }
        return new LinkageReport(step, n, counts, candidatePairs, clustering.links().size(), clusters,
                parameters(model, training, iterations, converged, uPairs), evaluation);
    }

    // ---- records ----

    /** Creates the records table; returns the first rid of each input and, last, the number of records. */
    private long[] prepareRecords(String records, Linkage linkage, List<String> inputs, List<String> priority, boolean matchMerge)
            throws SQLException {
        long[] offsets = new long[inputs.size() + 1];
        List<String> parts = new ArrayList<>();
        String id = linkage.idColumn();
        for (int index = 0; index < inputs.size(); index++) {
            String input = inputs.get(index);
            Map<String, String> columns = Profiler.columns(execution.connection(), Sql.id(input));
            if (!id.isEmpty() && !columns.containsKey(id)) {
                throw new DataEngineException(Kind.BAD_SPEC, path + ".linkage.id", "id column '" + id + "' does not exist in '" + input
                        + "'; its columns are " + columns.keySet());
            }
            String number = "row_number() OVER (ORDER BY t.rowid)";
            String record = id.isEmpty() ? "CAST(" + number + " AS VARCHAR)" : "CAST(t." + Sql.id(id) + " AS VARCHAR)";
            if (matchMerge) {
                record = Sql.literal(input + ":") + " || " + record;
            }
            parts.add("SELECT (" + number + " - 1 + " + offsets[index] + ")::BIGINT AS __keel_rid, " + Sql.literal(input)
                    + " AS __keel_source, " + record + " AS __keel_record, " + priority.indexOf(input) + "::INTEGER AS __keel_priority, t.*"
                    + " FROM " + Sql.id(input) + " AS t");
            offsets[index + 1] = offsets[index] + execution.count(input);
        }
        try {
            execution.execute("CREATE TABLE " + records + " AS SELECT * FROM (" + String.join(" UNION ALL BY NAME ", parts)
                    + ") ORDER BY __keel_rid");
        } catch (SQLException e) {
            throw new DataEngineException(Kind.BAD_SPEC, path + ".inputs", "cannot combine the inputs " + inputs + ": "
                    + SourceLoader.firstLine(e), e);
        }
        if (!id.isEmpty()) {
            try (Statement statement = execution.connection().createStatement();
                 ResultSet missing = statement.executeQuery("SELECT __keel_source, __keel_rid FROM " + records
                         + " WHERE __keel_record IS NULL ORDER BY __keel_rid LIMIT 1")) {
                if (missing.next()) {
                    int input = inputs.indexOf(missing.getString(1));
                    throw new DataEngineException(Kind.BAD_SPEC, path + ".linkage.id", "row " + (missing.getLong(2) - offsets[input] + 1)
                            + " of '" + missing.getString(1) + "' has no id: its '" + id + "' is null; every record needs one");
                }
            }
            try (Statement statement = execution.connection().createStatement();
                 ResultSet duplicate = statement.executeQuery("SELECT any_value(__keel_source), __keel_record, count(*) FROM " + records
                         + " GROUP BY __keel_record HAVING count(*) > 1 ORDER BY min(__keel_rid) LIMIT 1")) {
                if (duplicate.next()) {
                    String source = duplicate.getString(1);
                    String value = duplicate.getString(2);
                    if (matchMerge) {
                        value = value.substring(source.length() + 1);
                    }
                    throw new DataEngineException(Kind.BAD_SPEC, path + ".linkage.id", "id '" + value + "' appears " + duplicate.getLong(3)
                            + " times in '" + source + "'; '" + id + "' must identify each record of an input");
                }
            }
        }
        return offsets;
    }

    private void checkLabelled(String relation, String where, List<String> checked) throws SQLException {
        if (relation.isEmpty() || checked.contains(relation)) {
            return;
        }
        long exists = execution.scalarLong("SELECT count(*) FROM duckdb_tables() WHERE table_name = " + Sql.literal(relation)
                + " AND NOT temporary");
        if (exists == 0) {
            if (execution.planning()) {
                // A plan has no JDBC or HTTP source, nor what is computed from one: the run checks the labelled pairs.
                return;
            }
            throw new DataEngineException(Kind.BAD_SPEC, where, "labelled pairs '" + relation + "' is not a source or an earlier step");
        }
        Map<String, String> columns = Profiler.columns(execution.connection(), Sql.id(relation));
        for (String column : List.of("left_id", "right_id", "is_match")) {
            if (!columns.containsKey(column)) {
                throw new DataEngineException(Kind.BAD_SPEC, where, "labelled pairs '" + relation + "' need columns left_id, right_id and"
                        + " is_match; they have " + columns.keySet());
            }
        }
        checked.add(relation);
    }

    // ---- the record pass ----

    private void writeFeatures(String records, LinkFields fields, long n, LinkFields.Values[] sample, Random random)
            throws SQLException {
        String raw = table("features_raw");
        List<String> columns = new ArrayList<>(List.of("rid BIGINT", "src VARCHAR", "rec VARCHAR"));
        for (int key = 0; key < fields.keys().size(); key++) {
            columns.add("k" + key + " VARCHAR");
        }
        fields.featureColumns().forEach(column -> columns.add(column[0] + " " + column[1]));
        execution.execute("CREATE TABLE " + raw + " (" + String.join(", ", columns) + ")");
        String select = "SELECT t.__keel_rid, t.__keel_source, t.__keel_record"
                + fields.recordExpressions().stream().map(expression -> ", " + expression).collect(Collectors.joining())
                + " FROM " + records + " AS t";
        LinkFields.Values values = new LinkFields.Values(fields.size());
        String[] keys = new String[fields.keys().size()];
        DuckDBConnection duck = execution.connection();
        long seen = 0;
        try (DuckDBAppender appender = duck.createAppender(DuckDBConnection.DEFAULT_SCHEMA, raw)) {
            for (long start = 0; start < n; start += RECORD_CHUNK) {
                try (Statement statement = duck.createStatement();
                     ResultSet row = statement.executeQuery(select + " WHERE t.__keel_rid >= " + start + " AND t.__keel_rid < "
                             + (start + RECORD_CHUNK) + " ORDER BY t.__keel_rid")) {
                    while (row.next()) {
                        fields.readRecord(row, 4, values, keys);
                        appender.beginRow().append(row.getLong(1)).append(row.getString(2)).append(row.getString(3));
                        for (String key : keys) {
                            if (key == null) {
                                appender.appendNull();
                            } else {
                                appender.append(key);
                            }
                        }
                        fields.appendFeatures(appender, values);
                        appender.endRow();
                        // Reservoir sampling (algorithm R), in record order, so that the sample repeats with the seed.
                        if (seen < sample.length) {
                            sample[(int) seen] = values.copy();
                        } else {
                            long slot = random.nextLong(seen + 1);
                            if (slot < sample.length) {
                                sample[(int) slot] = values.copy();
                            }
                        }
                        seen++;
                    }
                }
            }
        }
        List<String> frequencies = new ArrayList<>();
        for (int k = 0; k < fields.size(); k++) {
            if (fields.termFrequencies(k)) {
                frequencies.add("CASE WHEN c" + k + "_norm IS NULL THEN NULL ELSE count(*) OVER (PARTITION BY c" + k + "_norm) END AS c" + k
                        + "_tf");
            }
        }
        execution.execute("CREATE TABLE " + table("features") + " AS SELECT *" + frequencies.stream().map(f -> ", " + f)
                .collect(Collectors.joining()) + " FROM " + raw + " ORDER BY rid");
        execution.execute("DROP TABLE " + raw);
    }

    private static double[][] estimateU(LinkFields fields, MatchModel model, LinkFields.Values[] sample, int pairs, Random random) {
        long[][] counts = new long[fields.size()][];
        for (int k = 0; k < counts.length; k++) {
            counts[k] = new long[model.comparisons().get(k).levelCount()];
        }
        int n = sample.length;
        for (int p = 0; p < pairs; p++) {
            int i = random.nextInt(n);
            int j = random.nextInt(n - 1);
            if (j >= i) {
                j++;
            }
            for (int k = 0; k < counts.length; k++) {
                counts[k][fields.level(k, sample[i], sample[j])]++;
            }
        }
        double[][] u = model.u();
        for (int k = 0; k < counts.length; k++) {
            long nonNull = Arrays.stream(counts[k]).sum() - counts[k][Comparison.NULL_LEVEL];
            if (nonNull == 0) {
                continue;
            }
            for (int l = 1; l < counts[k].length; l++) {
                u[k][l] = counts[k][l] == 0 ? 0.5 / nonNull : (double) counts[k][l] / nonNull;
            }
        }
        return u;
    }

    /**
     * m with every level's Bayes factor m/u at least that of the level after it: levels go from the most to the least similar,
     * so agreeing more must never count as less evidence. EM can break that order for a level it rarely sees (one a source's
     * convention makes rare, such as names equal but for case); such a level is raised to the next level's factor, then the
     * levels are rescaled to sum to 1, which keeps the order.
     */
    static double[][] monotone(double[][] m, double[][] u) {
        double[][] result = new double[m.length][];
        for (int k = 0; k < m.length; k++) {
            result[k] = m[k].clone();
            for (int l = result[k].length - 2; l >= 1; l--) {
                double next = result[k][l + 1] / u[k][l + 1];
                if (result[k][l] / u[k][l] < next) {
                    result[k][l] = next * u[k][l];
                }
            }
            double total = 0;
            for (int l = 1; l < result[k].length; l++) {
                total += result[k][l];
            }
            for (int l = 1; l < result[k].length; l++) {
                result[k][l] /= total;
            }
        }
        return result;
    }

    // ---- the pass over the candidate pairs ----

    /**
     * λ with m and u fixed: the fixed point of λ = mean posterior match probability over the candidate pairs, iterated from
     * the untrained prior as EM would.
     */
    private static double lambda(MatchModel model, int[][] patterns, long[] counts, MatchTraining.EmOptions options) {
        double lambda = model.lambda();
        long total = Arrays.stream(counts).sum();
        double[] logFactor = new double[patterns.length];
        for (int p = 0; p < patterns.length; p++) {
            for (int k = 0; k < patterns[p].length; k++) {
                logFactor[p] += Math.log(model.m(k, patterns[p][k]) / model.u(k, patterns[p][k]));
            }
        }
        for (int iteration = 1; iteration <= options.maximumIterations(); iteration++) {
            double matches = 0;
            for (int p = 0; p < patterns.length; p++) {
                matches += counts[p] / (1.0 + Math.exp(-(Math.log(lambda / (1 - lambda)) + logFactor[p])));
            }
            double next = Math.min(1 - options.minimumProbability(), Math.max(options.minimumProbability(), matches / total));
            boolean done = Math.abs(next - lambda) <= options.tolerance();
            lambda = next;
            if (done) {
                break;
            }
        }
        return lambda;
    }

    private long streamPairs(CandidatePairs candidates, LinkFields fields, List<LinkageReport.RuleCount> counts, String pairs,
                             long[] multiplier, VectorCounts vectors, VectorCounts[] sessions) throws SQLException {
        List<Integer> adjusted = new ArrayList<>();
        for (int k = 0; k < fields.size(); k++) {
            if (fields.termFrequencies(k)) {
                adjusted.add(k);
            }
        }
        List<String> columns = new ArrayList<>(List.of("l BIGINT", "r BIGINT", "rule INTEGER", "code BIGINT"));
        adjusted.forEach(k -> columns.add("tf" + k + " BIGINT"));
        execution.execute("CREATE TABLE " + pairs + " (" + String.join(", ", columns) + ")");
        List<String> selected = new ArrayList<>(fields.sideColumns("a"));
        selected.addAll(fields.sideColumns("b"));
        selected.addAll(fields.frequencyColumns("a"));
        // Whether each rule's keys agree on the pair: a pair counts in the training session of every rule that generates it.
        for (int rule = 0; rule < candidates.rules(); rule++) {
            selected.add(candidates.agree(rule));
        }
        boolean[][] blocked = new boolean[candidates.rules()][];
        for (int rule = 0; rule < blocked.length; rule++) {
            blocked[rule] = fields.blockedBy(rule);
        }
        // The chunks of every rule, shared out among workers: each has its own connection, its own pairs table and counts.
        List<int[]> chunks = new ArrayList<>();
        for (int rule = 0; rule < candidates.rules(); rule++) {
            long compared = counts.get(rule).compared();
            int parts = (int) Math.max(1, Math.min(4096, (compared + CHUNK - 1) / CHUNK));
            for (int chunk = 0; chunk < parts && compared > 0; chunk++) {
                chunks.add(new int[] {rule, chunk, parts});
            }
        }
        int workers = (int) Math.max(1, Math.min(Math.min(WORKERS, Runtime.getRuntime().availableProcessors()), chunks.size()));
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        long[] streamed = new long[workers];
        VectorCounts[] workerVectors = new VectorCounts[workers];
        VectorCounts[][] workerSessions = new VectorCounts[workers][];
        List<java.util.concurrent.Future<?>> running = new ArrayList<>();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(workers, runnable -> {
            Thread thread = new Thread(runnable, "keel-linkage-pairs");
            thread.setDaemon(true);
            return thread;
        });
        try {
            for (int worker = 0; worker < workers; worker++) {
                int index = worker;
                workerVectors[index] = vectors.empty();
                workerSessions[index] = new VectorCounts[sessions.length];
                for (int rule = 0; rule < sessions.length; rule++) {
                    workerSessions[index][rule] = sessions[rule].empty();
                }
                String table = pairs + "_" + index;
                execution.execute("CREATE TABLE " + table + " (" + String.join(", ", columns) + ")");
                running.add(pool.submit(() -> {
                    streamed[index] = streamChunks(candidates, fields, selected, chunks, next, table, adjusted.size(), multiplier, blocked,
                            workerVectors[index], workerSessions[index]);
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> future : running) {
                future.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DataEngineException(Kind.INTERNAL, path, "interrupted while comparing pairs", e);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SQLException sql) {
                throw sql;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new DataEngineException(Kind.INTERNAL, path, "comparing pairs failed: " + cause, cause);
        } finally {
            pool.shutdownNow();
        }
        long total = 0;
        for (int worker = 0; worker < workers; worker++) {
            total += streamed[worker];
            vectors.addAll(workerVectors[worker]);
            for (int rule = 0; rule < sessions.length; rule++) {
                sessions[rule].addAll(workerSessions[worker][rule]);
            }
            execution.execute("INSERT INTO " + pairs + " SELECT * FROM " + pairs + "_" + worker);
            execution.execute("DROP TABLE " + pairs + "_" + worker);
        }
        return total;
    }

    /** One worker: takes chunks until none is left, counting each pair's vectors and appending its code to {@code table}. */
    private long streamChunks(CandidatePairs candidates, LinkFields fields, List<String> selected, List<int[]> chunks,
                              java.util.concurrent.atomic.AtomicInteger next, String table, int frequencies, long[] multiplier,
                              boolean[][] blocked, VectorCounts vectors, VectorCounts[] sessions) throws SQLException {
        LinkFields.Values left = new LinkFields.Values(fields.size());
        LinkFields.Values right = new LinkFields.Values(fields.size());
        int[] levels = new int[fields.size()];
        long streamed = 0;
        try (DuckDBConnection duck = execution.connection().duplicate();
             DuckDBAppender appender = duck.createAppender(DuckDBConnection.DEFAULT_SCHEMA, table)) {
            for (int taken = next.getAndIncrement(); taken < chunks.size(); taken = next.getAndIncrement()) {
                int rule = chunks.get(taken)[0];
                try (Statement statement = duck.createStatement();
                     ResultSet row = statement.executeQuery(candidates.pairs(rule, chunks.get(taken)[1], chunks.get(taken)[2], selected))) {
                    while (row.next()) {
                        int at = fields.readSide(row, 3, left);
                        at = fields.readSide(row, at, right);
                        fields.levels(left, right, levels);
                        long code = 0;
                        for (int k = 0; k < levels.length; k++) {
                            code += levels[k] * multiplier[k];
                        }
                        vectors.add(code);
                        int agreeing = at + frequencies;
                        for (int other = rule; other < sessions.length; other++) {
                            if (other == rule || row.getBoolean(agreeing + other)) {
                                long trainingCode = code;
                                for (int k = 0; k < levels.length; k++) {
                                    trainingCode -= blocked[other][k] ? levels[k] * multiplier[k] : 0;
                                }
                                sessions[other].add(trainingCode);
                            }
                        }
                        appender.beginRow().append(row.getLong(1)).append(row.getLong(2)).append(rule).append(code);
                        for (int index = 0; index < frequencies; index++) {
                            long frequency = row.getLong(at + index);
                            if (row.wasNull()) {
                                appender.appendNull();
                            } else {
                                appender.append(frequency);
                            }
                        }
                        appender.endRow();
                        streamed++;
                    }
                }
            }
        }
        return streamed;
    }

    /** Counts of level-vector codes: an array when the codes are few, a map otherwise. */
    static final class VectorCounts {
        private static final long ARRAY_LIMIT = 1 << 20;
        private final long[] array;
        private final Map<Long, long[]> map;

        private final long size;

        VectorCounts(long codes) {
            this.size = codes;
            array = codes <= ARRAY_LIMIT ? new long[(int) codes] : null;
            map = array == null ? new HashMap<>() : null;
        }

        /** New counts of the same codes, all zero. */
        VectorCounts empty() {
            return new VectorCounts(size);
        }

        /** Adds another's counts. */
        void addAll(VectorCounts other) {
            if (array != null) {
                for (int code = 0; code < array.length; code++) {
                    array[code] += other.array[code];
                }
            } else {
                other.map.forEach((code, count) -> map.computeIfAbsent(code, ignored -> new long[1])[0] += count[0]);
            }
        }

        void add(long code) {
            if (array != null) {
                array[(int) code]++;
            } else {
                map.computeIfAbsent(code, ignored -> new long[1])[0]++;
            }
        }

        private long[] codes() {
            if (array != null) {
                return java.util.stream.IntStream.range(0, array.length).filter(code -> array[code] > 0).mapToLong(code -> code).toArray();
            }
            return map.keySet().stream().mapToLong(Long::longValue).sorted().toArray();
        }

        /** The vectors counted. */
        long total() {
            return array != null ? Arrays.stream(array).sum() : map.values().stream().mapToLong(count -> count[0]).sum();
        }

        /** Whether some vector counted has comparison k at a level other than null. */
        boolean informs(int k, int[] radix, long[] multiplier) {
            for (long code : codes()) {
                if (code / multiplier[k] % radix[k] != 0) {
                    return true;
                }
            }
            return false;
        }

        /** The vectors seen, by ascending code. */
        int[][] patterns(int[] radix, long[] multiplier) {
            long[] codes = codes();
            int[][] patterns = new int[codes.length][];
            for (int p = 0; p < codes.length; p++) {
                patterns[p] = new int[radix.length];
                for (int k = 0; k < radix.length; k++) {
                    patterns[p][k] = (int) (codes[p] / multiplier[k] % radix[k]);
                }
            }
            return patterns;
        }

        /** How often each vector of {@link #patterns} was seen. */
        long[] counts() {
            long[] codes = codes();
            long[] counts = new long[codes.length];
            for (int p = 0; p < codes.length; p++) {
                counts[p] = array != null ? array[(int) codes[p]] : map.get(codes[p])[0];
            }
            return counts;
        }
    }

    // ---- labelled pairs ----

    /** A labelled pair: both records' rids (smaller first), the label, and the pair's level vector. */
    private record LabelledPair(long left, long right, boolean isMatch, int[] levels) {
    }

    private List<LabelledPair> readLabelled(String relation, String where, LinkFields fields, long n) throws SQLException {
        if (n == 0) {
            return List.of();
        }
        String features = table("features");
        String sql = "SELECT CAST(x.left_id AS VARCHAR), CAST(x.right_id AS VARCHAR), TRY_CAST(x.is_match AS BOOLEAN), a.rid, b.rid, "
                + String.join(", ", fields.sideColumns("a")) + ", " + String.join(", ", fields.sideColumns("b")) + " FROM "
                + Sql.id(relation) + " AS x LEFT JOIN " + features + " AS a ON a.rec = CAST(x.left_id AS VARCHAR) LEFT JOIN " + features
                + " AS b ON b.rec = CAST(x.right_id AS VARCHAR) ORDER BY a.rid, b.rid";
        List<LabelledPair> pairs = new ArrayList<>();
        LinkFields.Values left = new LinkFields.Values(fields.size());
        LinkFields.Values right = new LinkFields.Values(fields.size());
        try (Statement statement = execution.connection().createStatement(); ResultSet row = statement.executeQuery(sql)) {
            while (row.next()) {
                String leftId = row.getString(1);
                String rightId = row.getString(2);
                boolean isMatch = row.getBoolean(3);
                boolean unlabelled = row.wasNull();
                long a = row.getLong(4);
                boolean leftMissing = row.wasNull();
                long b = row.getLong(5);
                boolean rightMissing = row.wasNull();
                if (leftMissing || rightMissing) {
                    throw new DataEngineException(Kind.BAD_SPEC, where, "labelled pair (" + leftId + ", " + rightId + ") of '" + relation
                            + "' names record '" + (leftMissing ? leftId : rightId) + "', which is not among the step's records");
                }
                if (unlabelled) {
                    throw new DataEngineException(Kind.BAD_SPEC, where, "labelled pair (" + leftId + ", " + rightId + ") of '" + relation
                            + "' has no is_match (true or false)");
                }
                if (a == b) {
                    throw new DataEngineException(Kind.BAD_SPEC, where, "labelled pair (" + leftId + ", " + rightId + ") of '" + relation
                            + "' pairs a record with itself");
                }
                int at = fields.readSide(row, 6, left);
                fields.readSide(row, at, right);
                int[] levels = new int[fields.size()];
                fields.levels(left, right, levels);
                pairs.add(new LabelledPair(Math.min(a, b), Math.max(a, b), isMatch, levels));
            }
        }
        if (pairs.isEmpty()) {
            throw new DataEngineException(Kind.BAD_SPEC, where, "labelled pairs '" + relation + "' has no pairs");
        }
        return pairs;
    }

    private MatchModel fromLabelled(MatchModel model, List<LabelledPair> pairs) {
        List<int[]> vectors = pairs.stream().map(LabelledPair::levels).toList();
        boolean[] labels = new boolean[pairs.size()];
        long matches = 0;
        for (int p = 0; p < labels.length; p++) {
            labels[p] = pairs.get(p).isMatch();
            matches += labels[p] ? 1 : 0;
        }
        if (matches == 0) {
            throw new DataEngineException(Kind.BAD_SPEC, path + ".linkage.training.labelled-pairs", "the labelled pairs hold no match;"
                    + " m is estimated from the matches among them");
        }
        try {
            MatchModel trained = MatchTraining.mFromLabelledPairs(model, vectors, labels);
            double lambda = Math.min(1 - 1e-6, Math.max(1e-6, (double) matches / labels.length));
            return trained.withLambda(lambda);
        } catch (RuntimeException e) {
            throw new DataEngineException(Kind.BAD_SPEC, path + ".linkage.training.labelled-pairs", e.getMessage(), e);
        }
    }

    // ---- scoring ----

    private static String literal(double value) {
        return "CAST('" + Double.toString(value) + "' AS DOUBLE)";
    }

    /** The level of comparison k as SQL over a pairs row. */
    private static String levelSql(int k, long[] multiplier, int[] radix) {
        return "((code // " + multiplier[k] + ") % " + radix[k] + ")::INTEGER";
    }

    /**
     * A query over the stored pairs giving {@code l, r, rule}, per comparison {@code lv<k>} and {@code w<k>}, then
     * {@code match_weight} and {@code probability}; exact levels of term-frequency comparisons weigh the agreed value's share.
     */
    private static String scoredSql(String pairs, LinkFields fields, MatchModel model, long[] multiplier, int[] radix,
                                    Map<Integer, Long> frequencyTotals) {
        List<String> levels = new ArrayList<>();
        List<String> weights = new ArrayList<>();
        for (int k = 0; k < fields.size(); k++) {
            levels.add(levelSql(k, multiplier, radix) + " AS lv" + k);
            StringBuilder weight = new StringBuilder("CASE lv" + k + " WHEN 0 THEN 0.0::DOUBLE");
            for (int l = 1; l < radix[k]; l++) {
                double m = model.m(k, l);
                double plain = MatchModelWeights.log2(m / model.u(k, l));
                weight.append(" WHEN ").append(l).append(" THEN ");
                if (fields.adjusted(k, l) && frequencyTotals.getOrDefault(k, 0L) > 0) {
                    long total = frequencyTotals.get(k);
                    weight.append("CASE WHEN tf").append(k).append(" IS NULL THEN ").append(literal(plain)).append(" ELSE ln(")
                            .append(literal(m)).append(" / greatest(").append(literal(1.0 / total)).append(", tf").append(k)
                            .append("::DOUBLE / ").append(total).append(")) / ln(2.0) END");
                } else {
                    weight.append(literal(plain));
                }
            }
            weight.append(" END AS w").append(k);
            weights.add(weight.toString());
        }
        String sum = literal(model.priorWeight()) + java.util.stream.IntStream.range(0, fields.size()).mapToObj(k -> " + w" + k)
                .collect(Collectors.joining());
        String tf = java.util.stream.IntStream.range(0, fields.size()).filter(fields::termFrequencies).mapToObj(k -> ", tf" + k)
                .collect(Collectors.joining());
        return "SELECT *, 1.0 / (1.0 + pow(2.0, -match_weight)) AS probability FROM (SELECT l, r, rule"
                + java.util.stream.IntStream.range(0, fields.size()).mapToObj(k -> ", lv" + k + ", w" + k).collect(Collectors.joining())
                + ", " + sum + " AS match_weight FROM (SELECT l, r, rule, " + String.join(", ", weights) + ", " + joinLevels(fields.size())
                + " FROM (SELECT l, r, rule, " + String.join(", ", levels) + tf + " FROM " + pairs + ")))";
    }

    private static String joinLevels(int comparisons) {
        return java.util.stream.IntStream.range(0, comparisons).mapToObj(k -> "lv" + k).collect(Collectors.joining(", "));
    }

    /** log2 as the match model computes it. */
    private static final class MatchModelWeights {
        private MatchModelWeights() {
        }

        static double log2(double x) {
            return Math.log(x) / Math.log(2);
        }
    }

    // ---- clustering ----

    private Clustering.Result cluster(Linkage linkage, String links, long[] offsets, List<String> inputs) throws SQLException {
        double threshold = linkage.threshold();
        // A margin below the threshold's weight: the probability that decides is the one ScoredPair computes, in Java.
        double weight = MatchModelWeights.log2(threshold / (1 - threshold)) - 1e-6;
        List<ScoredPair> candidates = new ArrayList<>();
        Set<Long> linked = new HashSet<>();
        try (Statement statement = execution.connection().createStatement();
             ResultSet row = statement.executeQuery("SELECT l, r, match_weight FROM " + links + " WHERE match_weight >= "
                     + literal(weight) + " ORDER BY l, r")) {
            while (row.next()) {
                ScoredPair pair = new ScoredPair(row.getLong(1), row.getLong(2), row.getDouble(3));
                if (pair.probability() >= threshold) {
                    candidates.add(pair);
                    linked.add(pair.left());
                    linked.add(pair.right());
                }
            }
        }
        Map<Long, String> sources = new HashMap<>();
        for (Long rid : linked) {
            sources.put(rid, inputs.get(inputOf(rid, offsets)));
        }
        Clustering clustering = Clustering.connectedComponents(threshold);
        if (linkage.breaksBridges()) {
            clustering = clustering.breakingBridgesBelow(linkage.breakBridgesBelow());
        }
        clustering = switch (linkage.mode()) {
            case ANY -> clustering;
            case CROSS_SOURCE -> clustering.crossSourceOnly(sources);
            case ONE_TO_ONE -> clustering.oneToOne(sources);
        };
        Clustering.Result result;
        try {
            result = clustering.link(linked, candidates);
        } catch (RuntimeException e) {
            throw new DataEngineException(Kind.BAD_SPEC, path + ".linkage.mode", e.getMessage(), e);
        }
        Set<List<Long>> kept = new HashSet<>();
        result.links().forEach(pair -> kept.add(List.of(pair.left(), pair.right())));
        String decisions = table("decisions");
        execution.execute("CREATE TABLE " + decisions + " (l BIGINT, r BIGINT, decision VARCHAR)");
        try (DuckDBAppender appender = execution.connection().createAppender(DuckDBConnection.DEFAULT_SCHEMA, decisions)) {
            for (ScoredPair pair : candidates) {
                String decision;
                if (kept.contains(List.of(pair.left(), pair.right()))) {
                    decision = "linked";
                } else if (linkage.mode() != Linkage.Mode.ANY && sources.get(pair.left()).equals(sources.get(pair.right()))) {
                    decision = "same-source";
                } else if (linkage.mode() == Linkage.Mode.ONE_TO_ONE) {
                    decision = "one-to-one";
                } else {
                    decision = "bridge-broken";
                }
                appender.beginRow().append(pair.left()).append(pair.right()).append(decision).endRow();
            }
        }
        return result;
    }

    private static int inputOf(long rid, long[] offsets) {
        int input = 0;
        while (input + 2 < offsets.length && rid >= offsets[input + 1]) {
            input++;
        }
        return input;
    }

    private void writeClusters(String records, Clustering.Result clustering) throws SQLException {
        String clustered = table("clustered");
        execution.execute("CREATE TABLE " + clustered + " (rid BIGINT, cluster_id BIGINT)");
        try (DuckDBAppender appender = execution.connection().createAppender(DuckDBConnection.DEFAULT_SCHEMA, clustered)) {
            for (Map.Entry<Long, Long> entry : clustering.clusters().entrySet()) {
                appender.beginRow().append(entry.getKey().longValue()).append(entry.getValue() + 1).endRow();
            }
        }
        execution.execute("CREATE TABLE " + table("clusters") + " AS SELECT t.__keel_rid, coalesce(c.cluster_id, t.__keel_rid + 1)::BIGINT"
                + " AS cluster_id FROM " + records + " AS t LEFT JOIN " + clustered + " AS c ON c.rid = t.__keel_rid ORDER BY t.__keel_rid");
    }

    // ---- the relations the step creates ----

    private static String columnName(String name) {
        return name.replace('-', '_');
    }

    private void createLinkTable(String step, Linkage linkage, LinkFields fields, String links) throws SQLException {
        String features = table("features");
        List<String> columns = new ArrayList<>();
        columns.add("a.rec AS left_id");
        columns.add("b.rec AS right_id");
        StringBuilder rule = new StringBuilder("CASE x.rule");
        for (int index = 0; index < linkage.blocking().size(); index++) {
            rule.append(" WHEN ").append(index).append(" THEN ").append(Sql.literal(linkage.blocking().get(index).name()));
        }
        columns.add(rule.append(" END AS rule").toString());
        for (int k = 0; k < fields.size(); k++) {
            List<String> labels = fields.comparisons().get(k).labels();
            StringBuilder label = new StringBuilder("CASE x.lv" + k);
            for (int l = 0; l < labels.size(); l++) {
                label.append(" WHEN ").append(l).append(" THEN ").append(Sql.literal(labels.get(l)));
            }
            String name = columnName(fields.spec(k).name());
            columns.add(label.append(" END AS ").append(Sql.id(name + "_level")).toString());
            columns.add("x.w" + k + " AS " + Sql.id(name + "_weight"));
        }
        columns.add("x.match_weight");
        columns.add("x.probability");
        columns.add("coalesce(d.decision, 'below-threshold') AS decision");
        execution.execute("CREATE TABLE " + Sql.id(step + "__links") + " AS SELECT " + String.join(", ", columns) + " FROM " + links
                + " AS x JOIN " + features + " AS a ON a.rid = x.l JOIN " + features + " AS b ON b.rid = x.r LEFT JOIN " + table("decisions")
                + " AS d ON d.l = x.l AND d.r = x.r ORDER BY x.match_weight DESC, x.l, x.r");
    }

    private void createClusterTable(String step, Linkage linkage, LinkFields fields, String records, String features, String clusters)
            throws SQLException {
        List<String> columns = new ArrayList<>(List.of("t.__keel_record AS record_id", "t.__keel_source AS source", "c.cluster_id",
                "dense_rank() OVER (ORDER BY c.cluster_id)::BIGINT AS golden_id"));
        for (int rule = 0; rule < linkage.blocking().size(); rule++) {
            int[] keys = fields.ruleKeys(rule);
            String key;
            if (keys.length == 1) {
                key = "f.k" + keys[0];
            } else {
                key = "CASE WHEN " + Arrays.stream(keys).mapToObj(j -> "f.k" + j + " IS NOT NULL").collect(Collectors.joining(" AND "))
                        + " THEN concat_ws(' | ', " + Arrays.stream(keys).mapToObj(j -> "f.k" + j).collect(Collectors.joining(", ")) + ") END";
            }
            columns.add(key + " AS " + Sql.id("key_" + columnName(linkage.blocking().get(rule).name())));
        }
        execution.execute("CREATE TABLE " + Sql.id(step + "__clusters") + " AS SELECT " + String.join(", ", columns) + " FROM " + records
                + " AS t JOIN " + clusters + " AS c ON c.__keel_rid = t.__keel_rid JOIN " + features + " AS f ON f.rid = t.__keel_rid"
                + " ORDER BY t.__keel_rid");
    }

    // ---- the report ----

    private static LinkageReport.Model parameters(MatchModel model, String training, int iterations, boolean converged, long uPairs) {
        List<LinkageReport.ComparisonParameters> comparisons = new ArrayList<>();
        for (int k = 0; k < model.comparisons().size(); k++) {
            Comparison comparison = model.comparisons().get(k);
            List<LinkageReport.LevelParameters> levels = new ArrayList<>();
            for (int l = 1; l < comparison.levelCount(); l++) {
                levels.add(new LinkageReport.LevelParameters(comparison.labels().get(l), model.m(k, l), model.u(k, l),
                        MatchModelWeights.log2(model.m(k, l) / model.u(k, l))));
            }
            comparisons.add(new LinkageReport.ComparisonParameters(comparison.name(), levels));
        }
        return new LinkageReport.Model(model.lambda(), comparisons, training, iterations, converged, uPairs);
    }

    private Optional<LinkageReport.Evaluation> evaluate(Linkage linkage, String records, String clusters, String scored,
                                                        List<LabelledPair> judged) throws SQLException {
        List<LinkageReport.CurvePoint> curve = new ArrayList<>();
        if (!judged.isEmpty()) {
            curve = curve(judged, scored);
        }
        String truth = linkage.evaluation().truthColumn();
        Map<Long, Long> predicted = new HashMap<>();
        Map<Long, Long> actual = new HashMap<>();
        String against;
        if (!truth.isEmpty()) {
            against = "truth-column";
            Map<String, Long> entities = new HashMap<>();
            try (Statement statement = execution.connection().createStatement();
                 ResultSet row = statement.executeQuery("SELECT t.__keel_rid, c.cluster_id, CAST(t." + Sql.id(truth) + " AS VARCHAR) FROM "
                         + records + " AS t JOIN " + clusters + " AS c ON c.__keel_rid = t.__keel_rid ORDER BY t.__keel_rid")) {
                while (row.next()) {
                    long rid = row.getLong(1);
                    predicted.put(rid, row.getLong(2));
                    String entity = row.getString(3);
                    // A record without a true entity is an entity of its own.
                    actual.put(rid, entity == null ? -rid - 1 : entities.computeIfAbsent(entity, ignored -> (long) entities.size()));
                }
            }
        } else {
            against = "labelled-pairs";
            UnionFind matches = new UnionFind();
            Set<Long> labelled = new HashSet<>();
            for (LabelledPair pair : judged) {
                labelled.add(pair.left());
                labelled.add(pair.right());
                if (pair.isMatch()) {
                    matches.union(pair.left(), pair.right());
                }
            }
            for (Long rid : labelled) {
                actual.put(rid, matches.find(rid));
            }
            try (Statement statement = execution.connection().createStatement();
                 ResultSet row = statement.executeQuery("SELECT __keel_rid, cluster_id FROM " + clusters)) {
                while (row.next()) {
                    if (labelled.contains(row.getLong(1))) {
                        predicted.put(row.getLong(1), row.getLong(2));
                    }
                }
            }
        }
        MatchMetrics metrics = MatchMetrics.evaluate(predicted, actual);
        return Optional.of(new LinkageReport.Evaluation(against, metrics.pairwisePrecision(), metrics.pairwiseRecall(),
                metrics.pairwiseF1(), metrics.bcubedPrecision(), metrics.bcubedRecall(), metrics.bcubedF1(), pairs(actual), pairs(predicted),
                curve));
    }

    /** Unordered pairs of records sharing a cluster. */
    private static long pairs(Map<Long, Long> clusters) {
        Map<Long, Long> sizes = new HashMap<>();
        clusters.values().forEach(cluster -> sizes.merge(cluster, 1L, Long::sum));
        return sizes.values().stream().mapToLong(size -> size * (size - 1) / 2).sum();
    }

    private List<LinkageReport.CurvePoint> curve(List<LabelledPair> judged, String scored) throws SQLException {
        String labelled = table("labelled");
        execution.execute("CREATE OR REPLACE TABLE " + labelled + " (l BIGINT, r BIGINT)");
        try (DuckDBAppender appender = execution.connection().createAppender(DuckDBConnection.DEFAULT_SCHEMA, labelled)) {
            for (LabelledPair pair : judged) {
                appender.beginRow().append(pair.left()).append(pair.right()).endRow();
            }
        }
        Map<List<Long>, Double> probabilities = new HashMap<>();
        try (Statement statement = execution.connection().createStatement();
             ResultSet row = statement.executeQuery("SELECT s.l, s.r, s.probability FROM (" + scored + ") AS s JOIN " + labelled
                     + " AS x ON x.l = s.l AND x.r = s.r")) {
            while (row.next()) {
                probabilities.put(List.of(row.getLong(1), row.getLong(2)), row.getDouble(3));
            }
        }
        List<MatchMetrics.LabelledScore> scores = new ArrayList<>();
        for (LabelledPair pair : judged) {
            // A labelled pair no rule generated was never compared: probability 0.
            scores.add(new MatchMetrics.LabelledScore(probabilities.getOrDefault(List.of(pair.left(), pair.right()), 0.0), pair.isMatch()));
        }
        if (scores.stream().noneMatch(MatchMetrics.LabelledScore::isMatch)) {
            return List.of();
        }
        return MatchMetrics.precisionRecallCurve(scores).stream()
                .map(point -> new LinkageReport.CurvePoint(point.threshold(), point.precision(), point.recall())).toList();
    }
}
