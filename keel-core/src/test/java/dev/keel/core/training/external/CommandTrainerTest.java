package dev.keel.core.training.external;

import static dev.keel.core.training.external.TestingScripts.GENEROUS;
import static dev.keel.core.training.external.TestingScripts.GOOD_METRICS;
import static dev.keel.core.training.external.TestingScripts.MINIMAL_ONNX;
import static dev.keel.core.training.external.TestingScripts.MINIMAL_ONNX_PRINTF;
import static dev.keel.core.training.external.TestingScripts.command;
import static dev.keel.core.training.external.TestingScripts.pid;
import static dev.keel.core.training.external.TestingScripts.smallData;
import static dev.keel.core.training.external.TestingScripts.stillRunning;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keel.core.training.external.TrainerFailure.Kind;
import dev.keel.spi.Trainer.TrainedModel;
import dev.keel.spi.Trainer.TrainingData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs real bash and Python scripts through {@link CommandTrainer}: the run contract, the failure kinds and the sandbox. */
class CommandTrainerTest {
    @TempDir
    Path temp;
    private TestingScripts scripts;
    private Path workRoot;

    @BeforeEach
    void setUp() throws Exception {
        scripts = new TestingScripts(Files.createDirectory(temp.resolve("scripts")));
        workRoot = temp.resolve("work");
    }

    @Test
    void train_scriptWritingModelAndMetrics_returnsThemWithSortedLabelsAndLog() {
        Path script = scripts.bash("ok.sh", "echo hello\necho careful >&2\n" + MINIMAL_ONNX_PRINTF + "\n" + GOOD_METRICS);
        CommandTrainer trainer = new CommandTrainer(new TrainingCommand("tiny", List.of(script.toString()), GENEROUS, 0, 4096), workRoot);
        List<String> log = new CopyOnWriteArrayList<>();

        TrainedModel model = trainer.train(smallData(), Map.of("n_estimators", "5"), log::add);

        assertThat(trainer.algorithm()).isEqualTo("command:tiny");
        assertThat(model.format()).isEqualTo("onnx");
        assertThat(model.artifact()).isEqualTo(MINIMAL_ONNX);
        assertThat(model.labels()).containsExactly("no", "yes");
        assertThat(model.metrics()).isEqualTo(Map.of("accuracy", 0.75, "auc", 0.8));
        assertThat(model.parameters()).isEqualTo(Map.of("n_estimators", "5"));
        assertThat(log).containsExactlyInAnyOrder("out: hello", "err: careful");
    }

    @Test
    void train_withoutLogConsumer_discardsTheLog() {
        Path script = scripts.bash("ok.sh", "echo hello\n" + MINIMAL_ONNX_PRINTF + "\n" + GOOD_METRICS);

        TrainedModel model = new CommandTrainer(command(script, GENEROUS), workRoot).train(smallData(), Map.of());

        assertThat(model.artifact()).isEqualTo(MINIMAL_ONNX);
    }

    @Test
    void train_exitCode3_isCrashedNamingTheCodeWithTheLogTail() {
        Path script = scripts.bash("crash.sh", "echo 'reading the data'\necho 'ValueError: no such column' >&2\nexit 3");

        TrainerFailure failure = catchThrowableOfType(TrainerFailure.class,
                () -> new CommandTrainer(command(script, GENEROUS), workRoot).train(smallData(), Map.of()));

        assertThat(failure.kind()).isEqualTo(Kind.CRASHED);
        assertThat(failure.getMessage()).contains("'test-script'").contains("exit code 3").contains("ValueError: no such column");
        assertThat(failure.logTail()).contains("out: reading the data").contains("err: ValueError: no such column");
    }

    @Test
    void train_pastTimeout_isTimedOutAndKillsTheScriptItsChildAndItsOrphanedGrandchild() {
        Path pids = scripts.directory();
        Path script = scripts.bash("sleepy.sh", "echo $$ > " + pids.resolve("parent.pid") + "\n"
                + "sleep 600 &\necho $! > " + pids.resolve("child.pid") + "\n"
                + "( sleep 600 & echo $! > " + pids.resolve("grandchild.pid") + " )\n"
                + "sleep 600");

        TrainerFailure failure = catchThrowableOfType(TrainerFailure.class,
                () -> new CommandTrainer(command(script, Duration.ofSeconds(2)), workRoot).train(smallData(), Map.of()));

        assertThat(failure.kind()).isEqualTo(Kind.TIMED_OUT);
        assertThat(failure.getMessage()).contains("within its timeout of 2s").contains("killed");
        assertThat(stillRunning(pid(pids.resolve("parent.pid")))).as("the script").isFalse();
        assertThat(stillRunning(pid(pids.resolve("child.pid")))).as("its background child").isFalse();
        assertThat(stillRunning(pid(pids.resolve("grandchild.pid")))).as("the grandchild whose parent exited").isFalse();
    }

