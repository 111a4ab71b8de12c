package dev.keel.core.monitor;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A declared monitor: what to measure on which model, over which window, and the limit that is a breach.
 *
 * @param version the model version to watch; empty: the version that served most predictions in each window
 * @param features the inputs to check (drift and data quality); {@code output:NAME} checks an output; empty: every feature of
 *     the version's schema
 * @param limit drift: the threshold of the statistic (a p-value for ks, chi2 and z, a distance otherwise; empty keeps the
 *     statistic's default); {@code auto}: the share of drifted columns at which the monitor breaches (default 0.5, as
 *     Evidently's dataset drift); performance and data quality: the value that must not be crossed
 * @param positive the positive class for precision, recall, f1, roc_auc and log_loss
 * @param predictionOutput the output holding the predicted class or value ({@code label}, or {@code value} for regression)
 * @param scoreOutput the output holding the positive-class probability (a number, or a map of class to probability)
 */
public record MonitorSpec(String name, String model, Optional<Integer> version, String statistic, List<String> features, String window,
                          Optional<Double> limit, Optional<String> positive, Optional<String> predictionOutput, Optional<String> scoreOutput,
                          Optional<Boolean> enabled) {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");
    public static final String OUTPUT_PREFIX = "output:";

    public MonitorSpec {
        version = Objects.requireNonNullElse(version, Optional.empty());
        features = List.copyOf(Objects.requireNonNullElse(features, List.of()));
        limit = Objects.requireNonNullElse(limit, Optional.empty());
        positive = Objects.requireNonNullElse(positive, Optional.empty());
        predictionOutput = Objects.requireNonNullElse(predictionOutput, Optional.empty());
        scoreOutput = Objects.requireNonNullElse(scoreOutput, Optional.empty());
        enabled = Objects.requireNonNullElse(enabled, Optional.empty());
        if (name == null || !NAME.matcher(name).matches()) {
            throw invalid("name", name, "lower-case letters, digits, '.', '_' or '-', starting with a letter or digit (at most 100)");
        }
        if (model == null || model.isBlank()) {
            throw invalid("model", model, "the name of a registered model");
        }
        MonitorStatistic measured = MonitorStatistic.fromId(statistic);
        statistic = measured.id();
        window = MonitorWindow.parse(window).text();
        if (measured.kind() != MonitorStatistic.Kind.DRIFT && limit.isEmpty()) {
            throw invalid("limit", "(missing)", "a number: the " + measured.id() + " value that must not be crossed");
        }
        if (limit.isPresent() && !Double.isFinite(limit.get())) {
            throw invalid("limit", limit.get(), "a finite number");
        }
        if (measured.classification() && measured != MonitorStatistic.ACCURACY && positive.isEmpty()) {
            throw invalid("positive", "(missing)", "the positive class label, e.g. 'bad', for " + measured.id());
        }
        if (measured.kind() == MonitorStatistic.Kind.PERFORMANCE && !features.isEmpty()) {
            throw invalid("features", features, "empty for a performance monitor (it compares outputs with labels)");
        }
        if (measured.kind() != MonitorStatistic.Kind.DRIFT && features.stream().anyMatch(feature -> feature.startsWith(OUTPUT_PREFIX))) {
            throw invalid("features", features, "input features only; outputs can be watched by drift monitors");
        }
        if (version.isPresent() && version.get() < 1) {
            throw invalid("version", version.get(), "a version number >= 1");
        }
    }

    private static KeelException invalid(String field, Object value, String expected) {
        return new KeelException(ErrorCode.INVALID_SPEC, "monitor field '" + field + "' is '" + value + "'; expected " + expected,
                List.of(new KeelException.FieldError(field, "expected " + expected)));
    }

    public MonitorStatistic measured() {
        return MonitorStatistic.fromId(statistic);
    }

    public MonitorWindow parsedWindow() {
        return MonitorWindow.parse(window);
    }

    public boolean isEnabled() {
        return enabled.orElse(true);
    }
}
