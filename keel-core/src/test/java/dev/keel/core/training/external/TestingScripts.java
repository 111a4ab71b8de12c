package dev.keel.core.training.external;

import dev.keel.spi.Trainer.TrainingData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Scripts written for one test into its own directory, and the small things the tests of this package share. */
final class TestingScripts {
    /** The smallest bytes that pass the model check: ir_version 8, producer "keel", an empty graph. */
    static final String MINIMAL_ONNX_PRINTF = "printf '\\x08\\x08\\x12\\x04keel\\x3a\\x00' > \"$KEEL_MODEL_OUT\"";
    static final byte[] MINIMAL_ONNX = {0x08, 0x08, 0x12, 0x04, 'k', 'e', 'e', 'l', 0x3a, 0x00};
    static final String GOOD_METRICS = "echo '{\"accuracy\": 0.75, \"auc\": 0.8}' > \"$KEEL_METRICS_OUT\"";
    static final Duration GENEROUS = Duration.ofMinutes(2);

    private final Path directory;

    TestingScripts(Path directory) {
        this.directory = directory;
    }

    /** A bash script with {@code body}, executable, named {@code name}. */
    Path bash(String name, String body) {
        return write(name, "#!/bin/bash\nset -u\n" + body + "\n");
    }

    /** A script for Debian's Python. */
    Path python(String name, String body) {
        return write(name, "#!/usr/bin/python3\n" + body + "\n");
    }

    private Path write(String name, String text) {
        try {
            Path file = directory.resolve(name);
            Files.writeString(file, text, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path directory() {
        return directory;
    }

    static TrainingCommand command(Path script, Duration timeout) {
        return new TrainingCommand("test-script", List.of(script.toString()), timeout, 0, 1 << 20);
    }

    static TrainingData smallData() {
        return new TrainingData(List.of("x", "y"), List.of(new double[] {1.0, 2.0}, new double[] {3.5, -4.25}, new double[] {5.0, 6.0}),
                List.of("yes", "no", "yes"), 0.25, 42);
    }

    /** The pid a script wrote into {@code file}. */
    static long pid(Path file) {
        try {
            return Long.parseLong(Files.readString(file).strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Whether process {@code pid} is still running after waiting up to ten seconds for it to end (a killed orphan may stay
     * a moment until it is reaped).
     */
    static boolean stillRunning(long pid) {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty()) {
            return false;
        }
        try {
            handle.get().onExit().get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            return handle.get().isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return handle.get().isAlive();
        } catch (ExecutionException e) {
            return handle.get().isAlive();
        }
        return handle.get().isAlive();
    }
}
