package dev.keel.core.training;

import dev.keel.core.data.CronExpression;
import dev.keel.core.data.SpecDocument;
import dev.keel.core.data.SpecNode;
import dev.keel.core.error.KeelException;
import dev.keel.core.security.ProjectService;
import dev.keel.core.training.eval.Rule;
import dev.keel.core.training.eval.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a training spec from YAML or JSON and checks it, naming every error with its path in the file ({@code gate.slices[0].metric}).
 * Unknown keys are refused and sizes are capped before anything is built.
 *
 * <pre>{@code
 * model: flight-delays
 * dataset: flights            # a pipeline output
 * version: latest
 * target: delayed
 * classes: ["0", "1"]         # the models' probability columns
 * features: [distance, dep_hour, month]
 * trainer: random-forest      # or logistic-regression, linear-regression, command:NAME
 * parameters: {trees: 60}
 * holdout: {fraction: 0.2, seed: 7}
 * gate:
 *   rules: ["auc >= 0.6", "auc >= champion.auc + 0.005"]
 *   min_holdout_rows: 500
 * promotion: {mode: auto, rollout: {endpoint: flights, percent: 20, requests: 200}}
 * }</pre>
 */
public final class TrainingSpecParser {
    /** The longest spec text accepted, in UTF-8 bytes. */
    public static final int MAX_SPEC_BYTES = 64 * 1024;
    static final int MAX_FEATURES = 1_000;
    static final int MAX_CLASSES = 1_000;
    static final int MAX_RULES = 50;
    static final int MAX_PARAMETERS = 100;
    static final int MAX_ROWS = 50_000_000;
    static final int DEFAULT_MAX_ROWS = 1_000_000;
    /** The metrics the evaluation measures, by task; gate rules and slices name these. */
    public static final Map<Task, List<String>> METRICS = Map.of(
            Task.BINARY, List.of("accuracy", "precision", "recall", "f1", "auc", "logloss"),
            Task.MULTICLASS, List.of("accuracy", "precision", "recall", "f1", "auc", "logloss"),
            Task.REGRESSION, List.of("mae", "rmse", "r2"));
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,62}");
    private static final Pattern COLUMN = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]{0,127}");
    private static final Pattern TRAINER = Pattern.compile("[a-z][a-z0-9-]{0,62}|command:[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern PARAMETER = Pattern.compile("[a-z][a-z0-9_.-]{0,63}");
    private static final Pattern ALIAS = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,12})\\s*(b|kib|mib|gib|kb|mb|gb)?", Pattern.CASE_INSENSITIVE);
    private static final Set<String> TOP_KEYS = Set.of("model", "project", "description", "dataset", "version", "target", "task", "classes",
            "positive", "features", "trainer", "parameters", "max_rows", "timeout", "holdout", "gate", "promotion", "triggers");

    /** Parses and validates a spec; never throws for bad input. */
    public SpecDocument.Result<TrainingSpec> parse(String text) {
        return SpecDocument.parse(text, MAX_SPEC_BYTES, "a mapping with model, dataset, target, features and trainer",
                (root, errors) -> read(root));
    }

    /** Parses a spec or throws INVALID_SPEC with one field error per path. */
    public TrainingSpec parseOrThrow(String text) {
        return SpecDocument.orThrow(parse(text), "the training spec");
    }

    private static TrainingSpec read(SpecNode root) {
        root.allowOnly(TOP_KEYS);
        String model = name(root, "model", "the registered model to retrain");
        String project = root.string("project").orElse(ProjectService.DEFAULT);
        if (root.has("project") && !Pattern.matches("[a-z][a-z0-9-]{0,62}", project)) {
            root.get("project").orElseThrow().error("'" + clip(project) + "' is not a valid project name");
        }
        String description = root.string("description").orElse("");
        if (description.length() > 1_000) {
            root.get("description").orElseThrow().error("expected at most 1000 characters, got " + description.length());
        }
        String dataset = name(root, "dataset", "the dataset (a pipeline output) to train on");
        int datasetVersion = version(root, "version");
        String target = column(root, "target", "the column to predict");
        Task task = Task.BINARY;
        Optional<String> taskText = root.string("task");
        if (taskText.isPresent()) {
            try {
                task = Task.valueOf(taskText.get().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                root.get("task").orElseThrow().error("'" + clip(taskText.get()) + "' is not a task; expected binary, multiclass or regression");
            }
        }
        List<String> classes = labels(root, task);
        Optional<String> positive = root.string("positive");
        if (positive.isPresent() && !classes.contains(positive.get())) {
            root.get("positive").orElseThrow().error("'" + clip(positive.get()) + "' is not one of classes " + clip(classes.toString()));
        }
        List<String> features = features(root, target);
        String trainer = root.requiredString("trainer", "a trainer: logistic-regression, random-forest, linear-regression or command:NAME")
                .orElse("logistic-regression");
        if (root.has("trainer") && !TRAINER.matcher(trainer).matches()) {
            root.get("trainer").orElseThrow().error("'" + clip(trainer) + "' is not a trainer name; expected a built-in algorithm such as"
                    + " random-forest or command:NAME for a command declared in the server's training.commands");
        }
        Map<String, String> parameters = parameters(root);
        int maxRows = root.integer("max_rows", DEFAULT_MAX_ROWS, 10);
        if (maxRows > MAX_ROWS) {
            root.get("max_rows").orElseThrow().error("expected at most " + MAX_ROWS + ", got " + maxRows);
        }
        Duration timeout = duration(root, "timeout", Duration.ofMinutes(30), Duration.ofSeconds(1), Duration.ofHours(24));
        TrainingSpec.Holdout holdout = holdout(root);
        TrainingSpec.Gate gate = gate(root, task);
        TrainingSpec.Promotion promotion = promotion(root);
        TrainingSpec.Triggers triggers = triggers(root);
        return new TrainingSpec(model, project, description, dataset, datasetVersion, target, task, classes, positive, features, trainer,
                parameters, maxRows, timeout, holdout, gate, promotion, triggers);
    }

    private static String name(SpecNode node, String key, String what) {
        String value = node.requiredString(key, what).orElse("unnamed");
        if (node.has(key) && !NAME.matcher(value).matches()) {
            node.get(key).orElseThrow().error("'" + clip(value) + "' is not a valid name; use 1-63 lower-case letters, digits, '_' or '-',"
                    + " starting with a letter");
        }
        return value;
    }

    private static String column(SpecNode node, String key, String what) {
        String value = node.requiredString(key, what).orElse("label");
        if (node.has(key) && !COLUMN.matcher(value).matches()) {
            node.get(key).orElseThrow().error("'" + clip(value) + "' is not a column name; expected letters, digits, '_' or '.'");
        }
        return value;
    }

    /** {@code latest} (0) or a version number. */
    private static int version(SpecNode node, String key) {
        Optional<SpecNode> child = node.get(key);
        if (child.isEmpty()) {
            return 0;
        }
        if (child.get().isText() && child.get().text().equals("latest")) {
            return 0;
        }
        if (!child.get().raw().isIntegralNumber() || !child.get().raw().canConvertToInt() || child.get().raw().asInt() < 1) {
            child.get().error("expected latest or a version number >= 1, got '" + clip(child.get().text()) + "'");
            return 0;
        }
        return child.get().raw().asInt();
    }

    private static List<String> labels(SpecNode root, Task task) {
        List<String> classes = new ArrayList<>();
        Optional<SpecNode> node = root.get("classes");
        if (task == Task.REGRESSION) {
            node.ifPresent(present -> present.error("a regression model has no classes"));
            return classes;
        }
        if (node.isEmpty()) {
            root.errorAt("classes", "missing; expected the class labels in the order of the models' probability output, such as"
                    + " [\"0\", \"1\"]");
            return classes;
        }
        List<SpecNode> elements = node.get().elements();
        if (elements.size() > MAX_CLASSES) {
            node.get().error("expected at most " + MAX_CLASSES + " classes, got " + elements.size());
            return classes;
        }
        for (SpecNode element : elements) {
            if (!element.raw().isValueNode() || element.raw().isNull() || element.text().isEmpty() || element.text().length() > 200) {
                element.error("expected a class label (a string or number of at most 200 characters)");
            } else if (classes.contains(element.text())) {
                element.error("class '" + clip(element.text()) + "' is listed twice");
            } else {
                classes.add(element.text());
            }
        }
        int needed = task == Task.BINARY ? 2 : 3;
        if (node.get().isArray() && (task == Task.BINARY ? classes.size() != 2 : classes.size() < needed) && elements.size() == classes.size()) {
            node.get().error(task == Task.BINARY ? "a binary model has exactly 2 classes, got " + classes.size()
                    : "a multiclass model has at least 3 classes, got " + classes.size());
        }
        return classes;
    }

    private static List<String> features(SpecNode root, String target) {
        List<String> features = new ArrayList<>();
        Optional<SpecNode> node = root.required("features", "a list of the numeric columns the model reads, in its input order");
        if (node.isEmpty()) {
            return features;
        }
        List<SpecNode> elements = node.get().elements();
        if (elements.size() > MAX_FEATURES) {
            node.get().error("expected at most " + MAX_FEATURES + " features, got " + elements.size());
            return features;
        }
        if (node.get().isArray() && elements.isEmpty()) {
            node.get().error("expected at least one feature");
        }
        for (SpecNode element : elements) {
            if (!element.isText() || !COLUMN.matcher(element.text()).matches()) {
                element.error("expected a column name (letters, digits, '_' or '.'), got '" + clip(element.text()) + "'");
            } else if (features.contains(element.text())) {
                element.error("feature '" + element.text() + "' is listed twice");
            } else if (element.text().equals(target)) {
                element.error("the target '" + target + "' cannot be a feature");
            } else {
                features.add(element.text());
            }
        }
        return features;
    }

    private static Map<String, String> parameters(SpecNode root) {
        Map<String, String> parameters = new LinkedHashMap<>();
        root.get("parameters").ifPresent(node -> {
            Map<String, SpecNode> members = node.members();
            if (members.size() > MAX_PARAMETERS) {
                node.error("expected at most " + MAX_PARAMETERS + " parameters, got " + members.size());
                return;
            }
            members.forEach((key, value) -> {
                if (!PARAMETER.matcher(key).matches()) {
                    value.error("'" + clip(key) + "' is not a parameter name; expected lower-case letters, digits, '_', '.' or '-'");
                } else if (!value.raw().isValueNode() || value.raw().isNull() || value.text().length() > 1_000) {
                    value.error("expected a string, number or boolean of at most 1000 characters");
                } else {
                    parameters.put(key, value.text());
                }
            });
        });
        return parameters;
    }

    private static TrainingSpec.Holdout holdout(SpecNode root) {
        Optional<SpecNode> found = root.get("holdout");
        if (found.isEmpty()) {
            return new TrainingSpec.Holdout(0.2, 42, Optional.empty(), 0);
        }
        SpecNode node = found.get();
        if (!node.isObject()) {
            node.error("expected a mapping: {fraction: 0.2, seed: 42} or {dataset: NAME, version: latest}");
            return new TrainingSpec.Holdout(0.2, 42, Optional.empty(), 0);
        }
        node.allowOnly(Set.of("fraction", "seed", "dataset", "version"));
        double fraction = node.number("fraction").orElse(0.2);
        if (fraction <= 0 || fraction >= 0.9) {
            node.get("fraction").ifPresent(child -> child.error("expected a share between 0 and 0.9 (exclusive), got " + child.text()));
        }
        long seed = node.integer("seed", 42, 0);
        Optional<String> dataset = node.string("dataset");
        if (dataset.isPresent() && !NAME.matcher(dataset.get()).matches()) {
            node.get("dataset").orElseThrow().error("'" + clip(dataset.get()) + "' is not a dataset name");
        }
        if (dataset.isPresent() && node.has("fraction")) {
            node.errorAt(".fraction", "a holdout is either a split (fraction, seed) or a dataset, not both");
        }
        if (dataset.isEmpty() && node.has("version")) {
            node.errorAt(".version", "version needs a holdout dataset");
        }
        return new TrainingSpec.Holdout(fraction, seed, dataset, version(node, "version"));
    }

    private static TrainingSpec.Gate gate(SpecNode root, Task task) {
        List<String> known = METRICS.get(task);
        Optional<SpecNode> found = root.get("gate");
        if (found.isEmpty()) {
            return new TrainingSpec.Gate(List.of(), 30, List.of(), Optional.empty(), OptionalLong.empty(), Optional.empty());
        }
        SpecNode node = found.get();
        if (!node.isObject()) {
            node.error("expected a mapping with rules and, optionally, min_holdout_rows, slices, max_latency_p99, max_model_size, bootstrap");
            return new TrainingSpec.Gate(List.of(), 30, List.of(), Optional.empty(), OptionalLong.empty(), Optional.empty());
        }
        node.allowOnly(Set.of("rules", "min_holdout_rows", "slices", "max_latency_p99", "max_model_size", "bootstrap"));
        List<String> rules = new ArrayList<>();
        node.get("rules").ifPresent(rulesNode -> {
            List<String> texts = node.strings("rules");
            if (texts.size() > MAX_RULES) {
                rulesNode.error("expected at most " + MAX_RULES + " rules, got " + texts.size());
                return;
            }
            for (int i = 0; i < texts.size(); i++) {
                String at = rulesNode.isArray() ? "[" + i + "]" : "";
                try {
                    Rule rule = Rule.parse(texts.get(i));
                    if (!known.contains(rule.metric())) {
                        rulesNode.errorAt(at, "'" + clip(rule.metric()) + "' is not a metric of a " + task.name().toLowerCase(Locale.ROOT)
                                + " model; expected one of " + known);
                    } else {
                        rules.add(texts.get(i));
                    }
                } catch (IllegalArgumentException e) {
                    rulesNode.errorAt(at, e.getMessage());
                }
            }
        });
        int minRows = node.integer("min_holdout_rows", 30, 1);
        List<TrainingSpec.Slice> slices = new ArrayList<>();
        node.get("slices").ifPresent(slicesNode -> {
            List<SpecNode> elements = slicesNode.elements();
            if (elements.size() > 20) {
                slicesNode.error("expected at most 20 slices, got " + elements.size());
                return;
            }
            for (SpecNode element : elements) {
                if (!element.isObject()) {
                    element.error("expected {column: NAME, metric: auc, tolerance: 0.02, min_rows: 50}");
                    continue;
                }
                element.allowOnly(Set.of("column", "metric", "tolerance", "min_rows"));
                String column = column(element, "column", "the column whose values slice the holdout");
                String metric = element.requiredString("metric", "a metric from " + known).orElse(known.getFirst());
                if (element.has("metric") && !known.contains(metric)) {
                    element.get("metric").orElseThrow().error("'" + clip(metric) + "' is not one of " + known);
                }
                double tolerance = element.number("tolerance").orElse(0.0);
                if (tolerance < 0 || tolerance > 1e6) {
                    element.get("tolerance").orElseThrow().error("expected a tolerance >= 0, got " + tolerance);
                }
                slices.add(new TrainingSpec.Slice(column, metric, tolerance, element.integer("min_rows", 30, 1)));
            }
        });
        Optional<Duration> latency = node.has("max_latency_p99")
                ? Optional.of(duration(node, "max_latency_p99", Duration.ofSeconds(1), Duration.ofNanos(1_000), Duration.ofMinutes(1)))
                : Optional.empty();
        OptionalLong size = OptionalLong.empty();
        Optional<String> sizeText = node.get("max_model_size").map(SpecNode::text);
        if (sizeText.isPresent()) {
            long bytes = bytes(sizeText.get());
            if (bytes <= 0) {
                node.get("max_model_size").orElseThrow().error("expected a size such as 512kib, 50mib or 2gib, got '" + clip(sizeText.get()) + "'");
            } else {
                size = OptionalLong.of(bytes);
            }
        }
        Optional<TrainingSpec.Bootstrap> bootstrap = node.get("bootstrap").map(b -> bootstrap(b, known));
        return new TrainingSpec.Gate(rules, minRows, slices, latency, size, bootstrap);
    }

    private static TrainingSpec.Bootstrap bootstrap(SpecNode node, List<String> known) {
        if (!node.isObject()) {
            node.error("expected {metric: auc, resamples: 1000, confidence: 0.95, seed: 1, min_difference: 0}");
            return null;
        }
        node.allowOnly(Set.of("metric", "resamples", "confidence", "seed", "min_difference"));
        String metric = node.requiredString("metric", "a metric from " + known).orElse(known.getFirst());
        if (node.has("metric") && !known.contains(metric)) {
            node.get("metric").orElseThrow().error("'" + clip(metric) + "' is not one of " + known);
        }
        int resamples = node.integer("resamples", 1_000, 100);
        if (resamples > 10_000) {
            node.get("resamples").orElseThrow().error("expected at most 10000 resamples, got " + resamples);
        }
        double confidence = node.number("confidence").orElse(0.95);
        if (confidence < 0.5 || confidence >= 1) {
            node.get("confidence").orElseThrow().error("expected a confidence in [0.5, 1), got " + confidence);
        }
        double minDifference = node.number("min_difference").orElse(0.0);
        return new TrainingSpec.Bootstrap(metric, resamples, confidence, node.integer("seed", 1, 0), minDifference);
    }

    private static TrainingSpec.Promotion promotion(SpecNode root) {
        Optional<SpecNode> found = root.get("promotion");
        TrainingSpec.Promotion fallback = new TrainingSpec.Promotion(TrainingSpec.Mode.AUTO, "champion", Optional.empty());
        if (found.isEmpty()) {
            return fallback;
        }
        SpecNode node = found.get();
        if (!node.isObject()) {
            node.error("expected a mapping: {mode: auto|approval, alias: champion, rollout: {...}}");
            return fallback;
        }
        node.allowOnly(Set.of("mode", "alias", "rollout"));
        TrainingSpec.Mode mode = TrainingSpec.Mode.AUTO;
        Optional<String> modeText = node.string("mode");
        if (modeText.isPresent()) {
            switch (modeText.get()) {
                case "auto" -> mode = TrainingSpec.Mode.AUTO;
                case "approval" -> mode = TrainingSpec.Mode.APPROVAL;
                default -> node.get("mode").orElseThrow().error("'" + clip(modeText.get()) + "' is not a mode; expected auto or approval");
            }
        }
        String alias = node.string("alias").orElse("champion");
        if (!ALIAS.matcher(alias).matches() || alias.equals("latest")) {
            node.get("alias").orElseThrow().error("'" + clip(alias) + "' is not an alias; use lower-case letters, digits, '_' or '-'");
        }
        Optional<TrainingSpec.Rollout> rollout = node.get("rollout").map(TrainingSpecParser::rollout);
        return new TrainingSpec.Promotion(mode, alias, rollout);
    }

    private static TrainingSpec.Rollout rollout(SpecNode node) {
        if (!node.isObject()) {
            node.error("expected {endpoint: NAME, percent: 10, requests: 500, duration: 10m, max_error_rate: 0.01, max_latency_p99: 100ms,"
                    + " max_accuracy_drop: 0.05, min_labels: 30}");
            return null;
        }
        node.allowOnly(Set.of("endpoint", "percent", "requests", "duration", "max_error_rate", "max_latency_p99", "max_accuracy_drop",
                "min_labels"));
        String endpoint = name(node, "endpoint", "the endpoint whose traffic the new version shares");
        double percent = node.number("percent").orElse(10.0);
        if (percent <= 0 || percent >= 100) {
            node.get("percent").orElseThrow().error("expected a share between 0 and 100 (exclusive), got " + percent);
        }
        int requests = node.integer("requests", 100, 1);
        if (requests > 10_000_000) {
            node.get("requests").orElseThrow().error("expected at most 10000000 requests, got " + requests);
        }
        Duration duration = duration(node, "duration", Duration.ofMinutes(10), Duration.ofSeconds(1), Duration.ofDays(7));
        double maxErrorRate = node.number("max_error_rate").orElse(0.01);
        if (maxErrorRate < 0 || maxErrorRate > 1) {
            node.get("max_error_rate").orElseThrow().error("expected a rate between 0 and 1, got " + maxErrorRate);
        }
        Optional<Duration> latency = node.has("max_latency_p99")
                ? Optional.of(duration(node, "max_latency_p99", Duration.ofSeconds(1), Duration.ofMillis(1), Duration.ofMinutes(10)))
                : Optional.empty();
        double maxAccuracyDrop = node.number("max_accuracy_drop").orElse(0.05);
        if (maxAccuracyDrop < 0 || maxAccuracyDrop > 1) {
            node.get("max_accuracy_drop").orElseThrow().error("expected a share between 0 and 1, got " + maxAccuracyDrop);
        }
        int minLabels = node.integer("min_labels", 30, 1);
        return new TrainingSpec.Rollout(endpoint, percent, requests, duration, maxErrorRate, latency, maxAccuracyDrop, minLabels);
    }

    private static TrainingSpec.Triggers triggers(SpecNode root) {
        Optional<SpecNode> found = root.get("triggers");
        if (found.isEmpty()) {
            return new TrainingSpec.Triggers(Optional.empty(), 0);
        }
        SpecNode node = found.get();
        if (!node.isObject()) {
            node.error("expected {schedule: CRON, labels: N}");
            return new TrainingSpec.Triggers(Optional.empty(), 0);
        }
        node.allowOnly(Set.of("schedule", "labels"));
        Optional<String> schedule = node.string("schedule");
        if (schedule.isPresent()) {
            try {
                CronExpression.parse(schedule.get());
            } catch (KeelException | IllegalArgumentException e) {
                node.get("schedule").orElseThrow().error(e.getMessage());
            }
        }
        return new TrainingSpec.Triggers(schedule, node.integer("labels", 0, 0));
    }

    private static Duration duration(SpecNode node, String key, Duration fallback, Duration min, Duration max) {
        Optional<Duration> value = node.duration(key);
        if (value.isEmpty()) {
            return fallback;
        }
        if (value.get().compareTo(min) < 0 || value.get().compareTo(max) > 0) {
            node.get(key).orElseThrow().error("expected a duration from " + min + " to " + max + ", got '" + clip(node.get(key).orElseThrow().text())
                    + "'");
            return fallback;
        }
        return value.get();
    }

    /** A size such as {@code 512}, {@code 64kib} or {@code 50mb}; -1 when unreadable. */
    static long bytes(String text) {
        Matcher matcher = SIZE.matcher(text.trim());
        if (!matcher.matches()) {
            return -1;
        }
        long amount = Long.parseLong(matcher.group(1));
        String unit = matcher.group(2) == null ? "b" : matcher.group(2).toLowerCase(Locale.ROOT);
        int shift = switch (unit) {
            case "kib", "kb" -> 10;
            case "mib", "mb" -> 20;
            case "gib", "gb" -> 30;
            default -> 0;
        };
        return amount > (Long.MAX_VALUE >> shift) ? -1 : amount << shift;
    }

    private static String clip(String text) {
        return text.length() > 60 ? text.substring(0, 60) + "…" : text;
    }
}