    @Test
    void train_backgroundChildLeftAfterSuccess_isKilledAndDoesNotHoldTheRunUp() {
        Path pids = scripts.directory();
        Path script = scripts.bash("leaves-child.sh", "sleep 600 &\necho $! > " + pids.resolve("child.pid") + "\n"
                + MINIMAL_ONNX_PRINTF + "\n" + GOOD_METRICS);

        TrainedModel model = new CommandTrainer(command(script, GENEROUS), workRoot).train(smallData(), Map.of());

        assertThat(model.artifact()).isEqualTo(MINIMAL_ONNX);
        assertThat(stillRunning(pid(pids.resolve("child.pid")))).isFalse();
    }

    @Test
    void train_pythonAllocating2GiBUnder200MiBLimit_isOutOfMemory() {
        Path script = scripts.python("hog.py", "block = bytearray(2 * 1024 ** 3)\nprint(len(block))");
        TrainingCommand command = new TrainingCommand("hog", List.of(script.toString()), GENEROUS, 200L << 20, 1 << 20);
        CommandTrainer trainer = new CommandTrainer(command, workRoot);
        Assumptions.assumeTrue(trainer.memoryLimitEnforced(), "prlimit is not available here");

        TrainerFailure failure = catchThrowableOfType(TrainerFailure.class, () -> trainer.train(smallData(), Map.of()));

        assertThat(failure.kind()).isEqualTo(Kind.OUT_OF_MEMORY);
        assertThat(failure.getMessage()).contains("ran out of memory").contains(Long.toString(200L << 20));
        assertThat(failure.logTail()).contains("MemoryError");
    }

    @Test
    void train_memoryLimit_isTheAddressSpaceLimitOfTheCommandAndItsChildren() {
        Path script = scripts.bash("limits.sh", "grep 'Max address space' /proc/self/limits\n" + MINIMAL_ONNX_PRINTF + "\n" + GOOD_METRICS);
        CommandTrainer limited = new CommandTrainer(new TrainingCommand("limited", List.of(script.toString()), GENEROUS, 300L << 20, 4096), workRoot);
        CommandTrainer unlimited = new CommandTrainer(command(script, GENEROUS), workRoot);
        Assumptions.assumeTrue(limited.memoryLimitEnforced(), "prlimit is not available here");
        List<String> limitedLog = new CopyOnWriteArrayList<>();
        List<String> unlimitedLog = new CopyOnWriteArrayList<>();

        limited.train(smallData(), Map.of(), limitedLog::add);
        unlimited.train(smallData(), Map.of(), unlimitedLog::add);

        assertThat(unlimited.memoryLimitEnforced()).isFalse();
        assertThat(limitedLog).singleElement().asString().matches("out: Max address space\\s+" + (300L << 20) + "\\s+" + (300L << 20) + "\\s+bytes\\s*");
        assertThat(unlimitedLog).singleElement().asString().contains("unlimited");
    }

    @Test
    void train_command_leadsAProcessGroupOfItsOwn() {
        Path script = scripts.bash("group.sh", "echo \"pid $$ group $(ps -o pgid= -p $$ | tr -d ' ')\"\n" + MINIMAL_ONNX_PRINTF + "\n" + GOOD_METRICS);
        List<String> log = new CopyOnWriteArrayList<>();

        new CommandTrainer(command(script, GENEROUS), workRoot).train(smallData(), Map.of(), log::add);

        String[] words = log.getFirst().split(" ");
        assertThat(words[2]).as(log.getFirst()).isEqualTo(words[4]);
    }

