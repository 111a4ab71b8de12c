package dev.keel.core.training.external;

import dev.keel.core.training.external.TrainerFailure.Kind;
import dev.keel.spi.Trainer;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A trainer that runs an admin-declared {@link TrainingCommand} in a private run directory, with the server's environment
 * scrubbed, and returns the ONNX model and metrics the command wrote, after checking them as hostile input. The contract
 * the command follows is in docs/external-trainers.md.
 */
public final class CommandTrainer implements Trainer {
    /** The largest model file accepted. */
    public static final long MAX_MODEL_BYTES = 512L << 20;
    /** The {@code PATH} a run sees; nothing else of the server's environment reaches it. */
    public static final String SAFE_PATH = "/usr/local/bin:/usr/bin:/bin";
    private static final Logger LOG = LoggerFactory.getLogger(CommandTrainer.class);
    private static final Path SETSID = Path.of("/usr/bin/setsid");
    private static final Path PRLIMIT = Path.of("/usr/bin/prlimit");
    private static final Duration DRAIN_WAIT = Duration.ofSeconds(5);
    private static final String FORMAT = "onnx";
    private static final List<String> MEMORY_WORDS = List.of("memoryerror", "cannot allocate memory", "std::bad_alloc",
            "cannot allocate vector", "outofmemoryerror", "out of memory");
    private static final int EXIT_SIGKILL = 128 + 9;
    private static final int EXIT_SIGSEGV = 128 + 11;

    private final TrainingCommand command;
    private final Path workRoot;
    private final boolean ownProcessGroup;
    private final boolean memoryLimitEnforced;

    /**
     * Creates the trainer. On Linux the command runs under {@code setsid} (so that killing reaches all it started) and,
     * when it has a memory limit, under {@code prlimit --as}; without those programs it runs directly and the memory
     * limit is not enforced ({@link #memoryLimitEnforced()}; a warning is logged).
     *
     * @param workRoot where run directories are made; created (0700) when absent
     */
    public CommandTrainer(TrainingCommand command, Path workRoot) {
        this.command = Objects.requireNonNull(command, "command");
        this.workRoot = Objects.requireNonNull(workRoot, "workRoot").toAbsolutePath().normalize();
        boolean linux = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
        this.ownProcessGroup = linux && Files.isExecutable(SETSID) && ProcessTree.killProgram().isPresent();
        this.memoryLimitEnforced = command.memoryLimitBytes() > 0 && linux && Files.isExecutable(PRLIMIT);
        if (command.memoryLimitBytes() > 0 && !memoryLimitEnforced) {
            LOG.warn("training command '{}' has a memory limit of {} bytes, but {} is not available here: the limit is not enforced",
                    command.name(), command.memoryLimitBytes(), PRLIMIT);
        }
    }

    /** The declared command this trainer runs. */
    public TrainingCommand command() {
        return command;
    }

    @Override
    public String algorithm() {
        return "command:" + command.name();
    }

    /** Whether runs are held to the command's memory limit (false when it has none). */
    public boolean memoryLimitEnforced() {
        return memoryLimitEnforced;
    }

    /** Trains with the command, discarding its log. */
    @Override
    public TrainedModel train(TrainingData data, Map<String, String> parameters) {
        return train(data, parameters, line -> { });
    }

