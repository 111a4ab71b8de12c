package dev.keel.core.monitor;

import dev.keel.core.monitor.stats.ColumnDrift;
import dev.keel.core.monitor.stats.DatasetDriftOptions;
import dev.keel.core.monitor.stats.DriftDetector;
import dev.keel.core.monitor.stats.DriftOptions;
import dev.keel.core.registry.FeatureSpec;
import dev.keel.core.registry.ModelRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.stream.Collectors;

/** Evaluates one monitor over its window at a given time; keeps memory bounded by streaming the window into summaries. */
final class MonitorEvaluator {
    private static final int LABEL_CHUNK = 500;
    private final PredictionLog log;
    private final LabelStore labels;
    private final ReferenceStore references;
    private final ModelRegistry registry;
    private final int minSamples;
    private final int exactMaxValues;
    private final double jensenShannonBase;
    private final DriftDetector detector = DriftDetector.sequential();

    MonitorEvaluator(PredictionLog log, LabelStore labels, ReferenceStore references, ModelRegistry registry, MonitoringConfig config) {
        this.log = log;
        this.labels = labels;
        this.references = references;
        this.registry = registry;
        this.minSamples = config.minSamples();
        this.exactMaxValues = config.exactDriftMaxValues();
        this.jensenShannonBase = config.jensenShannonBase();
    }

