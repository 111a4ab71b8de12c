package dev.keel.core.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.keel.core.security.Masking;
import dev.keel.core.security.ProjectService;
import dev.keel.core.security.SensitiveColumns;
import dev.keel.spi.data.ColumnType;
import dev.keel.spi.data.Expectation;
import dev.keel.spi.data.Linkage;
import dev.keel.spi.data.OutputSpec;
import dev.keel.spi.data.PipelinePlan;
import dev.keel.spi.data.SourceSpec;
import dev.keel.spi.data.StepSpec;
import dev.keel.spi.data.ValueRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Reads a pipeline spec from YAML and checks it, naming every error with its path in the file. */
public final class PipelineSpecParser {
    private static final Pattern RELATION_NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");
    private static final Pattern PROJECT_NAME = Pattern.compile("[a-z][a-z0-9-]{0,62}");
    private static final Pattern DATASET_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,127}");
    /** The most columns one output may declare sensitive. */
    static final int MAX_SENSITIVE_COLUMNS = 1_000;
    private static final Pattern SENSITIVE_HEADER = Pattern.compile("(?i).*(authorization|token|key|secret|cookie|password).*");
    private static final Set<String> TOP_KEYS = Set.of("pipeline", "project", "description", "engine", "schedule", "retry", "quarantine",
            "quarantine-limit", "sources", "steps", "expectations", "outputs");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** The outcome of parsing: a spec when there were no errors, otherwise every error found. */
    public record Result(Optional<PipelineSpec> spec, List<SpecError> errors) {
        public Result {
            java.util.Objects.requireNonNull(spec, "spec");
            errors = List.copyOf(errors);
        }

        /** True when the spec is valid. */
        public boolean valid() {
            return errors.isEmpty();
        }
    }

    /** Parses and validates a spec; never throws for bad input. */
    public Result parse(String yaml) {
        List<SpecError> errors = new ArrayList<>();
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr();
            return new Result(Optional.empty(), List.of(new SpecError("", "not valid YAML" + where + ": "
                    + e.getOriginalMessage())));
        }
        if (root == null || !root.isObject()) {
            return new Result(Optional.empty(), List.of(new SpecError("", "expected a mapping with pipeline, sources, steps,"
                    + " expectations and outputs")));
        }
        Reader reader = new Reader(new SpecNode(root, "", errors), errors);
        PipelineSpec spec = reader.read();
        return errors.isEmpty() ? new Result(Optional.of(spec), List.of()) : new Result(Optional.empty(), errors);
    }

    /** The name and project a spec declares, read without checking the rest; empty when the text has no pipeline name. */
    public Optional<Identity> identity(String yaml) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
        if (root == null || !root.isObject() || !root.path("pipeline").isTextual()) {
            return Optional.empty();
        }
        JsonNode project = root.path("project");
        return Optional.of(new Identity(root.get("pipeline").asText(), project.isTextual() ? project.asText() : ProjectService.DEFAULT));
    }

    /** A spec's pipeline name and project. */
    public record Identity(String pipeline, String project) {
    }

    /** Parses a spec or throws with every error. */
    public PipelineSpec parseOrThrow(String yaml) {
        Result result = parse(yaml);
        if (!result.valid()) {
            throw SpecErrors.invalid(result.errors());
        }
        return result.spec().orElseThrow();
    }

    /** Reads one spec; collects errors instead of stopping at the first. */
    private static final class Reader {
        private final SpecNode root;
        private final List<SpecError> errors;
        /** Relation name to the path that defines it. */
        private final Map<String, String> relations = new LinkedHashMap<>();
        /** Relation name to the paths that read it. */
        private final Map<String, List<String>> readers = new HashMap<>();
        /** Steps that match by linkage; each output of one brings its audit datasets. */
        private final Set<String> linkageSteps = new java.util.LinkedHashSet<>();
        /** Output dataset name to the path of the output that writes it. */
        private final Map<String, String> outputPaths = new HashMap<>();
        /** Output dataset to its declared sensitive columns. */
        private final Map<String, SensitiveColumns> sensitive = new LinkedHashMap<>();

        Reader(SpecNode root, List<SpecError> errors) {
            this.root = root;
            this.errors = errors;
        }

        PipelineSpec read() {
            root.allowOnly(TOP_KEYS);
            String name = root.requiredString("pipeline", "the pipeline name").orElse("unnamed");
            if (root.has("pipeline") && !DATASET_NAME.matcher(name).matches()) {
                error("pipeline", "'" + name + "' is not a valid name; use lower-case letters, digits, '.', '_' and '-'");
            }
            String project = root.string("project").orElse(ProjectService.DEFAULT);
            if (root.has("project") && !PROJECT_NAME.matcher(project).matches()) {
                error("project", "'" + project + "' is not a valid project name; use 1-63 lower-case letters, digits or '-', "
                        + "starting with a letter");
            }
            String description = root.string("description").orElse("");
            String engine = root.string("engine").orElse("duckdb");
            List<CronExpression> schedules = schedules();
            RetryPolicy retry = root.get("retry").map(this::retry).orElse(RetryPolicy.defaults());
            String quarantine = root.string("quarantine").orElse(name + "-quarantine");
            if (root.has("quarantine") && !DATASET_NAME.matcher(quarantine).matches()) {
                error("quarantine", "'" + quarantine + "' is not a valid dataset name");
            }
            OptionalDouble quarantineLimit = OptionalDouble.empty();
            Optional<Double> limit = root.number("quarantine-limit");
            if (limit.isPresent()) {
                if (limit.get() >= 0 && limit.get() <= 1) {
                    quarantineLimit = OptionalDouble.of(limit.get());
                } else {
                    error("quarantine-limit", "expected a share of the rows read between 0 and 1 (such as 0.05), got " + limit.get());
                }
            }
            List<SourceSpec> sources = new ArrayList<>();
            Map<String, Duration> slowAfter = new LinkedHashMap<>();
            root.required("sources", "a list of at least one source").ifPresent(node -> {
                for (SpecNode element : node.elements()) {
                    source(element).ifPresent(source -> {
                        sources.add(source);
                        slowAfter(element).ifPresent(duration -> slowAfter.put(source.name(), duration));
                    });
                }
            });
            List<StepSpec> steps = new ArrayList<>();
            root.get("steps").ifPresent(node -> {
                for (SpecNode element : node.elements()) {
                    step(element).ifPresent(steps::add);
                }
            });
            List<Expectation> expectations = new ArrayList<>();
            root.get("expectations").ifPresent(node -> {
                for (SpecNode element : node.elements()) {
                    expectation(element, expectations.size()).ifPresent(expectations::add);
                }
            });
            List<OutputSpec> outputs = new ArrayList<>();
            root.required("outputs", "a list of at least one output").ifPresent(node -> {
                List<SpecNode> elements = node.elements();
                if (elements.isEmpty()) {
                    node.error("expected at least one output");
                }
                for (SpecNode element : elements) {
                    output(element, quarantine, outputs).ifPresent(outputs::add);
                }
            });
            List<OutputSpec> published = withAuditDatasets(outputs, quarantine);
            checkAuditRelations();
            checkEveryRowIsAccounted();
            return new PipelineSpec(name, project, description, engine, schedules, retry,
                    new PipelinePlan(name, sources, steps, expectations, published, quarantine), slowAfter, quarantineLimit,
                    sensitive(published, quarantine));
        }

        /**
         * What each published dataset masks: an output its declared columns; a linkage step's audit datasets those of the output
         * they are published with (as far as they have such columns); the quarantine every declared column, since it holds rows of
         * any stage.
         */
        private Map<String, SensitiveColumns> sensitive(List<OutputSpec> published, String quarantine) {
            Map<String, SensitiveColumns> all = new LinkedHashMap<>(sensitive);
            SensitiveColumns everything = SensitiveColumns.none();
            for (SensitiveColumns columns : sensitive.values()) {
                everything = everything.with(columns);
            }
            for (OutputSpec output : published) {
                SensitiveColumns declared = sensitive.get(output.dataset());
                if (declared == null || !linkageSteps.contains(output.from())) {
                    continue;
                }
                for (String kind : List.of("clusters", "links")) {
                    all.putIfAbsent(output.dataset() + "-" + kind, declared);
                }
            }
            if (!everything.isEmpty()) {
                all.put(quarantine, everything);
            }
            return all;
        }

        /** A source's own {@code slow-after}: a positive duration. */
        private Optional<Duration> slowAfter(SpecNode node) {
            Optional<Duration> slowAfter = node.duration("slow-after");
            if (slowAfter.isPresent() && (slowAfter.get().isZero() || slowAfter.get().isNegative())) {
                error(node.child("slow-after"), "expected a positive duration such as 500ms, 30s or 5m, got " + slowAfter.get());
                return Optional.empty();
            }
            return slowAfter;
        }

        private void error(String path, String message) {
            errors.add(new SpecError(path, message));
        }

        private List<CronExpression> schedules() {
            List<CronExpression> schedules = new ArrayList<>();
            root.get("schedule").ifPresent(node -> {
                List<SpecNode> entries = node.isArray() ? node.elements() : List.of(node);
                for (SpecNode entry : entries) {
                    try {
                        schedules.add(CronExpression.parse(entry.text()));
                    } catch (IllegalArgumentException e) {
                        entry.error(e.getMessage());
                    }
                }
            });
            return schedules;
        }

        private RetryPolicy retry(SpecNode node) {
            node.allowOnly(Set.of("max-attempts", "initial-backoff", "multiplier", "max-backoff"));
            RetryPolicy defaults = RetryPolicy.defaults();
            int attempts = node.integer("max-attempts", defaults.maxAttempts(), 1);
            Duration initial = node.duration("initial-backoff").orElse(defaults.initialBackoff());
            double multiplier = node.number("multiplier").orElse(defaults.multiplier());
            if (multiplier < 1) {
                error(node.child("multiplier"), "expected a number >= 1, got " + multiplier);
                multiplier = defaults.multiplier();
            }
            Duration max = node.duration("max-backoff").orElse(defaults.maxBackoff());
            return new RetryPolicy(attempts, initial, multiplier, max);
        }

        private Optional<String> defineRelation(SpecNode node) {
            Optional<String> name = node.requiredString("name", "a name made of lower-case letters, digits and '_'");
            if (name.isEmpty()) {
                return Optional.empty();
            }
            String path = node.child("name");
            if (!RELATION_NAME.matcher(name.get()).matches()) {
                error(path, "'" + name.get() + "' is not a valid name; expected lower-case letters, digits and '_', starting"
                        + " with a letter");
                return Optional.empty();
            }
            String previous = relations.putIfAbsent(name.get(), path);
            if (previous != null) {
                error(path, "'" + name.get() + "' is defined twice; first at " + previous);
                return Optional.empty();
            }
            return name;
        }

        /** Records that {@code path} reads {@code relation}; it must be defined earlier in the file. */
        private void use(String relation, String path) {
            if (!relations.containsKey(relation)) {
                error(path, "'" + relation + "' is not a source or an earlier step; known: " + relations.keySet());
                return;
            }
            readers.computeIfAbsent(relation, key -> new ArrayList<>()).add(path);
        }

        private Optional<ValueRef> valueRef(SpecNode parent, String key, boolean secret) {
            Optional<SpecNode> found = parent.get(key);
            if (found.isEmpty()) {
                return Optional.empty();
            }
            SpecNode node = found.get();
            if (node.isText()) {
                if (secret) {
                    node.error("credentials must not be written in the spec; use {env: VARIABLE} or {file: /path}");
                    return Optional.empty();
                }
                return Optional.of(new ValueRef.Literal(node.text()));
            }
            node.allowOnly(Set.of("env", "file"));
            if (node.has("env")) {
                return node.string("env").map(ValueRef.Env::new);
            }
            if (node.has("file")) {
                return node.string("file").map(ValueRef.File::new);
            }
            node.error("expected {env: VARIABLE} or {file: /path}");
            return Optional.empty();
        }

        private Optional<SourceSpec> source(SpecNode node) {
            Optional<String> name = defineRelation(node);
            Optional<String> type = node.requiredString("type", "csv, parquet, jsonl, jdbc or http");
            if (name.isEmpty() || type.isEmpty()) {
                return Optional.empty();
            }
            return switch (type.get()) {
                case "csv", "parquet", "jsonl" -> files(node, name.get(), type.get());
                case "jdbc" -> jdbcSource(node, name.get());
                case "http" -> httpSource(node, name.get());
                default -> {
                    error(node.child("type"), "unknown source type '" + type.get() + "'; expected csv, parquet, jsonl, jdbc or http");
                    yield Optional.empty();
                }
            };
        }

        private Optional<SourceSpec> files(SpecNode node, String name, String type) {
            node.allowOnly(Set.of("name", "type", "path", "paths", "header", "delimiter", "quote", "null-string", "types", "slow-after"));
            List<String> paths = new ArrayList<>(node.strings("path"));
            paths.addAll(node.strings("paths"));
            if (paths.isEmpty()) {
                error(node.child("path"), "missing; expected a file path or glob (or 'paths' with a list)");
            }
            Map<String, String> options = new HashMap<>();
            if (type.equals("csv")) {
                options.put("header", Boolean.toString(node.bool("header", true)));
                // An explicit default: a sniffed delimiter can turn a ragged file into one silent column.
                options.put("delimiter", node.string("delimiter").orElse(","));
                node.string("quote").ifPresent(value -> options.put("quote", value));
                node.string("null-string").ifPresent(value -> options.put("null-string", value));
            } else {
                for (String key : List.of("header", "delimiter", "quote", "null-string")) {
                    if (node.has(key)) {
                        error(node.child(key), "'" + key + "' applies to csv sources only");
                    }
                }
            }
            Map<String, ColumnType> types = new LinkedHashMap<>();
            node.get("types").ifPresent(typesNode -> typesNode.members().forEach((column, value) ->
                    columnType(value).ifPresent(columnType -> types.put(column, columnType))));
            SourceSpec.FileFormat format = switch (type) {
                case "csv" -> SourceSpec.FileFormat.CSV;
                case "parquet" -> SourceSpec.FileFormat.PARQUET;
                default -> SourceSpec.FileFormat.JSON_LINES;
            };
            return Optional.of(new SourceSpec.Files(name, format, paths, options, types));
        }

        private Optional<ColumnType> columnType(SpecNode node) {
            Optional<ColumnType> type = ColumnType.parse(node.text());
            if (type.isEmpty()) {
                node.error("unknown type '" + node.text() + "'; expected one of "
                        + java.util.Arrays.stream(ColumnType.values()).map(ColumnType::specName).toList());
            }
            return type;
        }

        private void checkUrl(SpecNode node, String key) {
            node.string(key).ifPresent(url -> {
                if (url.matches("(?i)^[a-z]+://[^/@]*:[^/@]*@.*")) {
                    error(node.child(key), "the URL carries a password; give credentials by reference ({env: …} or {file: …})");
                }
                if (url.toLowerCase(Locale.ROOT).matches(".*[?&;]password=.*")) {
                    error(node.child(key), "the URL carries a password parameter; use the 'password' key with {env: …}");
                }
            });
        }

        private Optional<SourceSpec> jdbcSource(SpecNode node, String name) {
            node.allowOnly(Set.of("name", "type", "connection", "url", "user", "password", "query", "fetch-size", "slow-after"));
            Optional<Database> database = database(node);
            Optional<String> query = node.requiredString("query", "a SELECT query");
            int fetchSize = node.integer("fetch-size", 10_000, 1);
            if (database.isEmpty() || query.isEmpty()) {
                return Optional.empty();
            }
            Database target = database.get();
            return Optional.of(new SourceSpec.Jdbc(name, target.connection(), target.url(), target.user(), target.password(),
                    query.get(), fetchSize));
        }

        /** A database named by {@code connection} (declared by an admin) or, where an admin allows it, by an inline {@code url}. */
        private record Database(String connection, String url, ValueRef user, ValueRef password) {
        }

        private Optional<Database> database(SpecNode node) {
            if (node.has("connection")) {
                for (String key : List.of("url", "user", "password")) {
                    if (node.has(key)) {
                        error(node.child(key), "'" + key + "' comes from the connection an admin declared; remove it");
                    }
                }
                return node.string("connection").map(connection -> new Database(connection, "", new ValueRef.Literal(""),
                        new ValueRef.Literal("")));
            }
            if (!node.has("url")) {
                error(node.child("connection"), "missing; name a connection an admin declared under pipelines.connections");
                return Optional.empty();
            }
            Optional<String> url = node.string("url");
            url.filter(value -> !value.startsWith("jdbc:"))
                    .ifPresent(value -> error(node.child("url"), "expected a URL starting with 'jdbc:', got '" + value + "'"));
            checkUrl(node, "url");
            ValueRef user = valueRef(node, "user", false).orElse(new ValueRef.Literal(""));
            ValueRef password = valueRef(node, "password", true).orElse(new ValueRef.Literal(""));
            return url.map(value -> new Database("", value, user, password));
        }

        private Optional<SourceSpec> httpSource(SpecNode node, String name) {
            node.allowOnly(Set.of("name", "type", "url", "headers", "records", "paging", "max-pages", "timeout", "slow-after"));
            Optional<String> url = node.requiredString("url", "an http(s) URL");
            url.filter(value -> !value.matches("(?i)^https?://.+"))
                    .ifPresent(value -> error(node.child("url"), "expected an http:// or https:// URL, got '" + value + "'"));
            checkUrl(node, "url");
            Map<String, ValueRef> headers = new LinkedHashMap<>();
            node.get("headers").ifPresent(headersNode -> headersNode.members().keySet().forEach(header ->
                    valueRef(headersNode, header, SENSITIVE_HEADER.matcher(header).matches())
                            .ifPresent(value -> headers.put(header, value))));
            String records = node.string("records").orElse("");
            if (!records.isEmpty() && !records.startsWith("/")) {
                error(node.child("records"), "expected a JSON pointer such as /data, got '" + records + "'");
            }
            SourceSpec.Paging paging = node.get("paging").map(this::paging).orElse(new SourceSpec.Paging.None());
            int maxPages = node.integer("max-pages", 10_000, 1);
            int timeout = (int) node.duration("timeout").orElse(Duration.ofSeconds(30)).toSeconds();
            return url.map(value -> new SourceSpec.Http(name, value, headers, records, paging, maxPages, Math.max(1, timeout)));
        }

        private SourceSpec.Paging paging(SpecNode node) {
            node.allowOnly(Set.of("type", "parameter", "start", "size-parameter", "size", "limit-parameter", "limit", "pointer"));
            String type = node.requiredString("type", "page-number, offset or next-link").orElse("none");
            return switch (type) {
                case "none" -> new SourceSpec.Paging.None();
                case "page-number" -> new SourceSpec.Paging.PageNumber(node.string("parameter").orElse("page"),
                        node.integer("start", 1, 0), node.string("size-parameter").orElse(""), node.integer("size", 0, 0));
                case "offset" -> new SourceSpec.Paging.Offset(node.string("parameter").orElse("offset"),
                        node.string("limit-parameter").orElse("limit"), node.integer("limit", 100, 1));
                case "next-link" -> {
                    String pointer = node.requiredString("pointer", "a JSON pointer to the next page's URL, such as /next")
                            .orElse("/next");
                    yield new SourceSpec.Paging.NextLink(pointer);
                }
                default -> {
                    error(node.child("type"), "unknown paging type '" + type + "'; expected page-number, offset or next-link");
                    yield new SourceSpec.Paging.None();
                }
            };
        }

        private Optional<StepSpec> step(SpecNode node) {
            Optional<String> type = node.requiredString("type", "sql, clean, dedupe, match-merge, impute or derive");
            Optional<String> name = defineRelation(node);
            if (name.isEmpty() || type.isEmpty()) {
                return Optional.empty();
            }
            return switch (type.get()) {
                case "sql" -> sqlStep(node, name.get());
                case "clean" -> cleanStep(node, name.get());
                case "dedupe" -> dedupeStep(node, name.get());
                case "match-merge" -> matchMergeStep(node, name.get());
                case "impute" -> imputeStep(node, name.get());
                case "derive" -> deriveStep(node, name.get());
                default -> {
                    error(node.child("type"), "unknown step type '" + type.get()
                            + "'; expected sql, clean, dedupe, match-merge, impute or derive");
                    yield Optional.empty();
                }
            };
        }

        private Optional<String> input(SpecNode node) {
            Optional<String> input = node.requiredString("input", "the source or earlier step this step reads");
            input.ifPresent(value -> use(value, node.child("input")));
            return input;
        }

        private Optional<StepSpec> sqlStep(SpecNode node, String name) {
            node.allowOnly(Set.of("name", "type", "inputs", "query"));
            List<String> inputs = node.strings("inputs");
            if (inputs.isEmpty()) {
                error(node.child("inputs"), "missing; list the relations the query reads, so lineage and row accounting hold");
            }
            for (int index = 0; index < inputs.size(); index++) {
                use(inputs.get(index), node.child("inputs") + "[" + index + "]");
            }
            Optional<String> query = node.requiredString("query", "a SELECT query over the inputs");
            return query.map(value -> new StepSpec.Sql(name, inputs, value));
        }

        private Optional<StepSpec> cleanStep(SpecNode node, String name) {
            node.allowOnly(Set.of("name", "type", "input", "columns"));
            Optional<String> input = input(node);
            List<StepSpec.ColumnCleaning> columns = new ArrayList<>();
            node.required("columns", "a mapping of column: cleaning rules").ifPresent(columnsNode ->
                    columnsNode.members().forEach((column, rules) -> columnCleaning(column, rules).ifPresent(columns::add)));
            return input.map(value -> new StepSpec.Clean(name, value, columns));
        }

        private Optional<StepSpec.ColumnCleaning> columnCleaning(String column, SpecNode node) {
            node.allowOnly(Set.of("trim", "normalize", "case", "empty-as-null", "cast", "format", "on-error", "default"));
            boolean trim = node.bool("trim", false);
            boolean normalize = node.bool("normalize", false);
            StepSpec.TextCase textCase = switch (node.string("case").orElse("keep")) {
                case "keep" -> StepSpec.TextCase.KEEP;
                case "lower" -> StepSpec.TextCase.LOWER;
                case "upper" -> StepSpec.TextCase.UPPER;
                default -> {
                    error(node.child("case"), "expected lower, upper or keep, got '" + node.string("case").orElse("") + "'");
                    yield StepSpec.TextCase.KEEP;
                }
            };
            boolean emptyAsNull = node.bool("empty-as-null", false);
            Optional<ColumnType> cast = node.get("cast").flatMap(this::columnType);
            String onErrorText = node.string("on-error").orElse(cast.isPresent() ? "" : "null");
            StepSpec.OnCastError onError = StepSpec.OnCastError.NULL;
            if (cast.isPresent() && onErrorText.isEmpty()) {
                error(node.child("on-error"), "missing; a cast must say what happens to values that do not cast: null,"
                        + " quarantine, fail or default");
            } else {
                switch (onErrorText) {
                    case "null" -> onError = StepSpec.OnCastError.NULL;
                    case "quarantine" -> onError = StepSpec.OnCastError.QUARANTINE;
                    case "fail" -> onError = StepSpec.OnCastError.FAIL;
                    case "default" -> onError = StepSpec.OnCastError.DEFAULT;
                    default -> error(node.child("on-error"), "expected null, quarantine, fail or default, got '" + onErrorText + "'");
                }
            }
            String defaultValue = node.string("default").orElse("");
            if (onError == StepSpec.OnCastError.DEFAULT && !node.has("default")) {
                error(node.child("default"), "missing; on-error: default needs a default value");
            }
            String format = node.string("format").orElse("");
            if (!format.isEmpty() && cast.filter(type -> type == ColumnType.DATE || type == ColumnType.TIMESTAMP).isEmpty()) {
                error(node.child("format"), "a format applies to date and timestamp casts only");
            }
            if (!node.isObject()) {
                return Optional.empty();
            }
            return Optional.of(new StepSpec.ColumnCleaning(column, trim, normalize, textCase, emptyAsNull, cast, format, onError,
                    defaultValue));
        }

        private StepSpec.Matching matching(SpecNode node) {
            List<String> keys = node.strings("keys");
            List<StepSpec.FuzzyMatch> fuzzy = new ArrayList<>();
            node.get("fuzzy").ifPresent(fuzzyNode -> {
                for (SpecNode element : fuzzyNode.elements()) {
                    element.allowOnly(Set.of("column", "similarity", "threshold"));
                    Optional<String> column = element.requiredString("column", "the column to compare");
                    String similarityText = element.string("similarity").orElse("jaro-winkler");
                    StepSpec.Similarity similarity = switch (similarityText) {
                        case "jaro-winkler" -> StepSpec.Similarity.JARO_WINKLER;
                        case "levenshtein" -> StepSpec.Similarity.LEVENSHTEIN;
                        default -> {
                            error(element.child("similarity"), "expected jaro-winkler or levenshtein, got '" + similarityText + "'");
                            yield StepSpec.Similarity.JARO_WINKLER;
                        }
                    };
                    double threshold = element.number("threshold").orElse(0.9);
                    if (!(threshold > 0 && threshold <= 1)) {
                        error(element.child("threshold"), "expected a similarity in (0, 1], got " + threshold);
                        threshold = 0.9;
                    }
                    double chosen = threshold;
                    column.ifPresent(value -> fuzzy.add(new StepSpec.FuzzyMatch(value, similarity, chosen)));
                }
            });
            List<String> blockColumns = List.of();
            int prefix = 0;
            Optional<SpecNode> blocking = node.get("blocking");
            if (blocking.isPresent()) {
                blocking.get().allowOnly(Set.of("columns", "prefix"));
                blockColumns = blocking.get().strings("columns");
                prefix = blocking.get().integer("prefix", 0, 0);
            }
            if (!fuzzy.isEmpty() && blockColumns.isEmpty() && prefix == 0) {
                error(node.child("blocking"), "fuzzy matching needs blocking (columns that must be equal, or a prefix length of"
                        + " the fuzzy column) so it does not compare every pair of rows");
            }
            return new StepSpec.Matching(keys, fuzzy, new StepSpec.Blocking(blockColumns, prefix));
        }

        private Optional<StepSpec.SurvivorRule> survivorRule(SpecNode node, Set<StepSpec.SurvivorRule> allowed) {
            String text = node.text();
            for (StepSpec.SurvivorRule rule : allowed) {
                if (rule.name().toLowerCase(Locale.ROOT).replace('_', '-').equals(text)) {
                    return Optional.of(rule);
                }
            }
            node.error("expected one of " + allowed.stream().map(rule -> rule.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                    .sorted().toList() + ", got '" + text + "'");
            return Optional.empty();
        }

        /**
         * A step's {@code linkage}, which excludes the deterministic {@code keys}, {@code fuzzy} and {@code blocking}; empty when
         * the step has none (or when it is wrong, with the errors reported).
         */
        private Optional<Linkage> linkage(SpecNode node, String name, boolean dedupe, List<String> inputs) {
            Optional<SpecNode> linkage = node.get("linkage");
            if (linkage.isEmpty()) {
                if (node.raw().has("linkage")) {
                    error(node.child("linkage"), "expected a mapping with comparisons, such as {comparisons: [{column: name}]}");
                }
                return Optional.empty();
            }
            for (String key : List.of("keys", "fuzzy", "blocking")) {
                if (node.has(key)) {
                    error(node.child(key), "'" + key + "' and 'linkage' exclude each other: linkage matches records by its"
                            + " comparisons and blocking rules; remove " + key + " (or linkage)");
                }
            }
            linkageSteps.add(name);
            return new LinkageSpecReader(linkage.get(), name, dedupe, inputs, this::use, errors).read();
        }

        private Optional<StepSpec> dedupeStep(SpecNode node, String name) {
            node.allowOnly(Set.of("name", "type", "input", "keys", "fuzzy", "blocking", "keep", "recency-column", "survivorship",
                    "linkage"));
            Optional<String> input = input(node);
            boolean probabilistic = node.isObject() && node.raw().has("linkage");
            Optional<Linkage> linkage = linkage(node, name, true, input.map(List::of).orElse(List.of()));
            Optional<StepSpec.Matching> matching = probabilistic ? linkage.map(StepSpec.Matching::probabilistic)
                    : Optional.of(matching(node));
            Set<StepSpec.SurvivorRule> allowed = probabilistic
                    ? Set.of(StepSpec.SurvivorRule.FIRST, StepSpec.SurvivorRule.MOST_RECENT, StepSpec.SurvivorRule.MOST_COMPLETE,
                            StepSpec.SurvivorRule.MOST_FREQUENT, StepSpec.SurvivorRule.LONGEST)
                    : Set.of(StepSpec.SurvivorRule.FIRST, StepSpec.SurvivorRule.MOST_RECENT, StepSpec.SurvivorRule.MOST_COMPLETE);
            StepSpec.SurvivorRule keep = node.get("keep").flatMap(keepNode -> survivorRule(keepNode, allowed))
                    .orElse(StepSpec.SurvivorRule.FIRST);
            String recency = node.string("recency-column").orElse("");
            Map<String, StepSpec.SurvivorRule> columns = new LinkedHashMap<>();
            Optional<SpecNode> survivorship = node.get("survivorship");
            if (survivorship.isPresent() && !probabilistic) {
                error(survivorship.get().path(), "survivorship applies to a dedupe with linkage, which builds golden records column by"
                        + " column; without linkage, keep decides which row survives whole");
            } else if (survivorship.isPresent()) {
                SpecNode rules = survivorship.get();
                rules.allowOnly(Set.of("default", "columns", "recency-column"));
                if (rules.has("default") && node.has("keep")) {
                    error(rules.child("default"), "give keep or survivorship.default, not both: they are the same default rule");
                }
                keep = rules.get("default").flatMap(value -> survivorRule(value, allowed)).orElse(keep);
                rules.get("columns").ifPresent(columnsNode -> columnsNode.members().forEach((column, value) ->
                        survivorRule(value, allowed).ifPresent(rule -> columns.put(column, rule))));
                if (rules.has("recency-column") && node.has("recency-column")) {
                    error(rules.child("recency-column"), "give recency-column once, at the step or under survivorship");
                }
                recency = rules.string("recency-column").orElse(recency);
            }
            boolean needsRecency = keep == StepSpec.SurvivorRule.MOST_RECENT || columns.containsValue(StepSpec.SurvivorRule.MOST_RECENT);
            if (needsRecency && recency.isEmpty()) {
                error(node.child("recency-column"), "missing; the most-recent rule needs the column that says how recent a row is");
            }
            if (input.isEmpty() || matching.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new StepSpec.Dedupe(name, input.get(), matching.get(), keep, recency,
                    new StepSpec.Survivorship(keep, columns, recency, List.of())));
        }

        private Optional<StepSpec> matchMergeStep(SpecNode node, String name) {
            node.allowOnly(Set.of("name", "type", "inputs", "keys", "fuzzy", "blocking", "survivorship", "linkage"));
            List<String> inputs = node.strings("inputs");
            if (inputs.size() < 2) {
                error(node.child("inputs"), "expected two or more inputs to match, got " + inputs.size());
            }
            for (int index = 0; index < inputs.size(); index++) {
                use(inputs.get(index), node.child("inputs") + "[" + index + "]");
            }
            boolean probabilistic = node.isObject() && node.raw().has("linkage");
            Optional<Linkage> linkage = linkage(node, name, false, inputs);
            Optional<StepSpec.Matching> matching = probabilistic ? linkage.map(StepSpec.Matching::probabilistic)
                    : Optional.of(matching(node));
            if (!probabilistic && matching.orElseThrow().keys().isEmpty() && matching.orElseThrow().fuzzy().isEmpty()) {
                error(node.child("keys"), "match-merge needs keys, fuzzy columns, both, or a linkage to decide which records match");
            }
            Set<StepSpec.SurvivorRule> allowed = probabilistic
                    ? Set.of(StepSpec.SurvivorRule.MOST_RECENT, StepSpec.SurvivorRule.MOST_COMPLETE, StepSpec.SurvivorRule.SOURCE_PRIORITY,
                            StepSpec.SurvivorRule.MOST_FREQUENT, StepSpec.SurvivorRule.LONGEST)
                    : Set.of(StepSpec.SurvivorRule.MOST_RECENT, StepSpec.SurvivorRule.MOST_COMPLETE, StepSpec.SurvivorRule.SOURCE_PRIORITY);
            StepSpec.SurvivorRule defaultRule = StepSpec.SurvivorRule.SOURCE_PRIORITY;
            Map<String, StepSpec.SurvivorRule> columns = new LinkedHashMap<>();
            String recency = "";
            List<String> priority = List.of();
            Optional<SpecNode> survivorship = node.get("survivorship");
            if (survivorship.isPresent()) {
                SpecNode rules = survivorship.get();
                rules.allowOnly(Set.of("default", "columns", "recency-column", "priority"));
                defaultRule = rules.get("default").flatMap(value -> survivorRule(value, allowed)).orElse(defaultRule);
                rules.get("columns").ifPresent(columnsNode -> columnsNode.members().forEach((column, value) ->
                        survivorRule(value, allowed).ifPresent(rule -> columns.put(column, rule))));
                recency = rules.string("recency-column").orElse("");
                priority = rules.strings("priority");
                for (int index = 0; index < priority.size(); index++) {
                    if (!inputs.contains(priority.get(index))) {
                        error(rules.child("priority") + "[" + index + "]", "'" + priority.get(index)
                                + "' is not one of the inputs " + inputs);
                    }
                }
            }
            boolean needsRecency = defaultRule == StepSpec.SurvivorRule.MOST_RECENT
                    || columns.containsValue(StepSpec.SurvivorRule.MOST_RECENT);
            if (needsRecency && recency.isEmpty()) {
                error(node.child("survivorship.recency-column"), "missing; the most-recent rule needs the column that says how"
                        + " recent a record is");
            }
            if (matching.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new StepSpec.MatchMerge(name, inputs, matching.get(),
                    new StepSpec.Survivorship(defaultRule, columns, recency, priority)));
        }

        private Optional<StepSpec> imputeStep(SpecNode node, String name) {
            node.allowOnly(Set.of("name", "type", "input", "columns"));
            Optional<String> input = input(node);
            List<StepSpec.Imputation> columns = new ArrayList<>();
            node.required("columns", "a mapping of column: mean, median, mode or {constant: value}").ifPresent(columnsNode ->
                    columnsNode.members().forEach((column, rule) -> {
                        if (rule.isObject()) {
                            rule.allowOnly(Set.of("constant"));
                            rule.requiredString("constant", "the value that fills missing values")
                                    .ifPresent(value -> columns.add(new StepSpec.Imputation(column, StepSpec.ImputeStrategy.CONSTANT,
                                            value)));
                            return;
                        }
                        switch (rule.text()) {
                            case "mean" -> columns.add(new StepSpec.Imputation(column, StepSpec.ImputeStrategy.MEAN, ""));
                            case "median" -> columns.add(new StepSpec.Imputation(column, StepSpec.ImputeStrategy.MEDIAN, ""));
                            case "mode" -> columns.add(new StepSpec.Imputation(column, StepSpec.ImputeStrategy.MODE, ""));
                            default -> rule.error("expected mean, median, mode or {constant: value}, got '" + rule.text() + "'");
                        }
                    }));
            return input.map(value -> new StepSpec.Impute(name, value, columns));
        }

        private Optional<StepSpec> deriveStep(SpecNode node, String name) {
            node.allowOnly(Set.of("name", "type", "input", "columns", "drop", "keep"));
            Optional<String> input = input(node);
            List<StepSpec.Derivation> columns = new ArrayList<>();
            node.get("columns").ifPresent(columnsNode -> columnsNode.members().forEach((column, expression) -> {
                if (!expression.isText() || expression.text().isBlank()) {
                    expression.error("expected a SQL expression");
                } else {
                    columns.add(new StepSpec.Derivation(column, expression.text()));
                }
            }));
            List<String> drop = node.strings("drop");
            List<String> keep = node.strings("keep");
            if (!drop.isEmpty() && !keep.isEmpty()) {
                error(node.child("keep"), "give either drop or keep, not both");
            }
            if (columns.isEmpty() && drop.isEmpty() && keep.isEmpty()) {
                error(node.child("columns"), "missing; a derive step needs columns, drop or keep");
            }
            return input.map(value -> new StepSpec.Derive(name, value, columns, drop, keep));
        }

        private Optional<Expectation> expectation(SpecNode node, int index) {
            node.allowOnly(Set.of("name", "dataset", "rule", "column", "columns", "min", "max", "values", "pattern", "max-age",
                    "exact", "action"));
            Optional<String> dataset = node.requiredString("dataset", "the source or step the rule checks");
            dataset.filter(value -> !relations.containsKey(value)).ifPresent(value -> error(node.child("dataset"),
                    "'" + value + "' is not a source or step; known: " + relations.keySet()));
            Optional<String> ruleName = node.requiredString("rule",
                    "not-null, unique, range, allowed-values, regex, row-count, freshness or schema");
            String actionText = node.requiredString("action", "fail, warn or quarantine").orElse("fail");
            Expectation.Action action = switch (actionText) {
                case "fail" -> Expectation.Action.FAIL;
                case "warn" -> Expectation.Action.WARN;
                case "quarantine" -> Expectation.Action.QUARANTINE;
                default -> {
                    error(node.child("action"), "expected fail, warn or quarantine, got '" + actionText + "'");
                    yield Expectation.Action.FAIL;
                }
            };
            if (ruleName.isEmpty() || dataset.isEmpty()) {
                return Optional.empty();
            }
            Optional<Expectation.Rule> rule = rule(node, ruleName.get());
            if (rule.isEmpty()) {
                return Optional.empty();
            }
            if (action == Expectation.Action.QUARANTINE && !rule.get().rowLevel()) {
                error(node.child("action"), "a " + ruleName.get() + " rule checks the whole dataset and cannot quarantine rows;"
                        + " use fail or warn");
                return Optional.empty();
            }
            String name = node.string("name").orElse(dataset.get() + "." + ruleName.get()
                    + (node.has("column") ? "." + node.string("column").orElse("") : "") + "#" + index);
            return Optional.of(new Expectation(name, dataset.get(), rule.get(), action));
        }

        private List<String> columns(SpecNode node) {
            List<String> columns = new ArrayList<>(node.strings("column"));
            columns.addAll(node.strings("columns"));
            if (columns.isEmpty()) {
                error(node.child("column"), "missing; name the column (or columns) the rule checks");
            }
            return columns;
        }

        private Optional<String> oneColumn(SpecNode node) {
            return node.requiredString("column", "the column the rule checks");
        }

        private Optional<Expectation.Rule> rule(SpecNode node, String ruleName) {
            switch (ruleName) {
                case "not-null":
                    return Optional.of(new Expectation.NotNull(columns(node)));
                case "unique":
                    return Optional.of(new Expectation.Unique(columns(node)));
                case "range": {
                    double min = node.number("min").orElse(Double.NEGATIVE_INFINITY);
                    double max = node.number("max").orElse(Double.POSITIVE_INFINITY);
                    if (!node.has("min") && !node.has("max")) {
                        error(node.child("min"), "a range needs min, max or both");
                    }
                    if (min > max) {
                        error(node.child("max"), "max " + max + " is below min " + min);
                    }
                    return oneColumn(node).map(column -> new Expectation.Range(column, min, max));
                }
                case "allowed-values": {
                    List<String> values = node.strings("values");
                    if (values.isEmpty()) {
                        error(node.child("values"), "missing; list the allowed values");
                    }
                    return oneColumn(node).map(column -> new Expectation.AllowedValues(column, values));
                }
                case "regex": {
                    Optional<String> pattern = node.requiredString("pattern", "a regular expression the whole value must match");
                    try {
                        pattern.ifPresent(Pattern::compile);
                    } catch (PatternSyntaxException e) {
                        error(node.child("pattern"), "not a valid regular expression: " + e.getDescription());
                        return Optional.empty();
                    }
                    Optional<String> column = oneColumn(node);
                    return column.isPresent() && pattern.isPresent()
                            ? Optional.of(new Expectation.Regex(column.get(), pattern.get())) : Optional.empty();
                }
                case "row-count": {
                    double min = node.number("min").orElse(0.0);
                    double max = node.number("max").orElse((double) Long.MAX_VALUE);
                    if (min > max) {
                        error(node.child("max"), "max " + (long) max + " is below min " + (long) min);
                    }
                    return Optional.of(new Expectation.RowCount((long) min, (long) max));
                }
                case "freshness": {
                    Optional<Duration> maxAge = node.duration("max-age");
                    if (maxAge.isEmpty() && !node.has("max-age")) {
                        error(node.child("max-age"), "missing; expected a duration such as 2d");
                    }
                    Optional<String> column = oneColumn(node);
                    return column.isPresent() && maxAge.isPresent()
                            ? Optional.of(new Expectation.Freshness(column.get(), maxAge.get())) : Optional.empty();
                }
                case "schema": {
                    Map<String, ColumnType> columns = new LinkedHashMap<>();
                    node.required("columns", "a mapping of column: type").ifPresent(columnsNode -> columnsNode.members()
                            .forEach((column, type) -> columnType(type).ifPresent(value -> columns.put(column, value))));
                    return Optional.of(new Expectation.Schema(columns, node.bool("exact", false)));
                }
                default:
                    error(node.child("rule"), "unknown rule '" + ruleName
                            + "'; expected not-null, unique, range, allowed-values, regex, row-count, freshness or schema");
                    return Optional.empty();
            }
        }

        private Optional<OutputSpec> output(SpecNode node, String quarantine, List<OutputSpec> earlier) {
            node.allowOnly(Set.of("dataset", "from", "table", "sensitive"));
            Optional<String> dataset = node.requiredString("dataset", "the dataset name the snapshot is versioned under");
            dataset.ifPresent(value -> {
                if (!DATASET_NAME.matcher(value).matches()) {
                    error(node.child("dataset"), "'" + value + "' is not a valid dataset name; use lower-case letters, digits,"
                            + " '.', '_' and '-'");
                }
                if (value.equals(quarantine)) {
                    error(node.child("dataset"), "'" + value + "' is the quarantine dataset's name");
                }
                if (earlier.stream().anyMatch(output -> output.dataset().equals(value))) {
                    error(node.child("dataset"), "dataset '" + value + "' is written by two outputs");
                }
            });
            Optional<String> from = node.requiredString("from", "the source or step whose rows are published");
            from.ifPresent(value -> use(value, node.child("from")));
            Optional<OutputSpec.JdbcTable> table = node.get("table").flatMap(this::table);
            if (dataset.isEmpty() || from.isEmpty()) {
                return Optional.empty();
            }
            outputPaths.putIfAbsent(dataset.get(), node.path());
            node.get("sensitive").map(this::sensitive).filter(columns -> !columns.isEmpty())
                    .ifPresent(columns -> sensitive.put(dataset.get(), columns));
            return Optional.of(new OutputSpec(dataset.get(), from.get(), table));
        }

        /**
         * An output's {@code sensitive} columns: a list of names (masked {@code redact}) or a mapping of name to {@code hash},
         * {@code redact} or {@code null}.
         */
        private SensitiveColumns sensitive(SpecNode node) {
            Map<String, Masking> columns = new LinkedHashMap<>();
            if (node.isArray()) {
                for (SpecNode element : node.elements()) {
                    if (!element.isText() || element.text().isBlank()) {
                        element.error("expected a column name");
                    } else if (columns.put(element.text(), Masking.REDACT) != null) {
                        element.error("column '" + element.text() + "' is listed twice");
                    }
                }
            } else if (node.isObject()) {
                node.members().forEach((column, value) -> {
                    Optional<Masking> masking = value.isText() ? Masking.parse(value.text())
                            : value.raw().isNull() ? Optional.of(Masking.NULL) : Optional.empty();
                    if (column.isBlank()) {
                        value.error("expected a column name");
                    } else if (masking.isEmpty()) {
                        value.error("expected hash, redact or null: how column '" + column + "' is masked for callers without"
                                + " SENSITIVE_READ");
                    } else {
                        columns.put(column, masking.get());
                    }
                });
            } else {
                node.error("expected a list of column names, or a mapping of column name to hash, redact or null");
            }
            if (columns.size() > MAX_SENSITIVE_COLUMNS) {
                node.error("lists " + columns.size() + " columns; at most " + MAX_SENSITIVE_COLUMNS + " are accepted");
            }
            return new SensitiveColumns(columns);
        }

        /**
         * The outputs with, after each output {@code D} of a linkage step {@code S}, the audit datasets {@code D-clusters} (from
         * {@code S__clusters}) and {@code D-links} (from {@code S__links}); an output of the spec may not take their names.
         */
        private List<OutputSpec> withAuditDatasets(List<OutputSpec> outputs, String quarantine) {
            Map<String, String> audit = new LinkedHashMap<>();
            List<OutputSpec> all = new ArrayList<>();
            for (OutputSpec output : outputs) {
                all.add(output);
                if (!linkageSteps.contains(output.from())) {
                    continue;
                }
                for (String kind : List.of("clusters", "links")) {
                    String dataset = output.dataset() + "-" + kind;
                    String why = "the " + kind + " of linkage step '" + output.from() + "' published with output '" + output.dataset() + "'";
                    audit.put(dataset, why);
                    if (!DATASET_NAME.matcher(dataset).matches()) {
                        error(outputPath(output), "'" + output.dataset() + "' is too long for its audit dataset '" + dataset
                                + "' (at most 128 characters); shorten it");
                    }
                    if (dataset.equals(quarantine)) {
                        error("quarantine", "'" + quarantine + "' is the name of " + why + "; choose another quarantine name");
                    }
                    all.add(new OutputSpec(dataset, output.from() + "__" + kind, Optional.empty()));
                }
            }
            for (OutputSpec output : outputs) {
                String why = audit.get(output.dataset());
                if (why != null) {
                    error(outputPath(output), "'" + output.dataset() + "' is the name of " + why + "; choose another name");
                }
            }
            return all;
        }

        private String outputPath(OutputSpec output) {
            return outputPaths.getOrDefault(output.dataset(), "outputs") + ".dataset";
        }

        /** A relation may not take the name of a linkage step's audit relation ({@code S__clusters}, {@code S__links}). */
        private void checkAuditRelations() {
            for (String step : linkageSteps) {
                for (String kind : List.of("clusters", "links")) {
                    String path = relations.get(step + "__" + kind);
                    if (path != null) {
                        error(path, "'" + step + "__" + kind + "' is the relation of the " + kind + " that linkage step '" + step
                                + "' makes; choose another name");
                    }
                }
            }
        }

        private Optional<OutputSpec.JdbcTable> table(SpecNode node) {
            node.allowOnly(Set.of("connection", "url", "user", "password", "table", "mode"));
            Optional<Database> database = database(node);
            Optional<String> table = node.requiredString("table", "the table name");
            table.filter(value -> !value.matches("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?"))
                    .ifPresent(value -> error(node.child("table"), "'" + value + "' is not a plain table name (schema.table)"));
            String modeText = node.string("mode").orElse("replace");
            OutputSpec.TableMode mode = switch (modeText) {
                case "replace" -> OutputSpec.TableMode.REPLACE;
                case "append" -> OutputSpec.TableMode.APPEND;
                default -> {
                    error(node.child("mode"), "expected replace or append, got '" + modeText + "'");
                    yield OutputSpec.TableMode.REPLACE;
                }
            };
            if (database.isEmpty() || table.isEmpty()) {
                return Optional.empty();
            }
            Database target = database.get();
            return Optional.of(new OutputSpec.JdbcTable(target.connection(), target.url(), target.user(), target.password(),
                    table.get(), mode));
        }

        /** Each source and step feeds exactly one step or output, so rows in = rows out + quarantined + merged + filtered. */
        private void checkEveryRowIsAccounted() {
            relations.forEach((relation, path) -> {
                List<String> users = readers.getOrDefault(relation, List.of());
                String where = path.substring(0, path.length() - ".name".length());
                if (users.isEmpty()) {
                    error(where, "'" + relation + "' is never read; every source and step must feed a step or an output so"
                            + " that no row is dropped silently");
                } else if (users.size() > 1) {
                    error(users.get(1), "'" + relation + "' is read twice (" + String.join(", ", users) + "); each source and step"
                            + " feeds exactly one step or output so that rows balance; read it once, or use one sql step");
                }
            });
        }
    }
}