    /**
     * Trains with the command. Each line the command prints goes to {@code log}, prefixed {@code out: } or {@code err: },
     * until the command's log limit; then one {@code ... log truncated} line.
     *
     * @throws TrainerFailure when the run produced no usable model
     * @throws IllegalArgumentException when the data cannot be written faithfully (duplicate or reserved column names, rows
     *     of the wrong width, task=regression with non-numeric labels)
     */
    public TrainedModel train(TrainingData data, Map<String, String> parameters, Consumer<String> log) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(parameters, "parameters");
        Objects.requireNonNull(log, "log");
        RunInputs.check(data);
        List<String> labels = RunInputs.labels(data, parameters);
        Path program = resolveProgram();
        if (Thread.currentThread().isInterrupted()) {
            throw new TrainerFailure(Kind.CANCELLED, "training command '" + command.name() + "' was cancelled before it started", "");
        }
        Path runDirectory;
        try {
            runDirectory = RunDirectory.create(workRoot, command.name());
        } catch (IOException e) {
            throw new TrainerFailure(Kind.COULD_NOT_START, "could not make a run directory under " + workRoot + ": " + e.getMessage(), "", e);
        }
        try {
            try {
                RunInputs.writeCsv(runDirectory.resolve(RunInputs.TRAIN_CSV), data);
                RunInputs.writeInput(runDirectory.resolve(RunInputs.INPUT_JSON), data, parameters, labels);
            } catch (IOException e) {
                throw new TrainerFailure(Kind.COULD_NOT_START, "could not write the input files of training command '" + command.name()
                        + "' into " + runDirectory + ": " + e.getMessage(), "", e);
            }
            RunLog runLog = new RunLog(log, command.logLimitBytes());
            runAndWait(program, runDirectory, data.seed(), runLog);
            String tail = runLog.tail();
            if (!Files.isDirectory(runDirectory, LinkOption.NOFOLLOW_LINKS)) {
                throw new TrainerFailure(Kind.NO_MODEL, "training command '" + command.name() + "' removed or replaced its run directory", tail);
            }
            byte[] model = RunOutputs.model(runDirectory.resolve(RunInputs.MODEL_OUT), MAX_MODEL_BYTES, tail);
            Map<String, Double> metrics = RunOutputs.metrics(runDirectory.resolve(RunInputs.METRICS_OUT), tail);
            return new TrainedModel(FORMAT, model, labels, metrics, parameters);
        } finally {
            try {
                RunDirectory.delete(runDirectory);
            } catch (IOException e) {
                LOG.warn("could not remove the run directory {} of training command '{}': {}", runDirectory, command.name(), e.toString());
            }
        }
    }

    /** Runs the command to its end; returns when it exited with 0, else throws the failure that says why not. */
    private void runAndWait(Path program, Path runDirectory, long seed, RunLog runLog) {
        ProcessBuilder builder = new ProcessBuilder(commandLine(program)).directory(runDirectory.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> environment = builder.environment();
        environment.clear();
        environment.put("PATH", SAFE_PATH);
        environment.put("HOME", runDirectory.toString());
        environment.put("TMPDIR", runDirectory.toString());
        environment.put("LANG", "C.UTF-8");
        environment.put("KEEL_RUN_DIR", runDirectory.toString());
        environment.put("KEEL_INPUT", runDirectory.resolve(RunInputs.INPUT_JSON).toString());
        environment.put("KEEL_TRAIN_CSV", runDirectory.resolve(RunInputs.TRAIN_CSV).toString());
        environment.put("KEEL_MODEL_OUT", runDirectory.resolve(RunInputs.MODEL_OUT).toString());
        environment.put("KEEL_METRICS_OUT", runDirectory.resolve(RunInputs.METRICS_OUT).toString());
        environment.put("KEEL_SEED", Long.toString(seed));
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new TrainerFailure(Kind.COULD_NOT_START, "training command '" + command.name() + "' could not be started: " + e.getMessage(), "", e);
        }
        ProcessTree tree = new ProcessTree(process, ownProcessGroup);
        Thread out = Thread.ofVirtual().name("keel-train-" + command.name() + "-out").start(() -> runLog.drain(process.getInputStream(), "out: "));
        Thread err = Thread.ofVirtual().name("keel-train-" + command.name() + "-err").start(() -> runLog.drain(process.getErrorStream(), "err: "));
        boolean finished;
        try {
            finished = process.waitFor(command.timeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            tree.kill();
            awaitDrained(out, err);
            Thread.currentThread().interrupt();
            throw new TrainerFailure(Kind.CANCELLED, "training command '" + command.name() + "' was cancelled; it and the processes it started"
                    + " were killed", runLog.tail(), e);
        }
        if (!finished) {
            tree.kill();
            awaitDrained(out, err);
            throw new TrainerFailure(Kind.TIMED_OUT, "training command '" + command.name() + "' did not finish within its timeout of "
                    + describe(command.timeout()) + "; it and the processes it started were killed", runLog.tail());
        }
        tree.killLeftovers();
        awaitDrained(out, err);
        int exit = process.exitValue();
        if (exit != 0) {
            throw exitFailure(exit, runLog.tail());
        }
    }

    private TrainerFailure exitFailure(int exit, String tail) {
        String name = "training command '" + command.name() + "'";
        if ((exit == 126 || exit == 127) && (tail.contains("setsid: failed to execute") || tail.contains("prlimit: failed to execute"))) {
            return new TrainerFailure(Kind.COULD_NOT_START, name + " could not be started (exit code " + exit + "): "
                    + lastLine(tail), tail);
        }
        String lower = tail.toLowerCase(Locale.ROOT);
        String limit = memoryLimitEnforced ? " (its memory limit is " + command.memoryLimitBytes() + " bytes of address space)" : "";
        if (MEMORY_WORDS.stream().anyMatch(lower::contains)) {
            return new TrainerFailure(Kind.OUT_OF_MEMORY, name + " ran out of memory" + limit + "; it exited with exit code " + exit, tail);
        }
        if (exit == EXIT_SIGKILL || exit == EXIT_SIGSEGV && memoryLimitEnforced) {
            return new TrainerFailure(Kind.OUT_OF_MEMORY, name + " was killed by signal " + (exit - 128) + ", most likely for lack of memory"
                    + limit, tail);
        }
        String signal = exit > 128 && exit < 128 + 65 ? " (killed by signal " + (exit - 128) + "?)" : "";
        return new TrainerFailure(Kind.CRASHED, name + " failed with exit code " + exit + signal
                + (tail.isEmpty() ? "; it printed nothing" : "; its last line: " + lastErrorLine(tail)), tail);
    }

    private List<String> commandLine(Path program) {
        List<String> line = new ArrayList<>();
        if (ownProcessGroup) {
            line.add(SETSID.toString());
        }
        if (memoryLimitEnforced) {
            line.add(PRLIMIT.toString());
            line.add("--as=" + command.memoryLimitBytes());
            line.add("--");
        }
        line.add(program.toString());
        line.addAll(command.command().subList(1, command.command().size()));
        return line;
    }

    /** The program as an absolute path: as declared, or found in {@link #SAFE_PATH}, the path the run itself sees. */
    private Path resolveProgram() {
        String declared = command.command().getFirst();
        Optional<Path> found;
        if (declared.startsWith("/")) {
            found = Optional.of(Path.of(declared)).filter(CommandTrainer::isExecutableFile);
        } else {
            found = Arrays.stream(SAFE_PATH.split(":")).map(dir -> Path.of(dir, declared)).filter(CommandTrainer::isExecutableFile)
                    .findFirst();
        }
        return found.orElseThrow(() -> new TrainerFailure(Kind.COULD_NOT_START, "training command '" + command.name() + "': program '"
                + declared + "' " + (declared.startsWith("/") ? "does not exist or is not an executable file"
                : "was not found as an executable file in " + SAFE_PATH), ""));
    }

    private static boolean isExecutableFile(Path path) {
        return Files.isRegularFile(path) && Files.isExecutable(path);
    }

    private void awaitDrained(Thread out, Thread err) {
        if (!ProcessTree.joinUninterruptibly(out, DRAIN_WAIT) || !ProcessTree.joinUninterruptibly(err, DRAIN_WAIT)) {
            LOG.warn("training command '{}': a process outside its process group still holds its output open; the rest of its log is lost",
                    command.name());
        }
    }

    /** The last line the program wrote to stderr, where programs say why they failed; else its last line. */
    private static String lastErrorLine(String tail) {
        List<String> lines = tail.lines().toList();
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).startsWith("err: ")) {
                return lines.get(i);
            }
        }
        return lastLine(tail);
    }

    private static String lastLine(String tail) {
        int newline = tail.lastIndexOf('\n');
        return newline < 0 ? tail : tail.substring(newline + 1);
    }

    static String describe(Duration duration) {
        return duration.toString().substring(2).toLowerCase(Locale.ROOT);
    }
}