    MonitorResult evaluate(Monitor monitor, Instant now) {
        MonitorSpec spec = monitor.spec();
        PredictionQuery query = switch (spec.parsedWindow()) {
            case MonitorWindow.Time time -> PredictionQuery.between(spec.model(), now.minus(time.length()), now);
            case MonitorWindow.Count count -> PredictionQuery.last(spec.model(), count.size(), now);
        };
        Optional<Integer> version = spec.version().or(() -> log.versionCounts(query).entrySet().stream()
                .max(Map.Entry.<Integer, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey())).map(Map.Entry::getKey));
        Optional<Instant> windowFrom = query.from();
        if (version.isEmpty()) {
            return result(monitor, now, windowFrom, now, version, 0, Monitoring.NO_DATA, OptionalDouble.empty(),
                    Map.of("reason", "no predictions of model '" + spec.model() + "' in the window"));
        }
        PredictionQuery scoped = query.withVersion(version.get());
        return switch (spec.measured().kind()) {
            case DRIFT -> drift(monitor, now, scoped, version.get());
            case PERFORMANCE -> performance(monitor, now, scoped, version.get());
            case DATA_QUALITY -> dataQuality(monitor, now, scoped, version.get());
        };
    }

    private List<String> targets(MonitorSpec spec, int version) {
        if (!spec.features().isEmpty()) {
            return spec.features();
        }
        return registry.requireVersion(spec.model(), version).features().stream().map(FeatureSpec::name).toList();
    }

    private MonitorResult drift(Monitor monitor, Instant now, PredictionQuery query, int version) {
        MonitorSpec spec = monitor.spec();
        Optional<ReferenceProfile> reference = references.find(spec.model(), version);
        if (reference.isEmpty()) {
            return result(monitor, now, query.from(), now, Optional.of(version), 0, Monitoring.NO_DATA, OptionalDouble.empty(),
                    Map.of("reason", "version " + spec.model() + ":" + version + " has no reference; upload one to "
                            + "/v1/models/" + spec.model() + "/versions/" + version + "/reference"));
        }
        List<String> targets = targets(spec, version);
        if (targets.isEmpty()) {
            targets = List.copyOf(reference.get().columns().keySet());
        }
        WindowSummaries window = new WindowSummaries(reference.get(), targets, exactMaxValues);
        Instant[] oldest = {null};
        long size = log.scan(query, record -> {
            window.add(record);
            oldest[0] = oldest[0] == null || record.time().isBefore(oldest[0]) ? record.time() : oldest[0];
        });
        Optional<Instant> from = query.from().or(() -> Optional.ofNullable(oldest[0]));
        Map<String, Object> detail = new LinkedHashMap<>();
        List<String> unknown = targets.stream().filter(target -> !window.summaries().containsKey(target)).toList();
        if (!unknown.isEmpty()) {
            detail.put("notInReference", unknown);
        }
        if (size < minSamples || window.summaries().isEmpty()) {
            detail.put("reason", window.summaries().isEmpty() ? "none of the watched columns " + targets + " is in the reference"
                    : size + " predictions in the window; at least " + minSamples + " are needed");
            return result(monitor, now, from, now, Optional.of(version), size, Monitoring.NO_DATA, OptionalDouble.empty(), detail);
        }
        boolean auto = spec.measured().drift().isEmpty();
        DriftOptions options = DriftOptions.defaults().withJensenShannonBase(jensenShannonBase);
        if (!auto) {
            options = options.withStatistic(spec.measured().drift().get());
            if (spec.limit().isPresent()) {
                options = options.withThreshold(spec.limit().get());
            }
        }
        Map<String, Object> columns = new LinkedHashMap<>();
        List<String> drifted = new ArrayList<>();
        OptionalDouble worstScore = OptionalDouble.empty();
        double worst = Double.NEGATIVE_INFINITY;
        int compared = 0;
        for (String target : window.summaries().keySet()) {
            Map<String, Object> column = new LinkedHashMap<>();
            if (window.summaries().get(target).count() == 0) {
                column.put("reason", "no non-missing values in the window");
                columns.put(target, column);
                continue;
            }
            ColumnDrift result = window.detect(detector, target, options);
            columns.put(target, columnView(result));
            compared++;
            double severity = result.result().pValue().isPresent() ? 1 - result.result().score() : result.result().value();
            if (result.drifted()) {
                drifted.add(target);
            }
            if (worstScore.isEmpty() || (result.drifted() ? severity + 2 : severity) > worst) {
                worst = result.drifted() ? severity + 2 : severity;
                worstScore = OptionalDouble.of(result.result().score());
            }
        }
        detail.put("columns", columns);
        detail.put("drifted", drifted);
        double share = compared == 0 ? 0.0 : (double) drifted.size() / compared;
        detail.put("driftedShare", share);
        if (compared == 0) {
            detail.put("reason", "no watched column has a non-missing value in the window");
            return result(monitor, now, from, now, Optional.of(version), size, Monitoring.NO_DATA, OptionalDouble.empty(), detail);
        }
        if (auto) {
            // each column keeps its own statistic and threshold; the headline is the share of drifted columns, held to the
            // monitor's limit as Evidently's dataset drift holds it to drift_share (breach when share >= limit)
            double limit = spec.limit().orElse(DatasetDriftOptions.DEFAULT_DRIFT_SHARE);
            detail.put("headline", "driftedShare");
            detail.put("limit", limit);
            return result(monitor, now, from, now, Optional.of(version), size, share >= limit ? Monitoring.BREACHED : Monitoring.OK,
                    OptionalDouble.of(share), detail);
        }
        String state = drifted.isEmpty() ? Monitoring.OK : Monitoring.BREACHED;
        detail.put("headline", spec.measured().drift().get().hasPValue() ? "lowest p-value" : "largest distance");
        return result(monitor, now, from, now, Optional.of(version), size, state, worstScore, detail);
    }

    /** One column's drift as monitor results and drift reports show it. */
    static Map<String, Object> columnView(ColumnDrift result) {
        Map<String, Object> column = new LinkedHashMap<>();
        column.put("statistic", result.result().statistic().id());
        column.put("value", result.result().value());
        result.result().pValue().ifPresent(p -> column.put("pValue", p));
        column.put("threshold", result.result().threshold());
        column.put("drifted", result.drifted());
        column.put("exact", result.result().exact());
        result.result().maxError().ifPresent(error -> column.put("maxError", Double.isFinite(error) ? error : "unbounded"));
        result.result().pValueMaxError().ifPresent(error -> column.put("pValueMaxError", error));
        column.put("referenceCount", result.referenceSize());
        column.put("currentCount", result.currentSize());
        return column;
    }

    private MonitorResult performance(Monitor monitor, Instant now, PredictionQuery query, int version) {
        MonitorSpec spec = monitor.spec();
        MonitorStatistic statistic = spec.measured();
        PerformanceAccumulator accumulator = new PerformanceAccumulator(spec.positive());
        List<PredictionRecord> chunk = new ArrayList<>(LABEL_CHUNK);
        Instant[] oldest = {null};
        long[] unlabelled = {0};
        long size = log.scan(query, record -> {
            oldest[0] = oldest[0] == null || record.time().isBefore(oldest[0]) ? record.time() : oldest[0];
            chunk.add(record);
            if (chunk.size() == LABEL_CHUNK) {
                unlabelled[0] += join(chunk, monitor.project(), spec, accumulator);
                chunk.clear();
            }
        });
        unlabelled[0] += join(chunk, monitor.project(), spec, accumulator);
        Optional<Instant> from = query.from().or(() -> Optional.ofNullable(oldest[0]));
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("predictions", size);
        detail.put("labelled", accumulator.count());
        detail.put("unlabelled", unlabelled[0]);
        OptionalDouble value = accumulator.value(statistic);
        if (accumulator.count() < minSamples || value.isEmpty()) {
            detail.put("reason", accumulator.count() + " labelled predictions in the window; at least " + minSamples + " are needed");
            return result(monitor, now, from, now, Optional.of(version), accumulator.count(), Monitoring.NO_DATA, value, detail);
        }
        double limit = spec.limit().orElseThrow();
        boolean breached = statistic.higherIsBetter() ? value.getAsDouble() < limit : value.getAsDouble() > limit;
        detail.put("limit", limit);
        return result(monitor, now, from, now, Optional.of(version), accumulator.count(), breached ? Monitoring.BREACHED : Monitoring.OK,
                value, detail);
    }

    /** Adds the labelled predictions of the chunk; returns how many had no label (or an unusable one). */
    private long join(List<PredictionRecord> chunk, String project, MonitorSpec spec, PerformanceAccumulator accumulator) {
        if (chunk.isEmpty()) {
            return 0;
        }
        Map<String, GroundTruth> truths = labels.lookup(project, chunk.stream().map(PredictionRecord::requestId).collect(Collectors.toSet()));
        long missing = 0;
        boolean classification = spec.measured().classification();
        for (PredictionRecord record : chunk) {
            GroundTruth truth = truths.get(record.requestId());
            if (truth == null) {
                missing++;
                continue;
            }
            if (classification) {
                Object predicted = record.outputs().get(spec.predictionOutput().orElse("label"));
                if (truth.label().isEmpty() || predicted == null) {
                    missing++;
                    continue;
                }
                accumulator.addClass(truth.label().get(), predicted.toString(), score(record, spec));
            } else {
                double predicted = WindowSummaries.number(record.outputs().get(spec.predictionOutput().orElse("value")));
                OptionalDouble actual = truth.value().isPresent() ? truth.value()
                        : truth.label().map(label -> WindowSummaries.number(label)).filter(Double::isFinite)
                                .map(OptionalDouble::of).orElse(OptionalDouble.empty());
                if (actual.isEmpty() || !Double.isFinite(predicted)) {
                    missing++;
                    continue;
                }
                accumulator.addValue(actual.getAsDouble(), predicted);
            }
        }
        return missing;
    }

    private static OptionalDouble score(PredictionRecord record, MonitorSpec spec) {
        Object score = record.outputs().get(spec.scoreOutput().orElse("probability"));
        if (score instanceof Map<?, ?> byClass && spec.positive().isPresent()) {
            score = byClass.get(spec.positive().get());
        }
        double value = WindowSummaries.number(score);
        return Double.isFinite(value) ? OptionalDouble.of(value) : OptionalDouble.empty();
    }

    private MonitorResult dataQuality(Monitor monitor, Instant now, PredictionQuery query, int version) {
        MonitorSpec spec = monitor.spec();
        MonitorStatistic statistic = spec.measured();
        List<FeatureSpec> schema = registry.requireVersion(spec.model(), version).features();
        Map<String, FeatureSpec> byName = new LinkedHashMap<>();
        schema.forEach(feature -> byName.put(feature.name(), feature));
        List<String> targets = targets(spec, version);
        Optional<ReferenceProfile> reference = references.find(spec.model(), version);
        Map<String, Set<String>> knownCategories = new LinkedHashMap<>();
        for (String target : targets) {
            FeatureSpec feature = byName.get(target);
            if (feature != null && !feature.allowed().isEmpty()) {
                knownCategories.put(target, Set.copyOf(feature.allowed()));
            } else if (reference.isPresent() && reference.get().columns().get(target)
                    instanceof dev.keel.core.monitor.stats.CategoricalSummary categorical) {
                knownCategories.put(target, categorical.counts().keySet());
            }
        }
        long[] cells = new long[1];
        long[] bad = new long[1];
        Map<String, long[]> perFeature = new LinkedHashMap<>();
        targets.forEach(target -> perFeature.put(target, new long[2]));
        Instant[] oldest = {null};
        long size = log.scan(query, record -> {
            oldest[0] = oldest[0] == null || record.time().isBefore(oldest[0]) ? record.time() : oldest[0];
            if (statistic == MonitorStatistic.SCHEMA_VIOLATION_RATE) {
                cells[0]++;
                if (violatesSchema(record, schema)) {
                    bad[0]++;
                }
                return;
            }
            for (String target : targets) {
                Object value = record.inputs().get(target);
                long[] counts = perFeature.get(target);
                boolean counted = true;
                boolean failed = switch (statistic) {
                    case MISSING_RATE -> value == null || (value instanceof Number number && Double.isNaN(number.doubleValue()));
                    case OUT_OF_RANGE_RATE -> {
                        FeatureSpec feature = byName.get(target);
                        double number = WindowSummaries.number(value);
                        counted = feature != null && value != null && Double.isFinite(number);
                        yield counted && (feature.min().map(min -> number < min).orElse(false)
                                || feature.max().map(max -> number > max).orElse(false));
                    }
                    case UNSEEN_CATEGORY_RATE -> {
                        Set<String> known = knownCategories.get(target);
                        counted = known != null && value != null;
                        yield counted && !known.contains(value.toString());
                    }
                    default -> throw new IllegalStateException(statistic + " is not a data quality statistic");
                };
                if (counted) {
                    counts[0]++;
                    cells[0]++;
                    if (failed) {
                        counts[1]++;
                        bad[0]++;
                    }
                }
            }
        });
        Optional<Instant> from = query.from().or(() -> Optional.ofNullable(oldest[0]));
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("checked", cells[0]);
        detail.put("failed", bad[0]);
        if (statistic != MonitorStatistic.SCHEMA_VIOLATION_RATE) {
            Map<String, Object> columns = new LinkedHashMap<>();
            perFeature.forEach((target, counts) -> columns.put(target, Map.of("checked", counts[0], "failed", counts[1],
                    "rate", counts[0] == 0 ? 0.0 : (double) counts[1] / counts[0])));
            detail.put("columns", columns);
        }
        if (size < minSamples || cells[0] == 0) {
            detail.put("reason", size + " predictions in the window; at least " + minSamples + " are needed, with a checkable value");
            return result(monitor, now, from, now, Optional.of(version), size, Monitoring.NO_DATA, OptionalDouble.empty(), detail);
        }
        double rate = (double) bad[0] / cells[0];
        double limit = spec.limit().orElseThrow();
        detail.put("limit", limit);
        return result(monitor, now, from, now, Optional.of(version), size, rate > limit ? Monitoring.BREACHED : Monitoring.OK,
                OptionalDouble.of(rate), detail);
    }

    private static boolean violatesSchema(PredictionRecord record, List<FeatureSpec> schema) {
        for (FeatureSpec feature : schema) {
            Object value = record.inputs().get(feature.name());
            if (value == null) {
                return true;
            }
            boolean typed = switch (feature.type()) {
                case "number" -> value instanceof Number;
                case "integer" -> value instanceof Number number && number.doubleValue() == Math.rint(number.doubleValue());
                case "boolean" -> value instanceof Boolean;
                default -> value instanceof String;
            };
            if (!typed) {
                return true;
            }
        }
        Set<String> declared = schema.stream().map(FeatureSpec::name).collect(Collectors.toSet());
        return !schema.isEmpty() && !declared.containsAll(record.inputs().keySet());
    }

    private static MonitorResult result(Monitor monitor, Instant now, Optional<Instant> from, Instant to, Optional<Integer> version, long size,
                                        String state, OptionalDouble value, Map<String, Object> detail) {
        Objects.requireNonNull(detail, "detail");
        return new MonitorResult(monitor.id(), now, from, to, version, size, state,
                value.isPresent() && Double.isFinite(value.getAsDouble()) ? Optional.of(value.getAsDouble()) : Optional.empty(), detail);
    }
}
