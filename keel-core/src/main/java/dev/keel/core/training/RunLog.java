package dev.keel.core.training;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.temporal.ChronoUnit;

/** The log of one training run: Keel's own steps and the trainer's output, capped; thread-safe. */
final class RunLog {
    private final StringBuilder text = new StringBuilder();
    private final long limitBytes;
    private final Clock clock;
    private long bytes;
    private boolean truncated;

    RunLog(long limitBytes, Clock clock) {
        this.limitBytes = limitBytes;
        this.clock = clock;
    }

    /** Appends one line with the time. */
    synchronized void line(String line) {
        if (truncated) {
            return;
        }
        String stamped = clock.instant().truncatedTo(ChronoUnit.MILLIS) + " " + line.replace('\n', ' ') + "\n";
        long size = stamped.getBytes(StandardCharsets.UTF_8).length;
        if (bytes + size > limitBytes) {
            truncated = true;
            text.append("... log truncated at ").append(limitBytes).append(" bytes\n");
            return;
        }
        bytes += size;
        text.append(stamped);
    }

    synchronized String text() {
        return text.toString();
    }
}