    @Test
    void train_threadInterrupted_killsTheTreeAndIsCancelledKeepingTheInterrupt() throws Exception {
        Path pids = scripts.directory();
        Path started = pids.resolve("parent.pid");
        Path script = scripts.bash("wait.sh", "sleep 600 &\necho $! > " + pids.resolve("child.pid") + "\n"
                + "echo $$ > " + started + ".tmp && mv " + started + ".tmp " + started + "\nsleep 600");
        CommandTrainer trainer = new CommandTrainer(command(script, GENEROUS), workRoot);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicBoolean interruptKept = new AtomicBoolean();
        Thread worker = Thread.ofPlatform().start(() -> {
            try {
                trainer.train(smallData(), Map.of());
            } catch (RuntimeException e) {
                thrown.set(e);
                interruptKept.set(Thread.currentThread().isInterrupted());
            }
        });
        while (!Files.exists(started)) {
            Thread.sleep(20);
        }

        worker.interrupt();
        worker.join(Duration.ofMinutes(1));

        assertThat(worker.isAlive()).isFalse();
        assertThat(thrown.get()).isInstanceOfSatisfying(TrainerFailure.class, failure -> {
            assertThat(failure.kind()).isEqualTo(Kind.CANCELLED);
            assertThat(failure.getMessage()).contains("cancelled");
        });
        assertThat(interruptKept).isTrue();
        assertThat(stillRunning(pid(started))).isFalse();
        assertThat(stillRunning(pid(pids.resolve("child.pid")))).isFalse();
    }

