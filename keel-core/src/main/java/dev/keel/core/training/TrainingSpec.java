package dev.keel.core.training;

import dev.keel.core.training.eval.Task;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * How a model is retrained, judged and promoted: one per model, read from YAML by {@link TrainingSpecParser}.
 *
 * @param datasetVersion the version of {@code dataset} to train on; 0 for the latest at the time of the run
 * @param classes the class labels in the order of the models' probability output (classification); empty for regression
 * @param positive the positive class of a binary model
 * @param trainer a built-in algorithm ({@code logistic-regression}, {@code random-forest}, {@code linear-regression}) or
 *                {@code command:NAME}, a command the server's administrator declared under {@code training.commands}
 * @param maxRows the most rows read from the dataset
 * @param timeout how long the trainer may take before it is stopped
 */
public record TrainingSpec(String model, String project, String description, String dataset, int datasetVersion, String target, Task task,
                           List<String> classes, Optional<String> positive, List<String> features, String trainer,
                           Map<String, String> parameters, int maxRows, Duration timeout, Holdout holdout, Gate gate, Promotion promotion,
                           Triggers triggers) {
    public TrainingSpec {
        Objects.requireNonNull(model, "model");
        classes = List.copyOf(classes);
        features = List.copyOf(features);
        parameters = Map.copyOf(parameters);
    }

    /** The columns read from the dataset: features, the target and slice columns, each once. */
    public List<String> columns() {
        java.util.LinkedHashSet<String> columns = new java.util.LinkedHashSet<>(features);
        columns.add(target);
        gate.slices().forEach(slice -> columns.add(slice.column()));
        return List.copyOf(columns);
    }

    /** The class the binary metrics treat as positive: the one named, else the last of {@code classes}. */
    public String positiveClass() {
        return positive.orElse(classes.isEmpty() ? null : classes.getLast());
    }

    /**
     * The rows Keel keeps out of training to evaluate the challenger and the champion on.
     *
     * @param fraction the share of the dataset held out, split stratified by class with {@code seed}
     * @param dataset a dataset to evaluate on instead of a split; then the whole training dataset is trained on
     */
    public record Holdout(double fraction, long seed, Optional<String> dataset, int datasetVersion) {
    }

    /**
     * The comparison gate a challenger must pass.
     *
     * @param rules {@code metric op number} or {@code metric op champion.metric [+-*] number}
     * @param maxModelBytes the largest artifact accepted
     */
    public record Gate(List<String> rules, int minHoldoutRows, List<Slice> slices, Optional<Duration> maxLatencyP99, OptionalLong maxModelBytes,
                       Optional<Bootstrap> bootstrap) {
        public Gate {
            rules = List.copyOf(rules);
            slices = List.copyOf(slices);
        }
    }

    /** No regression beyond {@code tolerance} of {@code metric} on any value of {@code column} with at least {@code minRows} rows. */
    public record Slice(String column, String metric, double tolerance, int minRows) {
    }

    /** A paired percentile bootstrap of the difference challenger − champion in {@code metric}; its lower bound must reach {@code minDifference}. */
    public record Bootstrap(String metric, int resamples, double confidence, long seed, double minDifference) {
    }

    /** How a challenger that passed the gate becomes the champion. */
    public enum Mode {
        /** At once (after the rollout, when one is declared). */
        AUTO,
        /** After a person with the operator role approves it. */
        APPROVAL
    }

    /** What happens to a challenger that passed the gate. */
    public record Promotion(Mode mode, String alias, Optional<Rollout> rollout) {
    }

    /**
     * A progressive rollout on an endpoint: the new version takes {@code percent} of the traffic until it has answered
     * {@code requests} calls or {@code duration} has passed, then takes the alias, unless its error rate or latency broke a limit,
     * or, once at least {@code minLabels} of its answers and of the stable version's have labels, its accuracy is more than
     * {@code maxAccuracyDrop} below the stable version's on the same period.
     */
    public record Rollout(String endpoint, double percent, long requests, Duration duration, double maxErrorRate, Optional<Duration> maxLatencyP99,
                          double maxAccuracyDrop, int minLabels) {
        /** A rollout with the default accuracy check (a drop of at most 0.05 once 30 answers of each side have labels). */
        public Rollout(String endpoint, double percent, long requests, Duration duration, double maxErrorRate, Optional<Duration> maxLatencyP99) {
            this(endpoint, percent, requests, duration, maxErrorRate, maxLatencyP99, 0.05, 30);
        }
    }

    /**
     * What starts a retraining besides a policy's {@code retrain} action and a person.
     *
     * @param schedule a cron expression (UTC)
     * @param labels start a run once this many new ground-truth labels arrived since the last run; 0 for never
     */
    public record Triggers(Optional<String> schedule, long labels) {
    }
}
