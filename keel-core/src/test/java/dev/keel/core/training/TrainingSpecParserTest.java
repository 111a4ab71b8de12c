package dev.keel.core.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.data.SpecError;
import dev.keel.core.training.eval.Task;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Training specs as a hostile caller writes them: every error named by its path, defaults as documented. */
class TrainingSpecParserTest {
    private static final String MINIMAL = """
            model: risk
            dataset: applications
            target: class
            classes: [good, bad]
            features: [age, duration]
            trainer: random-forest
            """;

    private final TrainingSpecParser parser = new TrainingSpecParser();

    private List<String> errorPaths(String text) {
        return parser.parse(text).errors().stream().map(SpecError::path).toList();
    }

    @Test
    void aMinimalSpec_takesTheDocumentedDefaults() {
        TrainingSpec spec = parser.parseOrThrow(MINIMAL);

        assertThat(spec.project()).isEqualTo("default");
        assertThat(spec.datasetVersion()).isZero();
        assertThat(spec.task()).isEqualTo(Task.BINARY);
        assertThat(spec.positiveClass()).isEqualTo("bad");
        assertThat(spec.columns()).containsExactly("age", "duration", "class");
        assertThat(spec.maxRows()).isEqualTo(1_000_000);
        assertThat(spec.timeout()).isEqualTo(Duration.ofMinutes(30));
        assertThat(spec.holdout()).isEqualTo(new TrainingSpec.Holdout(0.2, 42, java.util.Optional.empty(), 0));
        assertThat(spec.gate().rules()).isEmpty();
        assertThat(spec.gate().minHoldoutRows()).isEqualTo(30);
        assertThat(spec.promotion().mode()).isEqualTo(TrainingSpec.Mode.AUTO);
        assertThat(spec.promotion().alias()).isEqualTo("champion");
        assertThat(spec.promotion().rollout()).isEmpty();
        assertThat(spec.triggers().schedule()).isEmpty();
    }

    @Test
    void everyPartOfAFullSpec_isRead() {
        TrainingSpec spec = parser.parseOrThrow(MINIMAL + """
                version: 3
                positive: good
                parameters: {trees: 60, max-depth: 8, seed: 1}
                max_rows: 5000
                timeout: 2h
                holdout: {dataset: holdout, version: latest}
                gate:
                  rules: ["auc >= 0.6", "logloss <= champion.logloss * 1.02"]
                  min_holdout_rows: 500
                  slices: [{column: region, metric: auc, tolerance: 0.02, min_rows: 50}]
                  max_latency_p99: 5ms
                  max_model_size: 20mib
                  bootstrap: {metric: auc, resamples: 2000, confidence: 0.95, seed: 3, min_difference: 0.001}
                promotion:
                  mode: approval
                  alias: prod
                  rollout: {endpoint: scoring, percent: 20, requests: 500, duration: 10m, max_error_rate: 0.02, max_latency_p99: 80ms,
                            max_accuracy_drop: 0.03, min_labels: 100}
                triggers: {schedule: "0 3 * * *", labels: 1000}
                """);

        assertThat(spec.datasetVersion()).isEqualTo(3);
        assertThat(spec.positiveClass()).isEqualTo("good");
        assertThat(spec.parameters()).containsEntry("trees", "60").containsEntry("max-depth", "8");
        assertThat(spec.columns()).containsExactly("age", "duration", "class", "region");
        assertThat(spec.holdout().dataset()).contains("holdout");
        assertThat(spec.gate().maxModelBytes().getAsLong()).isEqualTo(20L << 20);
        assertThat(spec.gate().maxLatencyP99()).contains(Duration.ofMillis(5));
        assertThat(spec.gate().bootstrap().orElseThrow().resamples()).isEqualTo(2000);
        assertThat(spec.promotion().rollout().orElseThrow()).isEqualTo(new TrainingSpec.Rollout("scoring", 20, 500, Duration.ofMinutes(10), 0.02,
                java.util.Optional.of(Duration.ofMillis(80)), 0.03, 100));
        assertThat(spec.triggers().labels()).isEqualTo(1000);
        assertThat(Training.needsChampion(spec.gate())).isTrue();
        assertThat(Training.gate(spec.gate()).rules()).hasSize(2);
    }

