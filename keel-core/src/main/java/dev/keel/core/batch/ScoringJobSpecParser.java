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
 * input: {dataset: applicants, version: latest}
 * keys: [applicant_id]
 * outputs: {probabilities: true, classes: [good, bad], label: true, named: [score]}
 * destination: {kind: postgres, connection: reports, table: credit_scores, mode: upsert}
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
    private static final Pattern CLASS = Pattern.compile("[A-Za-z0-9_]{1,40}");
    private static final Set<String> TOP_KEYS = Set.of("name", "project", "description", "model", "input", "keys", "outputs", "destination",
            "chunk_size");

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
        ScoringJobSpec.Outputs outputs = outputs(root, keys);
        ScoringJobSpec.Destination destination = destination(root);
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
        return new ScoringJobSpec(name, project, model, input, keys, outputs, destination, chunkSize);
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
        ScoringJobSpec.Input fallback = new ScoringJobSpec.Input("unnamed", 0);
        Optional<SpecNode> found = root.required("input", "{dataset: NAME, version: latest}");
        if (found.isEmpty()) {
            return fallback;
        }
        SpecNode node = found.get();
        if (!node.isObject()) {
            node.error("expected {dataset: NAME, version: latest|N}; only Keel datasets are read so far");
            return fallback;
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
        return new ScoringJobSpec.Input(dataset, number);
    }

    private static ScoringJobSpec.Outputs outputs(SpecNode root, List<String> keys) {
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
            if (RESERVED.contains(output) || output.startsWith("p_") || keys.contains(output)) {
                node.errorAt(".named[" + i + "]", "output '" + output + "' would collide with a key, a p_<class> column or one of "
                        + RESERVED.stream().sorted().toList());
            }
        }
        if (!probabilities && !label && named.isEmpty()) {
            node.error("expected at least one output: probabilities, label or named");
            return fallback;
        }
        return new ScoringJobSpec.Outputs(probabilities, classes, label, named);
    }

    private static ScoringJobSpec.Destination destination(SpecNode root) {
        ScoringJobSpec.Destination fallback = new ScoringJobSpec.Destination(ScoringJobSpec.DestinationKind.SQLITE, "keel", "unnamed",
                ScoringJobSpec.Mode.APPEND);
        Optional<SpecNode> found = root.required("destination", "{kind: sqlite|postgres, connection: NAME, table: TABLE, mode: append}");
        if (found.isEmpty()) {
            return fallback;
        }
        SpecNode node = found.get();
        if (!node.isObject()) {
            node.error("expected {kind: sqlite|postgres, connection: NAME, table: TABLE, mode: append|replace|upsert}");
            return fallback;
        }
        node.allowOnly(Set.of("kind", "connection", "table", "mode"));
        ScoringJobSpec.DestinationKind kind = ScoringJobSpec.DestinationKind.SQLITE;
        Optional<String> kindText = node.requiredString("kind", "sqlite or postgres");
        if (kindText.isPresent()) {
            switch (kindText.get()) {
                case "sqlite" -> kind = ScoringJobSpec.DestinationKind.SQLITE;
                case "postgres" -> kind = ScoringJobSpec.DestinationKind.POSTGRES;
                default -> node.get("kind").orElseThrow().error("'" + clip(kindText.get()) + "' is not a destination kind; expected sqlite or"
                        + " postgres (Parquet files and dataset versions are not built yet)");
            }
        }
        String connection = name(node, "connection", "a connection the administrator declared, or keel for Keel's own store");
        String table = node.requiredString("table", "the table to fill").orElse("unnamed");
        if (node.has("table") && (!IDENTIFIER.matcher(table).matches() || table.toLowerCase(java.util.Locale.ROOT).startsWith("batch_"))) {
            node.get("table").orElseThrow().error("'" + clip(table) + "' is not a table name; expected 1-63 letters, digits or '_', starting"
                    + " with a letter or '_', and not starting with batch_ (Keel's own tables)");
        }
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
        return new ScoringJobSpec.Destination(kind, connection, table, mode);
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
