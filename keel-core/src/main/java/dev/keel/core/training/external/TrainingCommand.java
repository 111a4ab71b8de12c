package dev.keel.core.training.external;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An admin-declared training command, from the server's configuration; training specs refer to it by name only and never
 * carry a command line.
 *
 * @param name what specs call it: {@code [a-z0-9][a-z0-9-]{0,62}}
 * @param command the program and its arguments, run as they are (no shell); the program is an absolute path or a bare name
 *     looked up in the run's {@code PATH}, and other relative paths are resolved from the run directory, so a script
 *     should be named by its absolute path
 * @param timeout how long one run may take, more than zero and at most 24 hours
 * @param memoryLimitBytes the address-space limit of the run's process, 0 for none
 * @param logLimitBytes how much of the run's output is passed on as log lines, more than zero
 */
public record TrainingCommand(String name, List<String> command, Duration timeout, long memoryLimitBytes, long logLimitBytes) {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Duration MAX_TIMEOUT = Duration.ofHours(24);

    /** Checks every component; a message names the command, the component, its value and what is allowed. */
    public TrainingCommand {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(timeout, "timeout");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("training command name '" + name + "' is not allowed; expected [a-z0-9][a-z0-9-]{0,62}");
        }
        command = List.copyOf(command);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("training command '" + name + "' has an empty command; expected the program and its arguments");
        }
        for (int i = 0; i < command.size(); i++) {
            String argument = command.get(i);
            if (argument.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("training command '" + name + "': argument " + i + " contains a NUL character");
            }
        }
        String program = command.getFirst();
        if (program.isBlank()) {
            throw new IllegalArgumentException("training command '" + name + "': the program (the first element of command) is empty");
        }
        if (program.indexOf('/') >= 0 && !program.startsWith("/")) {
            throw new IllegalArgumentException("training command '" + name + "': the program '" + program + "' is a relative path; a run starts in"
                    + " a fresh empty directory, so give an absolute path or a bare program name looked up in PATH");
        }
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException("training command '" + name + "': timeout must be more than 0 and at most 24h, got " + timeout);
        }
        if (memoryLimitBytes < 0) {
            throw new IllegalArgumentException("training command '" + name + "': memory limit must be 0 (none) or more, got " + memoryLimitBytes);
        }
        if (logLimitBytes <= 0) {
            throw new IllegalArgumentException("training command '" + name + "': log limit must be more than 0 bytes, got " + logLimitBytes);
        }
    }
}
