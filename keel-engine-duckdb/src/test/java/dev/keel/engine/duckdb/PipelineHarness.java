package dev.keel.engine.duckdb;

import dev.keel.spi.event.KeelEvent;
import dev.keel.core.data.EnvironmentSecrets;
import dev.keel.core.data.JdbcDatasetRepository;
import dev.keel.core.data.JdbcPipelineRepository;
import dev.keel.core.data.JdbcRunRepository;
import dev.keel.core.data.PipelineRun;
import dev.keel.core.data.PipelineService;
import dev.keel.core.data.SnapshotStore;
import dev.keel.core.data.SourceAccess;
import dev.keel.core.data.TestingDatasetRepository;
import dev.keel.core.data.TestingPipelineRepository;
import dev.keel.core.data.TestingRunRepository;
import dev.keel.core.data.Trigger;
import dev.keel.core.store.Database;
import dev.keel.core.store.Migrator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** A pipeline service on a real DuckDB engine, in-memory repositories and a snapshot store in a temporary directory. */
final class PipelineHarness {
    static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");

    final Path base;
    final Path data;
    final TestingPipelineRepository pipelines = new TestingPipelineRepository();
    final TestingRunRepository runs = new TestingRunRepository();
    final TestingDatasetRepository datasets = new TestingDatasetRepository();
    final Optional<Database> metadata;
    final List<Duration> sleeps = new ArrayList<>();
    /** What the service published: the end of each run attempt. */
    final List<KeelEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    final PipelineService service;

    PipelineHarness(Path directory) {
        this(directory, Map.of());
    }

    PipelineHarness(Path directory, Map<String, String> environment) {
        this(directory, environment, false);
    }

    /** With {@code sqlite}, metadata lives in {@code directory/keel.db} (migration V20) and survives the process. */
    PipelineHarness(Path directory, Map<String, String> environment, boolean sqlite) {
        this(directory, environment, sqlite, SourceAccess::confinedTo);
    }

    /** With the source access {@code access} makes of the base directory. */
    PipelineHarness(Path directory, Map<String, String> environment, Function<Path, SourceAccess> access) {
        this(directory, environment, false, access);
    }

    /** Whose profiles count distinct values exactly up to {@code exactDistinctMaxRows} rows. */
    PipelineHarness(Path directory, long exactDistinctMaxRows) {
        this(directory, Map.of(), false, SourceAccess::confinedTo, exactDistinctMaxRows);
    }

    private PipelineHarness(Path directory, Map<String, String> environment, boolean sqlite, Function<Path, SourceAccess> access) {
        this(directory, environment, sqlite, access, dev.keel.spi.data.ExecutionContext.DEFAULT_EXACT_DISTINCT_MAX_ROWS);
    }

    private PipelineHarness(Path directory, Map<String, String> environment, boolean sqlite, Function<Path, SourceAccess> access,
                            long exactDistinctMaxRows) {
        this.base = directory.resolve("base");
        this.data = directory.resolve("data");
        try {
            Files.createDirectories(base);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (sqlite) {
            Database database = Database.open("jdbc:sqlite:" + directory.resolve("keel.db"), "", "", 2);
            new Migrator(database).migrate();
            this.metadata = Optional.of(database);
            this.service = new PipelineService(new JdbcPipelineRepository(database), new JdbcRunRepository(database),
                    new JdbcDatasetRepository(database), new SnapshotStore(data), List.of(new DuckDbEngine()),
                    new EnvironmentSecrets(environment, base), base, access.apply(base), Clock.systemUTC(), sleeps::add);
        } else {
            this.metadata = Optional.empty();
            this.service = new PipelineService(pipelines, runs, datasets, new SnapshotStore(data), List.of(new DuckDbEngine()),
                    new EnvironmentSecrets(environment, base), base, access.apply(base), Clock.fixed(NOW, ZoneOffset.UTC), sleeps::add,
                    dev.keel.core.data.RunAudit.NONE, project -> true, exactDistinctMaxRows, events::add);
        }
    }

    /** Copies a file of the repository (for example the committed example data) into the base directory. */
    Path copy(Path source, String target) {
        try {
            Path path = base.resolve(target);
            Files.createDirectories(path.getParent());
            return Files.copy(source, path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path write(String target, String content) {
        try {
            Path path = base.resolve(target);
            Files.createDirectories(path.getParent());
            return Files.writeString(path, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs a spec stored as it is, without the validation registration does: what a run meets when the data changed after
     * the spec was registered. In-memory metadata only.
     */
    PipelineRun runUnchecked(String specYaml) {
        String name = new dev.keel.core.data.PipelineSpecParser().parseOrThrow(specYaml).name();
        pipelines.insert(new dev.keel.core.data.PipelineVersion(name, pipelines.latest(name).map(version -> version.version() + 1)
                .orElse(1), specYaml, Integer.toHexString(specYaml.hashCode()), NOW));
        return service.run(name, Trigger.API);
    }

    PipelineRun run(String specYaml) {
        String name = service.register(specYaml).pipeline();
        return service.run(name, Trigger.API);
    }
}
