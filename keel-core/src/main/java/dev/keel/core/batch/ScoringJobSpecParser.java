package dev.keel.core.batch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.data.SpecDocument;
import dev.keel.core.data.SpecError;
import dev.keel.core.data.SpecNode;
import dev.keel.core.security.ProjectService;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a scoring job spec from YAML or JSON and checks it, naming every error with its path ({@code destination.mode}).
 * Unknown keys are refused and list sizes are capped before anything is built.
 *
 * <pre>{@code
 * name: credit-nightly
 * project: default
 * model: {name: credit, alias: champion}       # or {name: credit, version: 3}
 * input: {dataset: applicants, version: latest}   # or {connection: crm, table: T | query: SQL, order_by: [..]} or {files: GLOB}
 * keys: [applicant_id]
 * carry: [region]
 * outputs: {probabilities: true, classes: [good, bad], label: true, named: [score]}
 * destination: {kind: postgres, connection: reports, table: credit_scores, mode: upsert}   # or {kind: parquet, path: P} or {kind: dataset, dataset: D}
 * incremental: {watermark: updated_at}                # or {changes: true}
 * schedule: "0 2 * * *"
 * after: applicants-pipeline
 * retries: 2
 * chunk_size: 10000
 * }</pre>
 */
public final class ScoringJobSpecParser {
    /** The longest spec text accepted, in UTF-8 bytes. */
    public static final int MAX_SPEC_BYTES = 64 * 1024;
    /** The largest chunk a run reads and scores at once. */
    public static final int MAX_CHUNK_SIZE = 100_000;
    static final int DEFAULT_CHUNK_SIZE = 10_000;
    static final int MAX_KEYS = 16;
    static final int MAX_CLASSES = 1_000;
    static final int MAX_NAMED = 32;
    /** The columns every output row carries besides keys and outputs. */
    static final Set<String> RESERVED = Set.of("model", "model_version", "run_id", "run_chunk", "scored_at", "label");
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,62}");
    private static final Pattern PROJECT = Pattern.compile("[a-z][a-z0-9-]{0,62}");
    private static final Pattern ALIAS = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    /** Column and table names end up in SQL, quoted; they are kept to plain identifiers. */
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
    private static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}(\\.[A-Za-z_][A-Za-z0-9_]{0,62})?");
    private static final Pattern CLASS = Pattern.compile("[A-Za-z0-9_]{1,40}");
    private static final Set<String> TOP_KEYS = Set.of("name", "project", "description", "model", "input", "keys", "carry", "sensitive",
            "outputs", "destination", "incremental", "quarantine", "schedule", "after", "retries", "retry_delay", "chunk_size");
    /** The most retries a job may ask for. */
    public static final int MAX_RETRIES = 10;
    static final int MAX_CARRY = 64;
    static final int MAX_PARTITIONS = 4;
    static final int MAX_QUERY = 16 * 1024;
    /** A relative path of plain segments: the Parquet destination's directory under the output root. */
    private static final Pattern RELATIVE_PATH = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}(/[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}){0,7}");

    /** Parses and validates a spec; never throws for bad input. */
    public SpecDocument.Result<ScoringJobSpec> parse(String text) {
        return SpecDocument.parse(text, MAX_SPEC_BYTES, "a mapping with name, model, input, outputs and destination", ScoringJobSpecParser::read);
    }

    /** Parses a spec or throws INVALID_SPEC with one field error per path. */
    public ScoringJobSpec parseOrThrow(String text) {
        return SpecDocument.orThrow(parse(text), "the scoring job spec");
    }

    private static ScoringJobSpec read(SpecNode root, List<SpecError> errors) {
        root.allowOnly(TOP_KEYS);
        String name = name(root, "name", "the job's name");
        String project = root.string("project").orElse(ProjectService.DEFAULT);
        if (root.has("project") && !PROJECT.matcher(project).matches()) {
            root.get("project").orElseThrow().error("'" + clip(project) + "' is not a valid project name");
        }
        String description = root.string("description").orElse("");
        if (description.length() > 1_000) {
            root.get("description").orElseThrow().error("expected at most 1000 characters, got " + description.length());
        }
        ScoringJobSpec.ModelRef model = model(root);
        ScoringJobSpec.Input input = input(root);
        List<String> keys = identifiers(root, "keys", MAX_KEYS, "key column");
        List<String> carry = identifiers(root, "carry", MAX_CARRY, "carried column");
        for (int i = 0; i < carry.size(); i++) {
            if (keys.contains(carry.get(i))) {
                root.errorAt("carry[" + i + "]", "column '" + carry.get(i) + "' is a key already; keys are always copied");
            } else if (RESERVED.contains(carry.get(i)) || carry.get(i).startsWith("p_")) {
                root.errorAt("carry[" + i + "]", "column '" + carry.get(i) + "' collides with an output column; rename it in the input");
            }
        }
        List<String> sensitive = identifiers(root, "sensitive", MAX_KEYS + MAX_CARRY, "sensitive column");
        List<String> copied = new ArrayList<>(keys);
        copied.addAll(carry);
        for (int i = 0; i < sensitive.size(); i++) {
            if (!copied.contains(sensitive.get(i))) {
                root.errorAt("sensitive[" + i + "]", "column '" + sensitive.get(i) + "' is neither a key nor carried; sensitive lists the"
                        + " sensitive columns the job may copy");
            }
        }
        ScoringJobSpec.Outputs outputs = outputs(root, copied);
        ScoringJobSpec.Destination destination = destination(root, copied);
        if (input instanceof ScoringJobSpec.DatabaseInput database && database.orderBy().isEmpty() && keys.isEmpty() && root.has("input")) {
            root.errorAt("input.order_by", "missing; a database input needs columns that give its rows a fixed order (order_by, or keys)");
        }
        Optional<ScoringJobSpec.Incremental> incremental = incremental(root, input);
        Optional<String> quarantine = root.string("quarantine");
        if (quarantine.isPresent() && (!IDENTIFIER.matcher(quarantine.get()).matches()
                || quarantine.get().toLowerCase(java.util.Locale.ROOT).startsWith("batch_"))) {
            root.get("quarantine").orElseThrow().error("'" + clip(quarantine.get()) + "' is not a table name; expected 1-63 letters, digits or"
                    + " '_', not starting with batch_");
        }
        ScoringJobSpec.Operations operations = operations(root);
        if (destination.mode() == ScoringJobSpec.Mode.UPSERT && keys.isEmpty() && root.has("destination")) {
            root.errorAt("keys", "missing; upsert mode needs the key columns that identify a row");
        }
        int chunkSize = root.integer("chunk_size", DEFAULT_CHUNK_SIZE, 1);
        if (chunkSize > MAX_CHUNK_SIZE) {
            root.get("chunk_size").orElseThrow().error("expected at most " + MAX_CHUNK_SIZE + ", got " + chunkSize);
            chunkSize = DEFAULT_CHUNK_SIZE;
        }
        if (!errors.isEmpty()) {
            return null;
        }
        return new ScoringJobSpec(name, project, description, model, input, keys, carry, sensitive, outputs, destination, incremental,
                quarantine, operations, chunkSize);
    }

    private static ScoringJobSpec.ModelRef model(SpecNode root) {
        ScoringJobSpec.ModelRef fallback = new ScoringJobSpec.ModelRef("unnamed", Optional.of("champion"), 0);
        Optional<SpecNode> found = root.required("model", "{name: MODEL, alias: champion} or {name: MODEL, version: N}");
        if (found.isEmpty()) {
            return fallback;
        }
        SpecNode node = found.get();
        if (!node.isObject()) {
            node.error("expected {name: MODEL, alias: champion} or {name: MODEL, version: N}");
            return fallback;
        }
        node.allowOnly(Set.of("name", "alias", "version"));
        String name = name(node, "name", "the registered model");
        Optional<String> alias = node.string("alias");
        if (alias.isPresent() && !ALIAS.matcher(alias.get()).matches()) {
            node.get("alias").orElseThrow().error("'" + clip(alias.get()) + "' is not an alias; use lower-case letters, digits, '_' or '-'");
        }
        int version = node.integer("version", 0, 1);
        if (alias.isPresent() == node.has("version")) {
            node.error("expected exactly one of alias or version");
            return fallback;
        }
        return alias.isPresent() ? new ScoringJobSpec.ModelRef(name, alias, 0)
                : version > 0 ? new ScoringJobSpec.ModelRef(name, Optional.empty(), version) : fallback;
    }

    private static ScoringJobSpec.Input input(SpecNode root) {
        ScoringJobSpec.Input fallback = new ScoringJobSpec.DatasetInput("unnamed", 0);
        String expected = "{dataset: NAME, version: latest}, {connection: NAME, table: TABLE} or {files: PATH}";
        Optional<SpecNode> found = root.required("input", expected);
        if (found.isEmpty()) {
            return fallback;
        }
        SpecNode node = found.get();
        if (!node.isObject()) {
            node.error("expected " + expected);
            return fallback;
        }
        int kinds = (node.has("dataset") ? 1 : 0) + (node.has("connection") ? 1 : 0) + (node.has("files") ? 1 : 0);
        if (kinds != 1) {
            node.error("expected exactly one of dataset, connection or files");
            return fallback;
        }
        if (node.has("connection")) {
            node.allowOnly(Set.of("connection", "table", "query", "order_by"));
            String connection = name(node, "connection", "a connection the administrator declared");
            Optional<String> table = node.string("table");
            Optional<String> query = node.string("query");
            if (table.isPresent() == query.isPresent()) {
                node.error("expected exactly one of table or query");
                return fallback;
            }
            if (table.isPresent() && !TABLE.matcher(table.get()).matches()) {
                node.get("table").orElseThrow().error("'" + clip(table.get()) + "' is not a table name; expected an identifier or"
                        + " schema.table of letters, digits or '_'");
            }
            if (query.isPresent() && (query.get().isBlank() || query.get().length() > MAX_QUERY)) {
                node.get("query").orElseThrow().error("expected a SELECT of at most " + MAX_QUERY + " characters");
            }
            List<String> orderBy = identifiers(node, "order_by", MAX_KEYS, "ordering column");
            return new ScoringJobSpec.DatabaseInput(connection, table, query, orderBy);
        }
        if (node.has("files")) {
            node.allowOnly(Set.of("files", "format"));
            String path = node.requiredString("files", "a file or a glob under the source roots").orElse("unnamed.parquet");
            if (path.length() > 1_000 || path.indexOf('\0') >= 0) {
                node.get("files").orElseThrow().error("expected a path of at most 1000 characters");
            }
            ScoringJobSpec.FileFormat format = path.toLowerCase(java.util.Locale.ROOT).endsWith(".csv")
                    ? ScoringJobSpec.FileFormat.CSV : ScoringJobSpec.FileFormat.PARQUET;
            Optional<String> formatText = node.string("format");
            if (formatText.isPresent()) {
                switch (formatText.get()) {
                    case "parquet" -> format = ScoringJobSpec.FileFormat.PARQUET;
                    case "csv" -> format = ScoringJobSpec.FileFormat.CSV;
                    default -> node.get("format").orElseThrow().error("'" + clip(formatText.get()) + "' is not a file format; expected parquet or csv");
                }
            }
            return new ScoringJobSpec.FileInput(path, format);
        }
        node.allowOnly(Set.of("dataset", "version"));
        String dataset = name(node, "dataset", "the dataset (a pipeline output) to score");
        Optional<SpecNode> version = node.get("version");
        int number = 0;
        if (version.isPresent() && !(version.get().isText() && version.get().text().equals("latest"))) {
            JsonNode raw = version.get().raw();
            if (!raw.isIntegralNumber() || !raw.canConvertToInt() || raw.asInt() < 1) {
                version.get().error("expected latest or a version number >= 1, got '" + clip(version.get().text()) + "'");
            } else {
                number = raw.asInt();
            }
        }
        return new ScoringJobSpec.DatasetInput(dataset, number);
    }

    private static Optional<ScoringJobSpec.Incremental> incremental(SpecNode root, ScoringJobSpec.Input input) {
        Optional<SpecNode> found = root.get("incremental");
        if (found.isEmpty()) {
            return Optional.empty();
        }
        SpecNode node = found.get();
        if (!node.isObject()) {
            node.error("expected {watermark: COLUMN} or {changes: true}, with rescore_on_model_change: true|false");
            return Optional.empty();
        }
        node.allowOnly(Set.of("watermark", "changes", "rescore_on_model_change"));
        Optional<String> watermark = node.string("watermark");
        if (watermark.isPresent() && !IDENTIFIER.matcher(watermark.get()).matches()) {
            node.get("watermark").orElseThrow().error("expected a column name of letters, digits or '_', got '" + clip(watermark.get()) + "'");
        }
        boolean changes = node.bool("changes", false);
        boolean rescore = node.bool("rescore_on_model_change", true);
        if (watermark.isPresent() == changes) {
            node.error("expected exactly one of watermark: COLUMN or changes: true");
            return Optional.empty();
        }
        if (changes && !(input instanceof ScoringJobSpec.DatasetInput)) {
            node.errorAt(".changes", "changes compares dataset versions; for a database or file input use a watermark column");
        }
        return Optional.of(new ScoringJobSpec.Incremental(watermark, changes, rescore));
    }

    private static ScoringJobSpec.Operations operations(SpecNode root) {
        Optional<String> schedule = root.string("schedule");
        if (schedule.isPresent()) {
            try {
                dev.keel.core.data.CronExpression.parse(schedule.get());
            } catch (RuntimeException e) {
                root.get("schedule").orElseThrow().error("'" + clip(schedule.get()) + "' is not a cron expression: " + e.getMessage());
            }
        }
        Optional<String> after = root.has("after") ? Optional.of(name(root, "after", "the pipeline whose runs start this job")) : Optional.empty();
        int retries = root.integer("retries", 0, 0);
        if (retries > MAX_RETRIES) {
            root.get("retries").orElseThrow().error("expected at most " + MAX_RETRIES + ", got " + retries);
            retries = 0;
        }
        java.time.Duration delay = root.duration("retry_delay").orElse(ScoringJobSpec.Operations.MANUAL.retryDelay());
        if (delay.isNegative() || delay.compareTo(java.time.Duration.ofHours(6)) > 0) {
            root.get("retry_delay").orElseThrow().error("expected a duration between 0s and 6h");
            delay = ScoringJobSpec.Operations.MANUAL.retryDelay();
        }
        return new ScoringJobSpec.Operations(schedule, after, retries, delay);
    }

    private static ScoringJobSpec.Outputs outputs(SpecNode root, List<String> copied) {
        ScoringJobSpec.Outputs fallback = new ScoringJobSpec.Outputs(true, List.of(), false, List.of());
        Optional<SpecNode> found = root.required("outputs", "{probabilities: true, label: true, named: [OUTPUT]}");
        if (found.isEmpty()) {
            return fallback;
        }
        SpecNode node = found.get();
        if (!node.isObject()) {
            node.error("expected {probabilities: true, classes: [...], label: true, named: [OUTPUT]}");
            return fallback;
        }
        node.allowOnly(Set.of("probabilities", "classes", "label", "named"));
        boolean probabilities = node.bool("probabilities", false);
        boolean label = node.bool("label", false);
        List<String> classes = new ArrayList<>();
        node.get("classes").ifPresent(classesNode -> {
            List<SpecNode> elements = classesNode.elements();
            if (elements.size() > MAX_CLASSES) {
                classesNode.error("expected at most " + MAX_CLASSES + " classes, got " + elements.size());
                return;
            }
            for (SpecNode element : elements) {
                if (!element.isText() || !CLASS.matcher(element.text()).matches()) {
                    element.error("expected a class name of 1-40 letters, digits or '_' (it becomes column p_<class>), got '"
                            + clip(element.text()) + "'");
                } else if (classes.contains(element.text())) {
                    element.error("class '" + element.text() + "' is listed twice");
                } else {
                    classes.add(element.text());
                }
            }
        });
        if (node.has("classes") && !probabilities && !label) {
            node.errorAt(".classes", "classes name the probability and label columns; set probabilities or label to true");
        }
        List<String> named = identifiers(node, "named", MAX_NAMED, "model output name");
        for (int i = 0; i < named.size(); i++) {
            String output = named.get(i);
            if (RESERVED.contains(output) || output.startsWith("p_") || copied.contains(output)) {
                node.errorAt(".named[" + i + "]", "output '" + output + "' would collide with a key or carried column, a p_<class> column or one of "
                        + RESERVED.stream().sorted().toList());
            }
        }
        if (!probabilities && !label && named.isEmpty()) {
            node.error("expected at least one output: probabilities, label or named");
            return fallback;
        }
        return new ScoringJobSpec.Outputs(probabilities, classes, label, named);
    }

    private static ScoringJobSpec.Destination destination(SpecNode root, List<String> copied) {
        ScoringJobSpec.Destination fallback = new ScoringJobSpec.TableDestination(ScoringJobSpec.DestinationKind.SQLITE, "keel", "unnamed",
                ScoringJobSpec.Mode.APPEND);
        String expected = "{kind: sqlite|postgres, connection: NAME, table: TABLE, mode: append|replace|upsert}, {kind: parquet, path: DIR}"
                + " or {kind: dataset, dataset: NAME}";
        Optional<SpecNode> found = root.required("destination", expected);
        if (found.isEmpty()) {
            return fallback;
        }
        SpecNode node = found.get();
        if (!node.isObject()) {
            node.error("expected " + expected);
            return fallback;
        }
        Optional<String> kindText = node.requiredString("kind", "sqlite, postgres, parquet or dataset");
        ScoringJobSpec.Mode mode = ScoringJobSpec.Mode.APPEND;
        Optional<String> modeText = node.string("mode");
        if (modeText.isPresent()) {
            switch (modeText.get()) {
                case "append" -> mode = ScoringJobSpec.Mode.APPEND;
                case "replace" -> mode = ScoringJobSpec.Mode.REPLACE;
                case "upsert" -> mode = ScoringJobSpec.Mode.UPSERT;
                default -> node.get("mode").orElseThrow().error("'" + clip(modeText.get()) + "' is not a mode; expected append, replace or upsert");
            }
        }
        if (kindText.isEmpty()) {
            return fallback;
        }
        switch (kindText.get()) {
            case "sqlite", "postgres" -> {
                node.allowOnly(Set.of("kind", "connection", "table", "mode"));
                ScoringJobSpec.DestinationKind kind = kindText.get().equals("sqlite") ? ScoringJobSpec.DestinationKind.SQLITE
                        : ScoringJobSpec.DestinationKind.POSTGRES;
                String connection = name(node, "connection", "a connection the administrator declared, or keel for Keel's own store");
                String table = node.requiredString("table", "the table to fill").orElse("unnamed");
                if (node.has("table") && (!IDENTIFIER.matcher(table).matches() || table.toLowerCase(java.util.Locale.ROOT).startsWith("batch_"))) {
                    node.get("table").orElseThrow().error("'" + clip(table) + "' is not a table name; expected 1-63 letters, digits or '_',"
                            + " starting with a letter or '_', and not starting with batch_ (Keel's own tables)");
                }
                return new ScoringJobSpec.TableDestination(kind, connection, table, mode);
            }
            case "parquet" -> {
                node.allowOnly(Set.of("kind", "path", "partition_by", "mode"));
                String path = node.requiredString("path", "a directory under batch.output-root").orElse("unnamed");
                if (node.has("path") && (!RELATIVE_PATH.matcher(path).matches() || path.contains(".."))) {
                    node.get("path").orElseThrow().error("'" + clip(path) + "' is not a relative directory; expected up to 8 segments of letters,"
                            + " digits, '_', '.' or '-' (no '..', no leading '/'), resolved under batch.output-root");
                }
                List<String> partitionBy = identifiers(node, "partition_by", MAX_PARTITIONS, "partition column");
                if (mode == ScoringJobSpec.Mode.UPSERT) {
                    node.errorAt(".mode", "a Parquet destination is written in append or replace mode; upsert needs a table or a dataset");
                    mode = ScoringJobSpec.Mode.APPEND;
                }
                return new ScoringJobSpec.ParquetDestination(path, partitionBy, mode);
            }
            case "dataset" -> {
                node.allowOnly(Set.of("kind", "dataset", "mode"));
                String dataset = name(node, "dataset", "the dataset a succeeded run publishes a new version of");
                return new ScoringJobSpec.DatasetDestination(dataset, mode);
            }
            default -> {
                node.get("kind").orElseThrow().error("'" + clip(kindText.get()) + "' is not a destination kind; expected sqlite, postgres,"
                        + " parquet or dataset");
                return fallback;
            }
        }
    }

    private static String name(SpecNode node, String key, String what) {
        String value = node.requiredString(key, what).orElse("unnamed");
        if (node.has(key) && !NAME.matcher(value).matches()) {
            node.get(key).orElseThrow().error("'" + clip(value) + "' is not a valid name; use 1-63 lower-case letters, digits, '_' or '-',"
                    + " starting with a letter");
        }
        return value;
    }

    private static List<String> identifiers(SpecNode node, String key, int max, String what) {
        List<String> values = new ArrayList<>();
        Optional<SpecNode> found = node.get(key);
        if (found.isEmpty()) {
            return values;
        }
        List<SpecNode> elements = found.get().elements();
        if (elements.size() > max) {
            found.get().error("expected at most " + max + " entries, got " + elements.size());
            return values;
        }
        for (SpecNode element : elements) {
            if (!element.isText() || !IDENTIFIER.matcher(element.text()).matches()) {
                element.error("expected a " + what + " of 1-63 letters, digits or '_', starting with a letter or '_', got '"
                        + clip(element.text()) + "'");
            } else if (values.contains(element.text())) {
                element.error(what + " '" + element.text() + "' is listed twice");
            } else if (key.equals("keys") && (RESERVED.contains(element.text()) || element.text().startsWith("p_"))) {
                element.error("key column '" + element.text() + "' collides with an output column; rename it in the dataset");
            } else {
                values.add(element.text());
            }
        }
        return values;
    }

    private static String clip(String text) {
        return text.length() > 60 ? text.substring(0, 60) + "…" : text;
    }
}