    @Test
    void train_alreadyInterrupted_isCancelledWithoutStarting() {
        Path marker = scripts.directory().resolve("ran");
        Path script = scripts.bash("mark.sh", "touch " + marker);
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> new CommandTrainer(command(script, GENEROUS), workRoot).train(smallData(), Map.of()))
                    .isInstanceOfSatisfying(TrainerFailure.class, failure -> assertThat(failure.kind()).isEqualTo(Kind.CANCELLED));
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(marker).doesNotExist();
    }

    @Test
    void train_exitZeroWithoutModel_isNoModel() {
        Path script = scripts.bash("lazy.sh", GOOD_METRICS);

        assertFailure(script, Kind.NO_MODEL, "wrote no model.onnx");
    }

    @Test
    void train_environment_holdsOnlyTheRunVariablesAndTheSafePath() {
        Set<String> allowed = Set.of("PATH", "HOME", "LANG", "TMPDIR", "KEEL_INPUT", "KEEL_TRAIN_CSV", "KEEL_MODEL_OUT", "KEEL_METRICS_OUT",
                "KEEL_SEED", "KEEL_RUN_DIR");
        Set<String> serverOnly = new TreeSet<>(System.getenv().keySet());
        serverOnly.removeAll(allowed);
        assertThat(serverOnly).as("the test process has variables of its own to leak").isNotEmpty();
        List<String> log = new CopyOnWriteArrayList<>();

        TrainerFailure failure = catchThrowableOfType(TrainerFailure.class,
                () -> new CommandTrainer(new TrainingCommand("env", List.of("/usr/bin/env"), GENEROUS, 0, 1 << 20), workRoot)
                        .train(smallData(), Map.of(), log::add));

        assertThat(failure.kind()).isEqualTo(Kind.NO_MODEL);
        Map<String, String> seen = log.stream().filter(line -> line.startsWith("out: ")).map(line -> line.substring(5))
                .collect(Collectors.toMap(line -> line.substring(0, line.indexOf('=')), line -> line.substring(line.indexOf('=') + 1)));
        assertThat(seen.keySet()).isEqualTo(allowed);
        assertThat(seen).containsEntry("PATH", CommandTrainer.SAFE_PATH).containsEntry("LANG", "C.UTF-8").containsEntry("KEEL_SEED", "42");
        assertThat(seen.get("HOME")).isEqualTo(seen.get("KEEL_RUN_DIR")).isEqualTo(seen.get("TMPDIR"));
        assertThat(seen.get("KEEL_MODEL_OUT")).isEqualTo(seen.get("KEEL_RUN_DIR") + "/model.onnx");
        assertThat(seen.keySet()).doesNotContainAnyElementsOf(serverOnly);
    }

    @Test
    void train_stdin_isClosed() {
        Path script = scripts.bash("stdin.sh", "if read -r line; then echo \"read: $line\"; exit 4; fi\n" + MINIMAL_ONNX_PRINTF + "\n" + GOOD_METRICS);

        assertThat(new CommandTrainer(command(script, GENEROUS), workRoot).train(smallData(), Map.of()).artifact()).isEqualTo(MINIMAL_ONNX);
    }

    @Test
    void train_scriptPrinting10MB_passesOnAtMostTheLimitThenOneTruncationLine() {
        Path script = scripts.bash("chatty.sh", "head -c 10000000 /dev/zero | tr '\\0' 'a' | fold -w 99\n"
                + "head -c 2000000 /dev/zero | tr '\\0' 'b' >&2\n" + MINIMAL_ONNX_PRINTF + "\n" + GOOD_METRICS);
        long limit = 64 << 10;
        List<String> log = new CopyOnWriteArrayList<>();

        TrainedModel model = new CommandTrainer(new TrainingCommand("chatty", List.of(script.toString()), GENEROUS, 0, limit), workRoot)
                .train(smallData(), Map.of(), log::add);

        assertThat(model.artifact()).isEqualTo(MINIMAL_ONNX);
        assertThat(log.getLast()).isEqualTo("... log truncated");
        assertThat(log.stream().filter(line -> line.equals("... log truncated"))).hasSize(1);
        long passedOn = log.subList(0, log.size() - 1).stream().mapToLong(line -> line.getBytes(StandardCharsets.UTF_8).length + 1L).sum();
        assertThat(passedOn).isLessThanOrEqualTo(limit).isGreaterThan(limit - 200);
    }

    @Test
    void train_lineWithoutEnd_isCutAndControlCharactersReplaced() {
        Path script = scripts.bash("one-line.sh", "printf 'bell\\a\\033[31m red\\n'\nhead -c 100000 /dev/zero | tr '\\0' 'c'\nexit 1");
        List<String> log = new CopyOnWriteArrayList<>();

        TrainerFailure failure = catchThrowableOfType(TrainerFailure.class,
                () -> new CommandTrainer(command(script, GENEROUS), workRoot).train(smallData(), Map.of(), log::add));

        assertThat(failure.kind()).isEqualTo(Kind.CRASHED);
        assertThat(log).hasSize(2);
        assertThat(log.getFirst()).isEqualTo("out: bell\uFFFD\uFFFD[31m red");
        assertThat(log.getLast()).startsWith("out: ccc").endsWith(" [line cut]").hasSize(5 + RunLog.MAX_LINE_CHARS + " [line cut]".length());
        assertThat(failure.logTail().length()).isLessThanOrEqualTo(RunLog.TAIL_CHARS);
        assertThat(failure.logTail()).endsWith("[line cut]");
    }

    @Test
    void train_missingProgram_couldNotStart() {
        Path missing = temp.resolve("no-such-dir/train.sh");

        assertFailure(missing, Kind.COULD_NOT_START, "does not exist or is not an executable file");
        assertThatThrownBy(() -> new CommandTrainer(new TrainingCommand("bare", List.of("keel-no-such-program"), GENEROUS, 0, 1024), workRoot)
                .train(smallData(), Map.of()))
                .isInstanceOfSatisfying(TrainerFailure.class, failure -> {
                    assertThat(failure.kind()).isEqualTo(Kind.COULD_NOT_START);
                    assertThat(failure.getMessage()).contains("not found").contains(CommandTrainer.SAFE_PATH);
                });
    }

    @Test
    void train_scriptWithMissingInterpreter_couldNotStart() throws Exception {
        Path script = scripts.directory().resolve("bad-interpreter.sh");
        Files.writeString(script, "#!/nonexistent/interpreter\n");
        script.toFile().setExecutable(true);

        TrainerFailure failure = catchThrowableOfType(TrainerFailure.class,
                () -> new CommandTrainer(command(script, GENEROUS), workRoot).train(smallData(), Map.of()));

        assertThat(failure.kind()).isEqualTo(Kind.COULD_NOT_START);
        assertThat(failure.getMessage()).contains("could not be started");
    }

    @Test
    void train_barePrograms_areFoundInTheSafePath() {
        TrainerFailure failure = catchThrowableOfType(TrainerFailure.class,
                () -> new CommandTrainer(new TrainingCommand("true", List.of("true"), GENEROUS, 0, 1024), workRoot).train(smallData(), Map.of()));

        assertThat(failure.kind()).isEqualTo(Kind.NO_MODEL);
    }

    @Test
    void train_runDirectory_isPrivateFreshAndRemovedWithEverythingInIt() throws Exception {
        Path report = scripts.directory().resolve("report.txt");
        Path outside = Files.writeString(temp.resolve("outside.txt"), "keep me");
        Path script = scripts.bash("dir.sh", "{ stat -c %a \"$KEEL_RUN_DIR\"; pwd; echo \"$KEEL_RUN_DIR\"; ls -A | sort | tr '\\n' ' '; echo; } > " + report
                + "\nmkdir -p locked/inner && touch locked/inner/file && chmod 000 locked/inner locked"
                + "\nln -s " + outside + " link-out\nln -s " + temp + " dir-link-out\n"
                + MINIMAL_ONNX_PRINTF + "\n" + GOOD_METRICS);

        new CommandTrainer(command(script, GENEROUS), workRoot).train(smallData(), Map.of());

        List<String> lines = Files.readAllLines(report);
        assertThat(lines.get(0)).isEqualTo("700");
        assertThat(lines.get(1)).isEqualTo(lines.get(2));
        assertThat(Path.of(lines.get(2)).getParent()).isEqualTo(workRoot.toAbsolutePath());
        assertThat(lines.get(3).strip()).isEqualTo("input.json train.csv");
        assertThat(Path.of(lines.get(2))).doesNotExist();
        try (var left = Files.list(workRoot)) {
            assertThat(left).isEmpty();
        }
        assertThat(outside).hasContent("keep me");
        assertThat(temp.resolve("scripts")).isDirectory();
    }

    @Test
    void train_runDirectoryReplacedByALink_isNoModelAndTheLinkTargetIsLeftAlone() throws Exception {
        Path victim = Files.createDirectory(temp.resolve("victim"));
        Files.writeString(victim.resolve("model.onnx"), "not yours");
        Files.writeString(victim.resolve("metrics.json"), "{}");
        Path script = scripts.bash("swap.sh", "cd /\nmv \"$KEEL_RUN_DIR\" \"$KEEL_RUN_DIR.moved\"\nln -s " + victim + " \"$KEEL_RUN_DIR\"");

        assertFailure(script, Kind.NO_MODEL, "removed or replaced its run directory");

        assertThat(victim.resolve("model.onnx")).hasContent("not yours");
        assertThat(victim.resolve("metrics.json")).exists();
    }

    @Test
    void train_twoRuns_getDifferentDirectories() throws Exception {
        Path report = scripts.directory().resolve("dirs.txt");
        Path script = scripts.bash("dir.sh", "echo \"$KEEL_RUN_DIR\" >> " + report + "\n" + MINIMAL_ONNX_PRINTF + "\n" + GOOD_METRICS);
        CommandTrainer trainer = new CommandTrainer(command(script, GENEROUS), workRoot);

        trainer.train(smallData(), Map.of());
        trainer.train(smallData(), Map.of());

        assertThat(Files.readAllLines(report)).doesNotHaveDuplicates().hasSize(2);
    }

    @Test
    void train_failedRun_alsoRemovesItsDirectory() throws Exception {
        Path script = scripts.bash("crash.sh", "touch left-behind\nexit 2");

        assertFailure(script, Kind.CRASHED, "exit code 2");

        try (var left = Files.list(workRoot)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void train_featureNamedLikeTheTarget_isRefusedBeforeRunning() {
        Path script = scripts.bash("ok.sh", MINIMAL_ONNX_PRINTF + "\n" + GOOD_METRICS);
        var data = new TrainingData(List.of("label"), List.of(new double[] {1}), List.of("a"), 0, 1);

        assertThatThrownBy(() -> new CommandTrainer(command(script, GENEROUS), workRoot).train(data, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'label' is reserved");
    }

    private void assertFailure(Path script, Kind kind, String messagePart) {
        assertThatThrownBy(() -> new CommandTrainer(command(script, GENEROUS), workRoot).train(smallData(), Map.of()))
                .isInstanceOfSatisfying(TrainerFailure.class, failure -> {
                    assertThat(failure.kind()).isEqualTo(kind);
                    assertThat(failure.getMessage()).contains(messagePart);
                });
    }
}
