package dev.keel.core.training;

import dev.keel.core.config.ConfigNode;
import dev.keel.core.training.external.TrainingCommand;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code training:} section of the server's configuration.
 *
 * <pre>{@code
 * training:
 *   work-directory: /var/lib/keel/training   # where external commands get their fresh run directories
 *   max-model-size: 512mb
 *   log-limit: 1mb
 *   commands:
 *     sklearn-forest:
 *       command: ["/usr/bin/python3", "/opt/lab/train_forest.py"]
 *       timeout: 30m
 *       memory-limit: 2gb
 * }</pre>
 *
 * @param workDirectory the parent of external commands' run directories; empty for the data directory's {@code training}
 * @param triggerInterval how often schedules and label counts are checked
 * @param trafficRows the most recent labelled predictions challenger and champion are also scored on (0: none)
 * @param maxRows the most dataset rows one run reads, whatever its spec's {@code max_rows} (rows are held in memory)
 */
public record TrainingSettings(Optional<Path> workDirectory, long maxModelBytes, long logLimitBytes, int evaluationBatch, Duration triggerInterval,
                               int trafficRows, int maxRows, List<TrainingCommand> commands) {
    public TrainingSettings {
        Objects.requireNonNull(workDirectory, "workDirectory");
        commands = List.copyOf(commands);
    }

    public static TrainingSettings defaults() {
        return new TrainingSettings(Optional.empty(), 512L << 20, 1L << 20, 1_024, Duration.ofSeconds(30), 10_000, 2_000_000, List.of());
    }

    /** Reads the section; unknown keys and bad values fail naming the key. */
    public static TrainingSettings from(ConfigNode node) {
        Optional<Path> work = node.string("work-directory").map(Path::of);
        long maxModel = node.size("max-model-size", 512L << 20);
        long logLimit = node.size("log-limit", 1L << 20);
        if (maxModel < 1 || logLimit < 1024) {
            throw node.invalid(maxModel < 1 ? "max-model-size" : "log-limit", maxModel < 1 ? maxModel : logLimit, "a positive size (log-limit >= 1kb)");
        }
        int batch = node.integer("evaluation-batch", 1_024, 1, 65_536);
        Duration interval = node.duration("trigger-interval", Duration.ofSeconds(30));
        if (interval.isZero() || interval.isNegative()) {
            throw node.invalid("trigger-interval", interval, "a positive duration such as 30s");
        }
        int trafficRows = node.integer("traffic-rows", 10_000, 0, 1_000_000);
        int maxRows = node.integer("max-rows", 2_000_000, 10, 50_000_000);
        List<TrainingCommand> commands = new ArrayList<>();
        ConfigNode declared = node.section("commands");
        for (String name : declared.names()) {
            ConfigNode command = declared.section(name);
            List<String> line = command.strings("command").orElseThrow(() -> command.invalid("command", "(missing)",
                    "the command line as a list, such as [\"/usr/bin/python3\", \"/opt/lab/train.py\"]"));
            Duration timeout = command.duration("timeout", Duration.ofMinutes(30));
            long memory = command.size("memory-limit", 0);
            long commandLog = command.size("log-limit", logLimit);
            try {
                commands.add(new TrainingCommand(name, line, timeout, memory, commandLog));
            } catch (IllegalArgumentException e) {
                throw command.invalid("command", line, e.getMessage());
            }
            command.rejectUnknownKeys();
        }
        declared.rejectUnknownKeys();
        node.rejectUnknownKeys();
        return new TrainingSettings(work, maxModel, logLimit, batch, interval, trafficRows, maxRows, commands);
    }
}
