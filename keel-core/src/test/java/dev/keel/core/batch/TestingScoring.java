package dev.keel.core.batch;

import dev.keel.core.registry.FeatureSpec;
import dev.keel.core.registry.Lineage;
import dev.keel.core.registry.ModelVersion;
import dev.keel.core.store.Database;
import dev.keel.spi.ArtifactRef;
import dev.keel.spi.DataType;
import dev.keel.spi.LoadedModel;
import dev.keel.spi.ModelSignature;
import dev.keel.spi.Tensor;
import dev.keel.spi.TensorSpec;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hand-written fakes for scoring runs: a small logistic model over features {@code f1, f2}, inputs written as real Parquet
 * files by DuckDB, and destinations by connection name.
 */
final class TestingScoring {
    static final List<String> FEATURES = List.of("f1", "f2");

    private TestingScoring() {
    }

    /** P(class 1) as the testing model computes it, from the float32 features it is given. */
    static double probability(double f1, double f2) {
        return 1 / (1 + Math.exp(-(0.5 * (float) f1 - 0.25 * (float) f2)));
    }

    static ModelVersion version(String model, int version, List<FeatureSpec> features) {
        ModelSignature signature = new ModelSignature(List.of(new TensorSpec("features", DataType.FP32, -1, features.size())),
                List.of(new TensorSpec("probabilities", DataType.FP32, -1, 2), new TensorSpec("score", DataType.FP32, -1)));
        return new ModelVersion(model, version, "default", "onnx", new ArtifactRef("0".repeat(64), 1), signature, features, Map.of(), Map.of(),
                Lineage.none(), "", Instant.EPOCH, "test");
    }

    /** Versions 1 and 2 of model {@code credit} (version 2 scores 1 − p), alias {@code champion} on {@code champion}. */
    static class Models implements ScoringModels {
        final AtomicInteger calls = new AtomicInteger();
        final Map<Integer, ModelVersion> versions = new HashMap<>();
        int champion = 1;
        /** The model call (0-based) that throws, or -1. */
        int failOnCall = -1;
        /** The model call (0-based) that interrupts the scoring thread, or -1. */
        int interruptOnCall = -1;
        /** How long each model call takes, so that a run can be killed part-way. */
        long sleepMillis;

        Models() {
            versions.put(1, version("credit", 1, FEATURES.stream().map(FeatureSpec::number).toList()));
            versions.put(2, version("credit", 2, FEATURES.stream().map(FeatureSpec::number).toList()));
        }

        @Override
        public ModelVersion byAlias(String model, String alias) {
            return byNumber(model, champion);
        }

        @Override
        public ModelVersion byNumber(String model, int version) {
            return versions.get(version);
        }

        @Override
        public LoadedModel load(ModelVersion version) {
            return new LoadedModel() {
                @Override
                public ModelSignature signature() {
                    return version.signature();
                }

                @Override
                public Map<String, Tensor> predict(Map<String, Tensor> inputs) {
                    int call = calls.getAndIncrement();
                    if (call == failOnCall) {
                        throw new IllegalStateException("the testing model fails on call " + call);
                    }
                    if (call == interruptOnCall) {
                        Thread.currentThread().interrupt();
                    }
                    if (sleepMillis > 0) {
                        try {
                            Thread.sleep(sleepMillis);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    Tensor input = inputs.get("features");
                    int n = (int) input.dimension(0);
                    int width = (int) input.dimension(1);
                    float[] probabilities = new float[n * 2];
                    float[] score = new float[n];
                    for (int r = 0; r < n; r++) {
                        double p = probability(input.doubleAt(r * width), input.doubleAt(r * width + 1));
                        p = version.version() == 2 ? 1 - p : p;
                        probabilities[r * 2] = (float) (1 - p);
                        probabilities[r * 2 + 1] = (float) p;
                        score[r] = (float) (input.doubleAt(r * width) + input.doubleAt(r * width + 1));
                    }
                    return Map.of("probabilities", new Tensor(DataType.FP32, new long[] {n, 2}, probabilities),
                            "score", new Tensor(DataType.FP32, new long[] {n}, score));
                }

                @Override
                public void close() {
                }
            };
        }
    }

    /** Datasets as Parquet files, written by DuckDB from a SELECT. */
    static final class Inputs implements ScoringInputs {
        private final Path directory;
        private final Map<String, Path> files = new HashMap<>();
        private final Map<String, Integer> latest = new HashMap<>();

        Inputs(Path directory) {
            this.directory = directory;
        }

        /** Publishes the next version of {@code dataset} holding the rows of {@code select} (DuckDB SQL). */
        void publish(String dataset, String select) {
            int version = latest.merge(dataset, 1, Integer::sum);
            Path file = directory.resolve(dataset + "-" + version + ".parquet");
            try (Connection connection = DriverManager.getConnection("jdbc:duckdb:"); Statement statement = connection.createStatement()) {
                statement.execute("COPY (" + select + ") TO '" + file + "' (FORMAT parquet)");
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            files.put(dataset + ":" + version, file);
        }

        @Override
        public Pin pin(ScoringJobSpec.Input input, String project) {
            ScoringJobSpec.DatasetInput dataset = (ScoringJobSpec.DatasetInput) input;
            return new Pin(dataset.version() == 0 ? latest.get(dataset.dataset()) : dataset.version(), "");
        }

        @Override
        public ScoringInput open(ScoringJobSpec.Input input, Pin pin, String project, Selection selection) {
            return new ParquetInput(files.get(((ScoringJobSpec.DatasetInput) input).dataset() + ":" + pin.datasetVersion()));
        }

        @Override
        public java.util.Optional<String> highest(ScoringJobSpec.Input input, Pin pin, String project, String column) {
            throw new UnsupportedOperationException("no watermarks in these tests");
        }
    }

    /** {@code reports}: a second database of the store's kind; nothing else is declared. */
    record Destinations(Database reports) implements ScoringDestinations {
        @Override
        public Database database(String connection) {
            if (connection.equals("reports")) {
                return reports;
            }
            throw dev.keel.core.error.KeelException.notFound("no connection '" + connection + "' is declared");
        }
    }
}
