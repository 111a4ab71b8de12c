import dev.keel.core.batch.BatchRun;
import dev.keel.core.batch.ParquetInput;
import dev.keel.core.batch.Quarantine;
import dev.keel.core.batch.ScoringDestinations;
import dev.keel.core.batch.ScoringInput;
import dev.keel.core.batch.ScoringInputs;
import dev.keel.core.batch.ScoringJobSpec;
import dev.keel.core.batch.ScoringJobSpecParser;
import dev.keel.core.batch.ScoringModels;
import dev.keel.core.batch.ScoringPlan;
import dev.keel.core.batch.ScoringRun;
import dev.keel.core.batch.ScoringSink;
import dev.keel.core.batch.ScoringSinks;
import dev.keel.core.data.DataCollection;
import dev.keel.core.data.EnvironmentSecrets;
import dev.keel.core.data.PipelineService;
import dev.keel.core.data.PipelinesConfig;
import dev.keel.core.error.KeelException;
import dev.keel.core.registry.FeatureSpec;
import dev.keel.core.registry.Lineage;
import dev.keel.core.registry.ModelVersion;
import dev.keel.core.store.Database;
import dev.keel.core.store.Migrator;
import dev.keel.runtime.onnx.OnnxModelRuntime;
import dev.keel.spi.ArtifactRef;
import dev.keel.spi.LoadedModel;
import dev.keel.spi.ModelSignature;
import dev.keel.spi.RuntimeOptions;
import dev.keel.spi.Tensor;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One whole Keel scoring run in process, as an executor runs it: a Keel store in a fresh SQLite file (migrated), the German credit
 * forest in ONNX Runtime (Keel's runtime, default options), a Parquet file as the input, and a PostgreSQL table or a Parquet
 * directory as the destination. The input, model, model call and sink are wrapped to time each stage; the wrappers only add up
 * nanoseconds around the calls Keel makes.
 *
 * <p>Usage: {@code java -cp "keel-cli/target/lib/*" KeelBatch.java INPUT.parquet MODEL.onnx FEATURES.txt WORK_DIR DESTINATION CHUNK_SIZE
 * [POSTGRES_URL]} with DESTINATION {@code postgres} (table {@code keel_scores}, mode append, connection {@code reports}),
 * {@code parquet} (directory {@code scores} under WORK_DIR/output) or {@code sqlite} (a table in Keel's own store). Prints one
 * tab-separated line: destination, chunk size, rows, seconds, rows/s, then seconds spent reading, in the model call, in Keel's
 * scoring around the call (checks, tensor, output rows), writing (with checkpoints), and the rest, then the JVM's peak heap use.
 */
public class KeelBatch {
    static final AtomicLong READ = new AtomicLong();
    static final AtomicLong MODEL = new AtomicLong();
    static final AtomicLong WRITE = new AtomicLong();

    public static void main(String[] args) throws Exception {
        Path parquet = Path.of(args[0]).toAbsolutePath();
        byte[] artifact = Files.readAllBytes(Path.of(args[1]));
        List<String> names = Files.readAllLines(Path.of(args[2])).stream().filter(line -> !line.isBlank()).toList();
        Path work = Path.of(args[3]).toAbsolutePath();
        String destination = args[4];
        int chunkSize = Integer.parseInt(args[5]);
        String postgresUrl = args.length > 6 ? args[6] : "jdbc:postgresql://127.0.0.1:5432/keel_bench?user=postgres";
        Files.createDirectories(work);
        Path storeFile = work.resolve("keel.db");
        for (String suffix : List.of("", "-wal", "-shm")) {
            Files.deleteIfExists(Path.of(storeFile + suffix));
        }
        Path outputRoot = work.resolve("output");
        deleteTree(outputRoot);
        Files.createDirectories(outputRoot);

        OnnxModelRuntime runtime = new OnnxModelRuntime();
        ModelSignature signature = runtime.inspect(artifact);
        ModelVersion version = new ModelVersion("credit", 1, "default", "onnx", new ArtifactRef("0".repeat(64), artifact.length), signature,
                names.stream().map(FeatureSpec::number).toList(), Map.of(), Map.of(), Lineage.none(), "", Instant.EPOCH, "bench");
        ScoringModels models = new ScoringModels() {
            @Override
            public ModelVersion byAlias(String model, String alias) {
                return version;
            }

            @Override
            public ModelVersion byNumber(String model, int number) {
                return version;
            }

            @Override
            public LoadedModel load(ModelVersion chosen) {
                return new TimedModel(runtime.load(artifact, RuntimeOptions.defaults()));
            }
        };
        ScoringInputs inputs = new ScoringInputs() {
            @Override
            public Pin pin(ScoringJobSpec.Input input, String project) {
                return new Pin(0, "");
            }

            @Override
            public ScoringInput open(ScoringJobSpec.Input input, Pin pin, String project, Selection selection) {
                return new TimedInput(new ParquetInput(parquet));
            }

            @Override
            public Optional<String> highest(ScoringJobSpec.Input input, Pin pin, String project, String column) {
                throw new UnsupportedOperationException("not incremental");
            }
        };
        String destinationSpec = switch (destination) {
            case "postgres" -> "{kind: postgres, connection: reports, table: keel_scores, mode: append}";
            case "parquet" -> "{kind: parquet, path: scores}";
            case "sqlite" -> "{kind: sqlite, connection: keel, table: keel_scores, mode: append}";
            default -> throw new IllegalArgumentException("destination must be postgres, parquet or sqlite; got " + destination);
        };
        ScoringJobSpec spec = new ScoringJobSpecParser().parseOrThrow("""
                name: credit-bench
                model: {name: credit, alias: champion}
                input: {files: %s}
                keys: [id]
                outputs: {probabilities: true, label: true}
                destination: %s
                chunk_size: %d
                """.formatted(parquet.getFileName(), destinationSpec, chunkSize));

        try (Database store = Database.open("jdbc:sqlite:" + storeFile, "", "", 2);
             Database reports = destination.equals("postgres") ? Database.open(postgresUrl, "", "", 2) : null) {
            new Migrator(store).migrate();
            if (reports != null) {
                reports.update("DROP TABLE IF EXISTS keel_scores");
                reports.update("DROP TABLE IF EXISTS keel_scores_quarantine");
            }
            ScoringDestinations destinations = connection -> switch (connection) {
                case ScoringDestinations.KEEL -> store;
                case "reports" -> {
                    if (reports == null) {
                        throw KeelException.notFound("connection 'reports' is not declared");
                    }
                    yield reports;
                }
                default -> throw KeelException.notFound("connection '" + connection + "' is not declared");
            };
            ScoringSinks sinks = new TimedSinks(sinks(store, destinations, outputRoot));
            ScoringRun runs = new ScoringRun(store, models, inputs, sinks, Clock.systemUTC());

            long started = System.nanoTime();
            ScoringRun.Outcome outcome = runs.execute(spec, "bench-1");
            double seconds = (System.nanoTime() - started) / 1e9;
            if (outcome.run().status() != BatchRun.Status.SUCCEEDED) {
                throw new IllegalStateException("the run ended " + outcome.run().status() + ": " + outcome.run().message());
            }
            long checked = switch (destination) {
                case "postgres" -> reports.queryOne("SELECT count(*) FROM keel_scores", row -> row.getLong(1)).orElse(-1L);
                case "sqlite" -> store.queryOne("SELECT count(*) FROM keel_scores", row -> row.getLong(1)).orElse(-1L);
                default -> countParquet(outputRoot.resolve("scores"));
            };
            if (checked != outcome.rowsWritten()) {
                throw new IllegalStateException("the run wrote " + outcome.rowsWritten() + " rows but the destination holds " + checked);
            }
            double read = READ.get() / 1e9;
            double model = MODEL.get() / 1e9;
            double write = WRITE.get() / 1e9;
            double scoring = TimedModel.SCORE_CALLS.get() / 1e9 - model;
            System.out.printf("%s\t%d\t%d\t%.2f\t%.0f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%d%n", destination, chunkSize, outcome.rowsWritten(), seconds,
                    outcome.rowsWritten() / seconds, read, model, scoring, write, seconds - read - model - scoring - write, peakHeapMiB());
        }
    }

    /**
     * The sinks of main today ({@code ScoringSinks.tables}), or, where this build has it, {@code ScoringSinks.standard(store,
     * databases, outputRoot, pipelines)}, which adds Parquet directories; its pipeline service (for dataset destinations, not
     * benchmarked here) runs no pipelines.
     */
    static ScoringSinks sinks(Database store, ScoringDestinations destinations, Path outputRoot) throws Exception {
        for (Method method : ScoringSinks.class.getMethods()) {
            if (method.getName().equals("standard")) {
                Object[] arguments = new Object[method.getParameterCount()];
                Class<?>[] types = method.getParameterTypes();
                for (int i = 0; i < types.length; i++) {
                    arguments[i] = types[i] == Database.class ? store : types[i] == ScoringDestinations.class ? destinations
                            : types[i] == Path.class ? outputRoot : types[i] == PipelineService.class ? pipelines(store, outputRoot.getParent())
                            : null;
                }
                return (ScoringSinks) method.invoke(null, arguments);
            }
        }
        return ScoringSinks.tables(store, destinations);
    }

    static PipelineService pipelines(Database store, Path work) {
        PipelinesConfig settings = new PipelinesConfig(false, ZoneOffset.UTC, work, work.resolve("datasets"));
        return DataCollection.open(settings, store, List.of(), new EnvironmentSecrets(work), Clock.systemUTC()).service();
    }

    static long countParquet(Path directory) throws Exception {
        try (var connection = java.sql.DriverManager.getConnection("jdbc:duckdb:"); var statement = connection.createStatement();
             var result = statement.executeQuery("SELECT count(*) FROM read_parquet('" + directory.toString().replace("'", "''")
                     + "/**/*.parquet')")) {
            result.next();
            return result.getLong(1);
        }
    }

    static long peakHeapMiB() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak >> 20;
    }

    static void deleteTree(Path root) throws Exception {
        if (Files.exists(root)) {
            try (var paths = Files.walk(root)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    /** Keel's loaded model, its predict calls timed. */
    static final class TimedModel implements LoadedModel {
        /** Time inside ScoringPlan.score, measured from the first row read to the end of the chunk's scoring (set by TimedSinks). */
        static final AtomicLong SCORE_CALLS = new AtomicLong();
        private final LoadedModel model;

        TimedModel(LoadedModel model) {
            this.model = model;
        }

        @Override
        public ModelSignature signature() {
            return model.signature();
        }

        @Override
        public Map<String, Tensor> predict(Map<String, Tensor> inputs) {
            long started = System.nanoTime();
            try {
                return model.predict(inputs);
            } finally {
                MODEL.addAndGet(System.nanoTime() - started);
            }
        }

        @Override
        public void close() {
            model.close();
        }
    }

    /** The Parquet input, its reads timed; the time from the end of a read to the next write is the scoring around the model. */
    static final class TimedInput implements ScoringInput {
        static volatile long lastRead;
        private final ScoringInput input;

        TimedInput(ScoringInput input) {
            this.input = input;
        }

        @Override
        public List<Column> columns() {
            return input.columns();
        }

        @Override
        public java.util.OptionalLong count() {
            return input.count();
        }

        @Override
        public Cursor rows(long firstRow) {
            Cursor cursor = input.rows(firstRow);
            return new Cursor() {
                @Override
                public List<Object[]> next(int max) {
                    long started = System.nanoTime();
                    List<Object[]> rows = cursor.next(max);
                    long ended = System.nanoTime();
                    READ.addAndGet(ended - started);
                    lastRead = ended;
                    return rows;
                }

                @Override
                public void close() {
                    cursor.close();
                }
            };
        }
    }

    /** The sinks, their chunk writes (with the checkpoint) timed. */
    static final class TimedSinks implements ScoringSinks {
        private final ScoringSinks sinks;

        TimedSinks(ScoringSinks sinks) {
            this.sinks = sinks;
        }

        @Override
        public void check(ScoringJobSpec spec) {
            sinks.check(spec);
        }

        @Override
        public Quarantine quarantine(ScoringJobSpec spec, BatchRun run) {
            return sinks.quarantine(spec, run);
        }

        @Override
        public ScoringSink open(ScoringJobSpec spec, BatchRun run, ScoringPlan plan) {
            ScoringSink sink = sinks.open(spec, run, plan);
            return new ScoringSink() {
                @Override
                public boolean prepare(boolean resumed) {
                    return sink.prepare(resumed);
                }

                @Override
                public int write(int chunk, List<Object[]> rows, Object[] runValues, Checkpoint checkpoint) {
                    long started = System.nanoTime();
                    TimedModel.SCORE_CALLS.addAndGet(started - TimedInput.lastRead);
                    try {
                        return sink.write(chunk, rows, runValues, checkpoint);
                    } finally {
                        WRITE.addAndGet(System.nanoTime() - started);
                    }
                }

                @Override
                public void finish() {
                    long started = System.nanoTime();
                    try {
                        sink.finish();
                    } finally {
                        WRITE.addAndGet(System.nanoTime() - started);
                    }
                }

                @Override
                public void close() {
                    sink.close();
                }
            };
        }
    }
}