    @Test
    void hostileSpecs_areRefusedWithThePathOfEveryError() {
        assertThat(errorPaths(MINIMAL + "surprise: 1\n")).containsExactly("surprise");
        assertThat(errorPaths(MINIMAL.replace("classes: [good, bad]", "classes: [good, good]"))).containsExactly("classes[1]");
        assertThat(errorPaths(MINIMAL.replace("classes: [good, bad]", "task: multiclass\nclasses: [a, b]"))).containsExactly("classes");
        assertThat(errorPaths(MINIMAL.replace("classes: [good, bad]", "task: regression\nclasses: [a, b]"))).containsExactly("classes");
        assertThat(errorPaths(MINIMAL.replace("classes: [good, bad]\n", ""))).containsExactly("classes");
        assertThat(errorPaths(MINIMAL.replace("[age, duration]", "[age, \"x; DROP TABLE\", class]"))).containsExactly("features[1]",
                "features[2]");
        assertThat(errorPaths(MINIMAL.replace("random-forest", "'/bin/sh -c id'"))).containsExactly("trainer");
        assertThat(errorPaths(MINIMAL + "version: -1\n")).containsExactly("version");
        assertThat(errorPaths(MINIMAL + "parameters: {Trees: 1, seed: {x: 1}}\n")).containsExactly("parameters.Trees", "parameters.seed");
        assertThat(errorPaths(MINIMAL + "max_rows: 99999999999\n")).containsExactly("max_rows");
        assertThat(errorPaths(MINIMAL + "timeout: 48h\n")).containsExactly("timeout");
        assertThat(errorPaths(MINIMAL + "holdout: {fraction: 0.95, dataset: other}\n")).containsExactly("holdout.fraction", "holdout.fraction");
        assertThat(errorPaths(MINIMAL + "gate: {rules: [\"rmse < 1\", \"auc >=\"], slices: [{column: r, metric: mae}],"
                + " bootstrap: {metric: auc, resamples: 1000000}, max_model_size: huge}\n"))
                .containsExactly("gate.rules[0]", "gate.rules[1]", "gate.slices[0].metric", "gate.max_model_size", "gate.bootstrap.resamples");
        assertThat(errorPaths(MINIMAL + "promotion: {mode: yolo, alias: latest, rollout: {endpoint: e, percent: 0, max_error_rate: 2}}\n"))
                .containsExactly("promotion.mode", "promotion.alias", "promotion.rollout.percent", "promotion.rollout.max_error_rate");
        assertThat(errorPaths(MINIMAL + "triggers: {schedule: \"61 * * * *\", labels: -5}\n")).containsExactly("triggers.schedule",
                "triggers.labels");
        assertThat(errorPaths("[1, 2, 3]")).containsExactly("");
        assertThat(errorPaths("model: [")).containsExactly("");
        assertThat(errorPaths(MINIMAL.replace("[age, duration]", "[" + "a, ".repeat(2_000) + "a]"))).containsExactly("features");
        assertThat(errorPaths(MINIMAL + "description: " + "x".repeat(70_000) + "\n")).containsExactly("");
        assertThat(errorPaths("a: " + "[".repeat(5_000))).containsExactly("");
    }

    @Test
    void sizes_acceptBinaryUnits_andRefuseOverflow() {
        assertThat(TrainingSpecParser.bytes("512")).isEqualTo(512);
        assertThat(TrainingSpecParser.bytes("64KiB")).isEqualTo(64 << 10);
        assertThat(TrainingSpecParser.bytes("2 gb")).isEqualTo(2L << 30);
        assertThat(TrainingSpecParser.bytes("999999999999gib")).isEqualTo(-1);
        assertThat(TrainingSpecParser.bytes("ten")).isEqualTo(-1);
    }
}
