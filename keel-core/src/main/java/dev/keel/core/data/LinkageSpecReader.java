package dev.keel.core.data;

import dev.keel.spi.data.Linkage;
import dev.keel.spi.data.Linkage.BlockingKey;
import dev.keel.spi.data.Linkage.BlockingRule;
import dev.keel.spi.data.Linkage.ComparisonSpec;
import dev.keel.spi.data.Linkage.KeyFunction;
import dev.keel.spi.data.Linkage.LevelKind;
import dev.keel.spi.data.Linkage.LevelSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * Reads the {@code linkage} block of a dedupe or match-merge step into a {@link Linkage}, filling every default
 * (docs/pipelines.md, "Probabilistic matching: linkage") and naming each error with its path.
 */
final class LinkageSpecReader {
    /** Names of comparisons and blocking rules. */
    static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,40}");
    static final double DEFAULT_THRESHOLD = 0.95;
    static final double DEFAULT_LINK_FLOOR = 0.01;
    static final long DEFAULT_MAX_COMPARISONS = 50_000_000L;
    static final int DEFAULT_U_PAIRS = 1_000_000;
    static final long DEFAULT_SEED = 42L;
    static final int DEFAULT_EM_ITERATIONS = 25;
    static final int DEFAULT_GEOHASH_LENGTH = 5;
    private static final String RESERVED_PREFIX = "__keel_";
    private static final Set<String> KEYS = Set.of("id", "comparisons", "blocking", "threshold", "mode", "break-bridges-below",
            "link-floor", "max-comparisons", "training", "evaluation");
    private static final List<String> KINDS = List.of("text", "exact", "number", "date", "geo");
    private static final List<String> TEXT_LEVELS = List.of("exact", "normalised", "token-sorted");
    private static final List<String> VALUE_LEVELS = List.of("jaro-winkler", "levenshtein", "jaccard", "absolute-difference",
            "relative-difference", "days-apart", "km");
    private static final List<String> FUNCTIONS = List.of("exact", "normalised", "prefix", "sorted-tokens", "first-token",
            "soundex", "metaphone", "geohash");

    /** The kinds of comparison a spec names; each brings preset levels. */
    enum Kind { TEXT, EXACT, NUMBER, DATE, GEO }

    private final SpecNode node;
    private final String step;
    private final boolean dedupe;
    private final List<String> inputs;
    private final BiConsumer<String, String> use;
    private final List<SpecError> errors;

    /**
     * @param node the {@code linkage} node
     * @param step the step's name
     * @param dedupe whether the step is a dedupe (one input) rather than a match-merge
     * @param inputs the step's inputs
     * @param use records that a path reads a relation defined earlier (and reports it when there is none)
     */
    LinkageSpecReader(SpecNode node, String step, boolean dedupe, List<String> inputs, BiConsumer<String, String> use,
                      List<SpecError> errors) {
        this.node = node;
        this.step = step;
        this.dedupe = dedupe;
        this.inputs = List.copyOf(inputs);
        this.use = use;
        this.errors = errors;
    }

    /** The preset levels of a kind (the null level and the last level, else, are implicit). */
    static List<LevelSpec> presetLevels(Kind kind) {
        return switch (kind) {
            case TEXT -> List.of(LevelSpec.of(LevelKind.EXACT), LevelSpec.of(LevelKind.NORMALISED), LevelSpec.of(LevelKind.TOKEN_SORTED),
                    LevelSpec.of(LevelKind.JARO_WINKLER, 0.92), new LevelSpec(LevelKind.JACCARD, 0.6, 2),
                    LevelSpec.of(LevelKind.JARO_WINKLER, 0.8));
            case EXACT -> List.of(LevelSpec.of(LevelKind.EXACT));
            case NUMBER -> List.of(LevelSpec.of(LevelKind.EXACT), LevelSpec.of(LevelKind.RELATIVE_DIFFERENCE, 0.01),
                    LevelSpec.of(LevelKind.RELATIVE_DIFFERENCE, 0.1));
            case DATE -> List.of(LevelSpec.of(LevelKind.EXACT), LevelSpec.of(LevelKind.DAYS_APART, 1), LevelSpec.of(LevelKind.DAYS_APART, 30),
                    LevelSpec.of(LevelKind.DAYS_APART, 365));
            case GEO -> List.of(LevelSpec.of(LevelKind.KILOMETRES_APART, 0.1), LevelSpec.of(LevelKind.KILOMETRES_APART, 1),
                    LevelSpec.of(LevelKind.KILOMETRES_APART, 5), LevelSpec.of(LevelKind.KILOMETRES_APART, 25));
        };
    }

    /**
     * The default blocking rules of comparisons, in comparison order: {@code <name>-sound} (metaphone) and
     * {@code <name>-tokens} (sorted tokens) per text comparison and {@code <name>-cell} (geohash of 5) per geo comparison;
     * when that gives none, {@code <name>-exact} per exact, number or date comparison.
     */
    static List<BlockingRule> defaultBlocking(List<ComparisonSpec> comparisons, List<Kind> kinds) {
        List<BlockingRule> rules = new ArrayList<>();
        for (int index = 0; index < comparisons.size(); index++) {
            ComparisonSpec comparison = comparisons.get(index);
            switch (kinds.get(index)) {
                case TEXT -> {
                    rules.add(new BlockingRule(comparison.name() + "-sound", List.of(new BlockingKey(comparison.columns(), KeyFunction.METAPHONE, 0))));
                    rules.add(new BlockingRule(comparison.name() + "-tokens",
                            List.of(new BlockingKey(comparison.columns(), KeyFunction.SORTED_TOKENS, 0))));
                }
                case GEO -> rules.add(new BlockingRule(comparison.name() + "-cell",
                        List.of(new BlockingKey(comparison.columns(), KeyFunction.GEOHASH, DEFAULT_GEOHASH_LENGTH))));
                case EXACT, NUMBER, DATE -> {
                }
            }
        }
        if (!rules.isEmpty()) {
            return rules;
        }
        for (int index = 0; index < comparisons.size(); index++) {
            ComparisonSpec comparison = comparisons.get(index);
            switch (kinds.get(index)) {
                case EXACT, NUMBER, DATE -> rules.add(new BlockingRule(comparison.name() + "-exact",
                        List.of(new BlockingKey(comparison.columns(), KeyFunction.EXACT, 0))));
                case TEXT, GEO -> {
                }
            }
        }
        return rules;
    }

    private void error(String path, String message) {
        errors.add(new SpecError(path, message));
    }

    /** The linkage, or empty when the block has errors (they are reported). */
    Optional<Linkage> read() {
        if (!node.isObject()) {
            node.error("expected a mapping with comparisons (and optionally id, blocking, threshold, mode, training, evaluation)");
            return Optional.empty();
        }
        int before = errors.size();
        node.allowOnly(KEYS);
        String id = node.get("id").map(value -> column(value, "the column that identifies a record in its input")).orElse("");
        List<ComparisonSpec> comparisons = new ArrayList<>();
        List<Kind> kinds = new ArrayList<>();
        node.required("comparisons", "a list of the columns to compare, such as [{column: name}]").ifPresent(list -> {
            List<SpecNode> elements = list.elements();
            if (list.isArray() && elements.isEmpty()) {
                list.error("expected at least one comparison");
            }
            Map<String, String> names = new HashMap<>();
            for (SpecNode element : elements) {
                comparison(element, names).ifPresent(found -> {
                    comparisons.add(found.spec());
                    kinds.add(found.kind());
                });
            }
        });
        List<BlockingRule> blocking = node.get("blocking").map(this::blocking)
                .orElseGet(() -> comparisons.size() == kinds.size() ? defaultBlocking(comparisons, kinds) : List.of());
        double threshold = node.number("threshold").orElse(DEFAULT_THRESHOLD);
        if (!(threshold > 0 && threshold < 1)) {
            error(node.child("threshold"), "expected a match probability in (0, 1) such as 0.95, got " + threshold);
            threshold = DEFAULT_THRESHOLD;
        }
        Linkage.Mode mode = mode();
        double bridges = Double.NaN;
        Optional<Double> below = node.number("break-bridges-below");
        if (below.isPresent()) {
            if (Double.isFinite(below.get())) {
                bridges = below.get();
            } else {
                error(node.child("break-bridges-below"), "expected a finite match weight such as 4, got " + below.get());
            }
        }
        double floor = node.number("link-floor").orElse(DEFAULT_LINK_FLOOR);
        if (!(floor >= 0 && floor <= threshold)) {
            error(node.child("link-floor"), "expected a probability in [0, threshold " + threshold + "], got " + floor);
        }
        long maxComparisons = wholeNumber(node, "max-comparisons", DEFAULT_MAX_COMPARISONS, 1);
        Set<String> labelled = new java.util.HashSet<>();
        Linkage.Training training = node.get("training").map(value -> training(value, labelled))
                .orElse(new Linkage.Training(DEFAULT_U_PAIRS, DEFAULT_SEED, DEFAULT_EM_ITERATIONS, ""));
        Linkage.Evaluation evaluation = node.get("evaluation").map(value -> evaluation(value, labelled)).orElse(Linkage.Evaluation.none());
        if (errors.size() > before || comparisons.isEmpty() || blocking.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Linkage(id, comparisons, blocking, threshold, mode, bridges, floor, maxComparisons, training,
                    evaluation));
        } catch (IllegalArgumentException e) {
            node.error(e.getMessage());
            return Optional.empty();
        }
    }

    private Linkage.Mode mode() {
        Optional<String> text = node.string("mode");
        if (text.isEmpty()) {
            return dedupe ? Linkage.Mode.ANY : Linkage.Mode.CROSS_SOURCE;
        }
        String path = node.child("mode");
        switch (text.get()) {
            case "any":
                return Linkage.Mode.ANY;
            case "cross-source":
                if (dedupe) {
                    error(path, "cross-source links records of different inputs, and a dedupe has one input; use any, or a"
                            + " match-merge step");
                }
                return Linkage.Mode.CROSS_SOURCE;
            case "one-to-one":
                if (dedupe) {
                    error(path, "one-to-one pairs records of two inputs, and a dedupe has one input; use any, or a match-merge"
                            + " step with two inputs");
                } else if (inputs.size() != 2) {
                    error(path, "one-to-one needs exactly two inputs, got " + inputs.size() + " " + inputs);
                }
                return Linkage.Mode.ONE_TO_ONE;
            default:
                error(path, "unknown mode '" + text.get() + "'; expected " + (dedupe ? "any (a dedupe has one input)"
                        : "any, cross-source or one-to-one"));
                return dedupe ? Linkage.Mode.ANY : Linkage.Mode.CROSS_SOURCE;
        }
    }

    /** A comparison with the kind it was read as (the kind decides its default blocking). */
    private record Read(ComparisonSpec spec, Kind kind) {
    }

    private Optional<Read> comparison(SpecNode element, Map<String, String> names) {
        if (!element.isObject()) {
            element.error("expected a mapping such as {column: name} or {name: location, columns: [latitude, longitude]}");
            return Optional.empty();
        }
        element.allowOnly(Set.of("name", "column", "columns", "kind", "levels", "term-frequencies"));
        int before = errors.size();
        List<String> columns = columns(element, "the column to compare");
        if (!element.has("column") && !element.has("columns")) {
            error(element.child("column"), "missing; name the column to compare, or two columns (latitude, longitude) with"
                    + " columns");
            return Optional.empty();
        }
        Optional<Kind> kind = kind(element, columns.size());
        if (kind.isEmpty()) {
            return Optional.empty();
        }
        String name = comparisonName(element, columns, kind.get(), names);
        List<LevelSpec> levels = element.get("levels").map(value -> levels(value, kind.get())).orElse(presetLevels(kind.get()));
        boolean termFrequencies = element.bool("term-frequencies", kind.get() == Kind.TEXT);
        if (termFrequencies && kind.get() == Kind.GEO) {
            error(element.child("term-frequencies"), "a geo comparison has no values to count; term-frequencies applies to"
                    + " comparisons of one column");
        }
        if (errors.size() > before || levels.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Read(new ComparisonSpec(name, columns, levels, termFrequencies), kind.get()));
    }

    private Optional<Kind> kind(SpecNode element, int columnCount) {
        Optional<String> text = element.string("kind");
        Kind kind;
        if (text.isEmpty()) {
            kind = columnCount >= 2 ? Kind.GEO : Kind.TEXT;
        } else {
            Optional<Kind> named = KINDS.contains(text.get()) ? Optional.of(Kind.valueOf(text.get().toUpperCase(Locale.ROOT)))
                    : Optional.empty();
            if (named.isEmpty()) {
                error(element.child("kind"), "unknown kind '" + text.get() + "'; expected one of " + KINDS);
                return Optional.empty();
            }
            kind = named.get();
        }
        int expected = kind == Kind.GEO ? 2 : 1;
        if (columnCount != expected) {
            String path = element.has("columns") ? element.child("columns") : element.child("column");
            error(path, kind == Kind.GEO ? "a geo comparison reads exactly two columns, latitude then longitude, got "
                    + columnCount : "a " + kind.name().toLowerCase(Locale.ROOT) + " comparison reads one column, got " + columnCount
                    + "; only geo compares two (latitude, longitude)");
            return Optional.empty();
        }
        return Optional.of(kind);
    }

    private String comparisonName(SpecNode element, List<String> columns, Kind kind, Map<String, String> names) {
        String path = element.child("name");
        String name;
        if (element.has("name")) {
            name = element.string("name").orElse("");
            if (!NAME.matcher(name).matches()) {
                error(path, "'" + name + "' is not a valid comparison name; expected 1-41 lower-case letters, digits, '_' or '-',"
                        + " starting with a letter");
                return name;
            }
        } else if (kind == Kind.GEO) {
            error(path, "missing; a comparison of two columns needs a name, such as location");
            return "";
        } else {
            name = columns.get(0);
            if (!NAME.matcher(name).matches()) {
                error(path, "missing; the comparison would be named after its column '" + name + "', which is not a valid"
                        + " comparison name (1-41 lower-case letters, digits, '_' or '-', starting with a letter); give a name");
                return name;
            }
        }
        unique(names, name, path, "comparison", "_level");
        return name;
    }

    /** Names must differ, also once '-' becomes '_' in the columns of the audit datasets. */
    private void unique(Map<String, String> names, String name, String path, String what, String suffix) {
        String column = name.replace('-', '_');
        String earlier = names.get(column);
        if (earlier == null) {
            names.put(column, path + "\u0000" + name);
            return;
        }
        String[] parts = earlier.split("\u0000", 2);
        if (parts[1].equals(name)) {
            error(path, "the " + what + " '" + name + "' is named twice; first at " + parts[0]);
        } else {
            error(path, "the " + what + " '" + name + "' and '" + parts[1] + "' (at " + parts[0] + ") both become the column "
                    + (suffix.isEmpty() ? "key_" + column : column + suffix) + " of the audit datasets; rename one");
        }
    }

    private String column(SpecNode value, String what) {
        if (!value.isText() || value.isArray() || value.text().isBlank()) {
            value.error("expected " + what + " (a column name)");
            return "";
        }
        String column = value.text();
        if (column.startsWith(RESERVED_PREFIX)) {
            value.error("'" + column + "' starts with " + RESERVED_PREFIX + ", which Keel reserves for the columns it adds to linked"
                    + " records");
        }
        return column;
    }

    private List<LevelSpec> levels(SpecNode list, Kind kind) {
        if (!list.isArray()) {
            list.error("expected a list of levels such as [exact, {jaro-winkler: 0.9}]; else is implicit");
            return List.of();
        }
        List<SpecNode> elements = list.elements();
        if (elements.isEmpty()) {
            list.error("expected at least one level besides the implicit else; leave levels out for the preset of the kind");
            return List.of();
        }
        List<LevelSpec> levels = new ArrayList<>();
        for (SpecNode element : elements) {
            level(element, kind).ifPresent(levels::add);
        }
        return levels;
    }

    private Optional<LevelSpec> level(SpecNode element, Kind kind) {
        String allowed = kind == Kind.GEO ? "{km: distance}" : String.join(", ", TEXT_LEVELS) + ", {jaro-winkler: t}, {levenshtein: k},"
                + " {jaccard: t, q: n}, {absolute-difference: d}, {relative-difference: r} or {days-apart: n}";
        if (element.isText() && !element.isObject()) {
            String text = element.text();
            if (text.equals("else")) {
                element.error("else is implicit: it is always the last level; remove it");
                return Optional.empty();
            }
            if (!TEXT_LEVELS.contains(text) || kind == Kind.GEO) {
                element.error("unknown level '" + text + "' for a " + kind.name().toLowerCase(Locale.ROOT) + " comparison; expected "
                        + allowed);
                return Optional.empty();
            }
            return Optional.of(LevelSpec.of(switch (text) {
                case "exact" -> LevelKind.EXACT;
                case "normalised" -> LevelKind.NORMALISED;
                default -> LevelKind.TOKEN_SORTED;
            }));
        }
        if (!element.isObject()) {
            element.error("expected a level: " + allowed);
            return Optional.empty();
        }
        List<String> named = element.members().keySet().stream().filter(VALUE_LEVELS::contains).toList();
        List<String> other = element.members().keySet().stream().filter(key -> !VALUE_LEVELS.contains(key) && !key.equals("q")).toList();
        if (named.size() != 1 || !other.isEmpty()) {
            element.error("expected one level: " + allowed + "; got the keys " + element.members().keySet());
            return Optional.empty();
        }
        String level = named.get(0);
        String path = element.child(level);
        if ((kind == Kind.GEO) != level.equals("km")) {
            error(path, "'" + level + "' does not apply to a " + kind.name().toLowerCase(Locale.ROOT) + " comparison; expected " + allowed);
            return Optional.empty();
        }
        if (element.has("q") && !level.equals("jaccard")) {
            error(element.child("q"), "q is the q-gram length of a jaccard level; remove it");
            return Optional.empty();
        }
        return switch (level) {
            case "jaro-winkler" -> similarity(element, level).map(value -> LevelSpec.of(LevelKind.JARO_WINKLER, value));
            case "jaccard" -> {
                Optional<Double> value = similarity(element, level);
                int q = element.integer("q", 0, 0);
                yield value.map(threshold -> new LevelSpec(LevelKind.JACCARD, threshold, q));
            }
            case "levenshtein" -> {
                int before = errors.size();
                int edits = element.integer(level, 0, 0);
                yield errors.size() > before ? Optional.empty() : Optional.of(LevelSpec.of(LevelKind.LEVENSHTEIN, edits));
            }
            case "days-apart" -> {
                int before = errors.size();
                int days = element.integer(level, 1, 1);
                yield errors.size() > before ? Optional.empty() : Optional.of(LevelSpec.of(LevelKind.DAYS_APART, days));
            }
            case "absolute-difference" -> positive(element, level).map(value -> LevelSpec.of(LevelKind.ABSOLUTE_DIFFERENCE, value));
            case "relative-difference" -> positive(element, level).map(value -> LevelSpec.of(LevelKind.RELATIVE_DIFFERENCE, value));
            default -> positive(element, level).map(value -> LevelSpec.of(LevelKind.KILOMETRES_APART, value));
        };
    }

    private Optional<Double> similarity(SpecNode element, String level) {
        Optional<Double> value = element.number(level);
        if (value.isPresent() && !(value.get() > 0 && value.get() <= 1)) {
            error(element.child(level), "expected a " + level + " similarity in (0, 1], got " + value.get());
            return Optional.empty();
        }
        return value;
    }

    private Optional<Double> positive(SpecNode element, String level) {
        Optional<Double> value = element.number(level);
        if (value.isPresent() && !(value.get() > 0 && Double.isFinite(value.get()))) {
            error(element.child(level), "expected a " + (level.equals("km") ? "distance in km" : level) + " > 0, got " + value.get());
            return Optional.empty();
        }
        return value;
    }

    private List<BlockingRule> blocking(SpecNode list) {
        if (!list.isArray()) {
            list.error("expected a list of rules such as [{keys: [{column: name, function: metaphone}]}]");
            return List.of();
        }
        List<SpecNode> elements = list.elements();
        if (elements.isEmpty()) {
            list.error("expected at least one rule; leave blocking out for the rules derived from the comparisons");
        }
        List<BlockingRule> rules = new ArrayList<>();
        Map<String, String> names = new HashMap<>();
        for (int index = 0; index < elements.size(); index++) {
            rule(elements.get(index), index + 1, names).ifPresent(rules::add);
        }
        return rules;
    }

    private Optional<BlockingRule> rule(SpecNode element, int number, Map<String, String> names) {
        if (!element.isObject()) {
            element.error("expected a rule such as {name: sound, keys: [{column: name, function: metaphone}]}");
            return Optional.empty();
        }
        element.allowOnly(Set.of("name", "keys"));
        int before = errors.size();
        String name = element.string("name").orElse("rule-" + number);
        if (!NAME.matcher(name).matches()) {
            error(element.child("name"), "'" + name + "' is not a valid rule name; expected 1-41 lower-case letters, digits, '_' or"
                    + " '-', starting with a letter");
        } else {
            unique(names, name, element.child("name"), "blocking rule", "");
        }
        List<BlockingKey> keys = new ArrayList<>();
        element.required("keys", "a list of keys such as [{column: name, function: metaphone}]").ifPresent(list -> {
            List<SpecNode> elements = list.elements();
            if (list.isArray() && elements.isEmpty()) {
                list.error("expected at least one key");
            }
            for (SpecNode key : elements) {
                key(key).ifPresent(keys::add);
            }
        });
        if (errors.size() > before || keys.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new BlockingRule(name, keys));
    }

    private Optional<BlockingKey> key(SpecNode element) {
        if (!element.isObject()) {
            element.error("expected a key such as {column: name, function: soundex} or {columns: [lat, lon], function: geohash}");
            return Optional.empty();
        }
        element.allowOnly(Set.of("column", "columns", "function", "length"));
        int before = errors.size();
        String functionText = element.string("function").orElse("exact");
        if (!FUNCTIONS.contains(functionText)) {
            error(element.child("function"), "unknown function '" + functionText + "'; expected one of " + FUNCTIONS);
            return Optional.empty();
        }
        KeyFunction function = KeyFunction.valueOf(functionText.toUpperCase(Locale.ROOT).replace('-', '_'));
        List<String> columns = columns(element, "the column the key reads");
        int expected = function == KeyFunction.GEOHASH ? 2 : 1;
        if (!element.has("column") && !element.has("columns")) {
            error(element.child("column"), "missing; name the column the key reads" + (expected == 2 ? " (columns: [latitude,"
                    + " longitude] for geohash)" : ""));
        } else if (columns.size() != expected) {
            error(element.has("columns") ? element.child("columns") : element.child("column"), expected == 2
                    ? "geohash reads exactly two columns, latitude then longitude, got " + columns.size()
                    : functionText + " reads one column, got " + columns.size() + "; only geohash reads two");
        }
        int length = 0;
        String lengthPath = element.child("length");
        switch (function) {
            case PREFIX -> {
                if (!element.has("length")) {
                    error(lengthPath, "missing; prefix needs the number of characters it keeps, such as 4");
                }
                length = element.integer("length", 1, 1);
            }
            case GEOHASH -> {
                length = element.integer("length", DEFAULT_GEOHASH_LENGTH, 1);
                if (length > 12) {
                    error(lengthPath, "expected a geohash length from 1 to 12, got " + length);
                }
            }
            case EXACT, NORMALISED, SORTED_TOKENS, FIRST_TOKEN, SOUNDEX, METAPHONE -> {
                if (element.has("length")) {
                    error(lengthPath, "length applies to prefix and geohash keys only, not to " + functionText);
                }
            }
        }
        if (errors.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new BlockingKey(columns, function, length));
    }

    private Linkage.Training training(SpecNode value, Set<String> labelled) {
        value.allowOnly(Set.of("u-pairs", "seed", "em-iterations", "labelled-pairs"));
        int uPairs = value.integer("u-pairs", DEFAULT_U_PAIRS, 1);
        long seed = wholeNumber(value, "seed", DEFAULT_SEED, Long.MIN_VALUE);
        int iterations = value.integer("em-iterations", DEFAULT_EM_ITERATIONS, 1);
        String pairs = labelledPairs(value, labelled);
        return new Linkage.Training(uPairs, seed, iterations, pairs);
    }

    private Linkage.Evaluation evaluation(SpecNode value, Set<String> labelled) {
        value.allowOnly(Set.of("truth-column", "labelled-pairs"));
        String truth = value.get("truth-column").map(column -> column(column, "the column holding each record's true entity"))
                .orElse("");
        String pairs = labelledPairs(value, labelled);
        if (!value.has("truth-column") && !value.has("labelled-pairs")) {
            value.error("expected truth-column, labelled-pairs or both; leave evaluation out to evaluate nothing");
        }
        return new Linkage.Evaluation(truth, pairs);
    }

    /** A relation of labelled pairs: it must be defined earlier, and counts as read by the step (once). */
    private String labelledPairs(SpecNode parent, Set<String> labelled) {
        Optional<SpecNode> found = parent.get("labelled-pairs");
        if (found.isEmpty()) {
            return "";
        }
        if (!found.get().isText() || found.get().text().isBlank()) {
            found.get().error("expected the name of a source or earlier step with left_id, right_id and is_match");
            return "";
        }
        String relation = found.get().text();
        if (relation.equals(step)) {
            found.get().error("'" + relation + "' is this step; labelled pairs come from a source or an earlier step");
            return relation;
        }
        if (inputs.contains(relation)) {
            found.get().error("'" + relation + "' is an input of the step; labelled pairs come from a relation of their own");
            return relation;
        }
        if (labelled.add(relation)) {
            use.accept(relation, found.get().path());
        }
        return relation;
    }

    private static long wholeNumber(SpecNode parent, String key, long fallback, long min) {
        Optional<SpecNode> child = parent.get(key);
        if (child.isEmpty()) {
            return fallback;
        }
        com.fasterxml.jackson.databind.JsonNode raw = child.get().raw();
        if (!raw.isIntegralNumber() || !raw.canConvertToLong() || raw.asLong() < min) {
            child.get().error("expected a whole number" + (min == Long.MIN_VALUE ? "" : " >= " + min) + ", got '" + child.get().text()
                    + "'");
            return fallback;
        }
        return raw.asLong();
    }

    /** The {@code column} or {@code columns} of a comparison or blocking key, each checked; an error when both are given. */
    private List<String> columns(SpecNode element, String what) {
        List<String> columns = new ArrayList<>();
        if (element.has("column") && element.has("columns")) {
            error(element.child("columns"), "give column or columns, not both");
        }
        element.get("column").ifPresent(value -> columns.add(column(value, what)));
        element.get("columns").ifPresent(value -> {
            if (!value.isArray()) {
                value.error("expected a list of two columns: [latitude, longitude]");
                return;
            }
            for (SpecNode column : value.elements()) {
                columns.add(column(column, "a column"));
            }
        });
        return columns;
    }
}
