package dev.keel.core.data;

import dev.keel.spi.data.DataEngine;
import dev.keel.spi.data.DataEngineException;
import dev.keel.spi.data.DatasetProfile;
import dev.keel.spi.data.EngineResult;
import dev.keel.spi.data.ExecutionContext;
import dev.keel.spi.data.PipelinePlan;
import dev.keel.spi.data.TableData;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An engine named {@code duckdb} that fails every execution as a bad spec and counts how often it was asked; {@link #hold()}
 * makes executions wait until {@link #release()}.
 */
final class TestingDataEngine implements DataEngine {
    private final AtomicInteger executions = new AtomicInteger();
    private volatile java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(0);

    /** Executions from now on wait for {@link #release()}. */
    void hold() {
        gate = new java.util.concurrent.CountDownLatch(1);
    }

    void release() {
        gate.countDown();
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
        executions.incrementAndGet();
        try {
            gate.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new DataEngineException(DataEngineException.Kind.BAD_SPEC, "sources[0]", "the testing engine runs nothing");
    }

    @Override
    public DatasetProfile profile(Path parquetFile) {
        throw new UnsupportedOperationException("the testing engine profiles nothing");
    }

    @Override
    public TableData read(Path parquetFile, List<String> columns, long limit) {
        throw new UnsupportedOperationException("the testing engine reads nothing");
    }
}
