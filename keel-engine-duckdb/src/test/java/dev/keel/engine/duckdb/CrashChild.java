package dev.keel.engine.duckdb;

import dev.keel.core.data.Trigger;
import java.nio.file.Files;
import java.nio.file.Path;

/** A process that runs one pipeline and is killed by {@link CrashRecoveryTest} in the middle of the run. */
public final class CrashChild {
    private CrashChild() {
    }

    /** Arguments: the directory holding base/ and data/, and the spec file. */
    public static void main(String[] args) throws Exception {
        PipelineHarness harness = new PipelineHarness(Path.of(args[0]), java.util.Map.of(), true);
        String name = harness.service.register(Files.readString(Path.of(args[1]))).pipeline();
        harness.service.run(name, Trigger.CLI);
        System.exit(3);
    }
}
