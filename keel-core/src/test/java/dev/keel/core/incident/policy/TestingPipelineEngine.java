package dev.keel.core.incident.policy;

import dev.keel.spi.data.DataEngine;
import dev.keel.spi.data.DataEngineException;
import dev.keel.spi.data.DatasetProfile;
import dev.keel.spi.data.EngineResult;
import dev.keel.spi.data.ExecutionContext;
import dev.keel.spi.data.PipelinePlan;
import dev.keel.spi.data.TableData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An engine named {@code duckdb} that fails the next {@link #failNext(int)} executions as a source error and otherwise
 * succeeds: one row read, one row published to the plan's first output, in a file whose bytes differ on every run.
 */
final class TestingPipelineEngine implements DataEngine {
    private final AtomicInteger executions = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();

    void failNext(int count) {
        failures.set(count);
    }

    int executions() {
        return executions.get();
    }

    @Override
    public String name() {
        return "duckdb";
    }

    @Override
    public EngineResult execute(PipelinePlan plan, ExecutionContext context) {
        int run = executions.incrementAndGet();
        if (failures.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
            throw new DataEngineException(DataEngineException.Kind.BAD_SPEC, "sources[0]", "source 'raw' could not be read (run " + run + ")");
        }
        Path file = context.stagingDirectory().resolve("out.parquet");
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, "rows of run " + run, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new EngineResult("duckdb", List.of(new EngineResult.StageResult("raw", EngineResult.StageKind.SOURCE, "csv", 1, 1, 0, 0, 1,
                "f".repeat(64))), List.of(), List.of(new EngineResult.StagedOutput(plan.outputs().getFirst().dataset(), "raw", file, 1,
                new DatasetProfile(1, List.of()))), Optional.empty());
    }

    @Override
    public DatasetProfile profile(Path parquetFile) {
        return new DatasetProfile(1, List.of());
    }

    @Override
    public TableData read(Path parquetFile, List<String> columns, long limit) {
        throw new UnsupportedOperationException("the testing engine reads nothing");
    }
}
