package dev.keel.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.config.KeelConfig;
import dev.keel.core.data.Trigger;
import dev.keel.core.incident.Incident;
import dev.keel.core.monitor.GroundTruth;
import dev.keel.core.registry.PromotionGate;
import dev.keel.core.testing.TestingClock;
import dev.keel.core.training.TrainingRun;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retraining across a real restart of Keel over one SQLite file, and the triggers that start runs on their own: a schedule
 * (on Keel's clock) and a count of new labels.
 */
class TrainingRestartTest {
    private static final Instant START = Instant.parse("2026-12-01T02:58:00Z");
    private static final String FEATURES = "[duration, credit_amount, installment_commitment, residence_since, age, existing_credits, num_dependents]";

    @TempDir
    Path directory;

    private final TestingClock clock = new TestingClock(START);
    private Keel keel;

    private Keel open() {
        Path repository = Path.of("..").toAbsolutePath().normalize();
        KeelConfig config = KeelConfig.parse("""
                data-dir: '%s'
                store:
                  url: 'jdbc:sqlite:%s'
                logging:
                  requests: false
                pipelines:
                  scheduler: false
                  source-roots: ['%s']
                training:
                  trigger-interval: 200ms
                  commands:
                    sleeps:
                      command: ["/bin/sh", "-c", "echo started; sleep 600"]
                      timeout: 10m
                """.formatted(directory.resolve("data"), directory.resolve("keel.db"), repository), Map.of());
        return Keel.open(config, clock);
    }

    @AfterEach
    void close() {
        if (keel != null) {
            keel.close();
        }
    }

    private void prepare(String trainer, String triggers) {
        keel.projects().create("credit", "retraining", "test");
        keel.registry().createModel("credit", "risk", "", PromotionGate.open(), "test");
        Path csv = Path.of("..", "examples", "credit-g", "credit-g.csv").toAbsolutePath().normalize();
        keel.data().service().register("""
                pipeline: applications
                project: credit
                sources:
                  - {name: applications, type: csv, path: '%s', header: true}
                outputs:
                  - {dataset: applications, from: applications}
                """.formatted(csv));
        keel.data().service().run("applications", Trigger.API);
        keel.training().apply("""
                model: risk
                project: credit
                dataset: applications
                target: class
                classes: [good, bad]
                features: %s
                trainer: %s
                triggers: %s
                """.formatted(FEATURES, trainer, triggers), "test");
    }

    @Test
    void aRunCutOffByARestart_isMarkedFailed_andRaisesAnIncident_andTheTrainerProcessIsGone() throws Exception {
        keel = open();
        prepare("command:sleeps", "{}");
        TrainingRun run = keel.training().start("risk", "manual", "", "test").run();
        awaitLog(run.id(), "out: started");

        keel.close();
        keel = null;
        assertThat(descendantsRunning("sleep 600")).as("the trainer's processes end with the server").isFalse();

        keel = open();
        TrainingRun after = keel.training().run(run.id());
        assertThat(after.status()).isEqualTo(TrainingRun.Status.FAILED);
        assertThat(after.code()).contains("INTERRUPTED");
        assertThat(after.message().orElseThrow()).contains("the server stopped during the run").contains("no version was registered");
        assertThat(keel.registry().listVersions("risk")).isEmpty();
        assertThat(keel.training().log(run.id())).contains("out: started").contains("the server stopped during the run");
        keel.events().awaitDelivered(Duration.ofSeconds(5));
        keel.incidents().sink().flush();
        List<Incident> incidents = keel.incidents().list("credit", Set.of(), 10);
        assertThat(incidents).extracting(Incident::kind).containsExactly("training.failed");
        assertThat(incidents.getFirst().objects().get("model")).containsExactly("risk");

        // a new run starts normally after the restart
        assertThat(keel.training().start("risk", "manual", "", "test").created()).isTrue();
    }

    @Test
    void aSchedule_startsARunWhenKeelsClockPassesIt() {
        keel = open();
        prepare("logistic-regression", "{schedule: \"0 3 * * *\"}");
        sleep(1_000);
        assertThat(keel.training().runs("", "risk", 10)).as("before 03:00 nothing runs").isEmpty();

        clock.advance(Duration.ofSeconds(150));
        TrainingRun run = awaitRun(Duration.ofSeconds(20));
        assertThat(run.triggerKind()).isEqualTo("schedule");
        assertThat(run.triggerRef()).isEqualTo("0 3 * * *");
        assertThat(keel.training().awaitEnd(run.id(), 60_000).status()).isEqualTo(TrainingRun.Status.SUCCEEDED);
        sleep(1_000);
        assertThat(keel.training().runs("", "risk", 10)).as("one run per scheduled time").hasSize(1);
    }

    @Test
    void enoughNewLabels_startARun() {
        keel = open();
        prepare("logistic-regression", "{labels: 5}");
        clock.advance(Duration.ofSeconds(60));
        keel.monitoring().labels().record(Map.of("credit", labels(4)), "test");
        sleep(1_000);
        assertThat(keel.training().runs("", "risk", 10)).as("4 labels are not 5").isEmpty();

        keel.monitoring().labels().record(Map.of("credit", labels(2)), "test");
        TrainingRun run = awaitRun(Duration.ofSeconds(20));
        assertThat(run.triggerKind()).isEqualTo("labels");
        assertThat(run.triggerRef()).isEqualTo("6 new labels");
    }

    private List<GroundTruth> labels(int count) {
        List<GroundTruth> labels = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            labels.add(new GroundTruth("request-" + System.nanoTime() + "-" + i, Optional.of("good"), java.util.OptionalDouble.empty(),
                    clock.instant()));
        }
        return labels;
    }

    private TrainingRun awaitRun(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            List<TrainingRun> runs = keel.training().runs("", "risk", 10);
            if (!runs.isEmpty()) {
                return runs.getFirst();
            }
            sleep(50);
        }
        throw new AssertionError("no training run started within " + timeout);
    }

    private void awaitLog(String id, String text) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (keel.training().log(id).contains(text)) {
                return;
            }
            sleep(50);
        }
        throw new AssertionError("the run's log never showed '" + text + "': " + keel.training().log(id));
    }

    private static boolean descendantsRunning(String command) {
        return ProcessHandle.current().descendants().anyMatch(process -> process.info().commandLine().orElse("").contains(command));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
