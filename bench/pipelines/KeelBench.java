import dev.keel.core.data.DatasetRepository;
import dev.keel.core.data.DatasetVersion;
import dev.keel.core.data.EnvironmentSecrets;
import dev.keel.core.data.PipelineRepository;
import dev.keel.core.data.PipelineRun;
import dev.keel.core.data.PipelineService;
import dev.keel.core.data.PipelineVersion;
import dev.keel.core.data.RunRepository;
import dev.keel.core.data.RunStatus;
import dev.keel.core.data.ScheduleState;
import dev.keel.core.data.SnapshotStore;
import dev.keel.core.data.Trigger;
import dev.keel.engine.duckdb.DuckDbEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Runs one pipeline spec through Keel's service and DuckDB engine, with metadata kept in memory, and prints its books. */
public final class KeelBench {
    private KeelBench() {
    }

    public static void main(String[] args) throws Exception {
        Path spec = Path.of(args[0]);
        Path base = Path.of(args[1]);
        Path data = Path.of(args[2]);
        long start = System.nanoTime();
        PipelineService service = new PipelineService(new Pipelines(), new Runs(), new Datasets(), new SnapshotStore(data),
                List.of(new DuckDbEngine()), new EnvironmentSecrets(base), base, Clock.systemUTC(), duration -> Thread.sleep(duration));
        String name = service.register(Files.readString(spec)).pipeline();
        long registered = System.nanoTime();
        PipelineRun run = service.run(name, Trigger.CLI);
        System.err.printf("set-up and spec registration %.0f ms, run %.0f ms%n", (registered - start) / 1e6,
                (System.nanoTime() - registered) / 1e6);
        double seconds = (System.nanoTime() - start) / 1e9;
        if (run.status() != RunStatus.SUCCEEDED) {
            System.err.println(run.error().orElse("failed"));
            System.exit(1);
        }
        run.stages().forEach(stage -> System.err.println("stage " + stage.name() + " " + stage.millis() + " ms"));
        System.out.printf("keel in=%d out=%d quarantined=%d merged=%d seconds_in_process=%.2f%n", run.accounting().rowsIn(),
                run.accounting().rowsOut(), run.accounting().quarantined(), run.accounting().merged(), seconds);
    }

    /** Pipeline versions in memory. */
    static final class Pipelines implements PipelineRepository {
        private final List<PipelineVersion> versions = new ArrayList<>();

        @Override
        public void insert(PipelineVersion version) {
            versions.add(version);
        }

        @Override
        public Optional<PipelineVersion> latest(String pipeline) {
            return versions.stream().filter(version -> version.pipeline().equals(pipeline)).reduce((a, b) -> b);
        }

        @Override
        public Optional<PipelineVersion> find(String pipeline, int version) {
            return versions.stream().filter(found -> found.pipeline().equals(pipeline) && found.version() == version).findFirst();
        }

        @Override
        public List<PipelineVersion> listLatest() {
            return List.copyOf(versions);
        }

        @Override
        public Optional<ScheduleState> schedule(String pipeline) {
            return Optional.empty();
        }

        @Override
        public void saveSchedule(ScheduleState state) {
            throw new UnsupportedOperationException("the benchmark changes no schedule");
        }
    }

    /** Runs in memory. */
    static final class Runs implements RunRepository {
        private final List<PipelineRun> runs = new ArrayList<>();

        @Override
        public void insert(PipelineRun run) {
            runs.add(run);
        }

        @Override
        public void update(PipelineRun run) {
            runs.removeIf(found -> found.id().equals(run.id()));
            runs.add(run);
        }

        @Override
        public Optional<PipelineRun> find(String id) {
            return runs.stream().filter(run -> run.id().equals(id)).findFirst();
        }

        @Override
        public List<PipelineRun> history(String pipeline, int limit) {
            return List.copyOf(runs);
        }

        @Override
        public List<PipelineRun> withStatus(RunStatus status) {
            return runs.stream().filter(run -> run.status() == status).toList();
        }
    }

    /** Dataset versions in memory. */
    static final class Datasets implements DatasetRepository {
        private final List<DatasetVersion> datasets = new ArrayList<>();

        @Override
        public void insert(DatasetVersion version) {
            datasets.add(version);
        }

        @Override
        public Optional<DatasetVersion> find(String dataset, int version) {
            return datasets.stream().filter(found -> found.dataset().equals(dataset) && found.version() == version).findFirst();
        }

        @Override
        public Optional<DatasetVersion> latest(String dataset) {
            return datasets.stream().filter(found -> found.dataset().equals(dataset)).reduce((a, b) -> b);
        }

        @Override
        public List<DatasetVersion> versions(String dataset) {
            return datasets.stream().filter(found -> found.dataset().equals(dataset)).toList();
        }

        @Override
        public List<DatasetVersion> listLatest() {
            return List.copyOf(datasets);
        }

        @Override
        public boolean referencesFile(String sha256) {
            return datasets.stream().anyMatch(version -> version.sha256().equals(sha256));
        }
    }
}
