package dev.keel.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.keel.core.batch.ParquetInput;
import dev.keel.core.batch.ScoringDestinations;
import dev.keel.core.batch.ScoringInput;
import dev.keel.core.batch.ScoringInputs;
import dev.keel.core.batch.ScoringJobSpec;
import dev.keel.core.batch.ScoringJobSpecParser;
import dev.keel.core.batch.ScoringModels;
import dev.keel.core.batch.ScoringRun;
import dev.keel.core.error.KeelException;
import dev.keel.core.registry.FeatureSpec;
import dev.keel.core.registry.Lineage;
import dev.keel.core.registry.ModelVersion;
import dev.keel.core.store.Database;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestDatabases;
import dev.keel.spi.ArtifactRef;
import dev.keel.spi.LoadedModel;
import dev.keel.spi.ModelSignature;
import dev.keel.spi.RuntimeOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

/**
 * Batch scoring end to end: the German credit forest in ONNX Runtime scores the 300 reference rows from Parquet into a table of
 * a real SQLite store and of a second real database of the store's kind (SQLite, PostgreSQL), and the tables hold scikit-learn's
 * answers row by row with the model, version and run of each row.
 */
@OnEachStore
class BatchScoringIntoTablesTest {
    @Parameter
    StoreKind kind;

    private static final double TOLERANCE = 1e-5;

    @TempDir
    Path directory;

    @Test
    void forest_fillsTables_withScikitLearnsAnswers_andARerunWritesNothing() throws Exception {
        List<String> names = Files.readAllLines(Fixtures.MODELS.resolve("credit_rf_features.txt")).stream().filter(line -> !line.isBlank())
                .toList();
        Path parquet = directory.resolve("applicants.parquet");
        StringBuilder select = new StringBuilder("row_number() OVER () AS applicant");
        for (int i = 0; i < names.size(); i++) {
            select.append(", f").append(i).append(" AS \"").append(names.get(i).replace("\"", "\"\"")).append('"');
        }
        String csv = Fixtures.MODELS.resolve("credit_rf_reference.csv").toString().replace("'", "''");
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement statement = duck.createStatement()) {
            statement.execute("COPY (SELECT " + select + " FROM read_csv('" + csv + "', header = true)) TO '" + parquet + "' (FORMAT parquet)");
        }
        byte[] artifact = Fixtures.model("credit_rf.onnx");
        OnnxModelRuntime runtime = new OnnxModelRuntime();
        ModelSignature signature = runtime.inspect(artifact);
        ModelVersion version = new ModelVersion("credit", 1, "default", "onnx", new ArtifactRef("0".repeat(64), artifact.length), signature,
                names.stream().map(FeatureSpec::number).toList(), Map.of(), Map.of(), Lineage.none(), "", Instant.EPOCH, "test");
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
                return runtime.load(artifact, RuntimeOptions.defaults());
            }
        };
        ScoringInputs inputs = new ScoringInputs() {
            @Override
            public Pin pin(ScoringJobSpec.Input input, String project) {
                return new Pin(1, "");
            }

            @Override
            public ScoringInput open(ScoringJobSpec.Input input, Pin pin, String project, Selection selection) {
                return new ParquetInput(parquet);
            }

            @Override
            public java.util.Optional<String> highest(ScoringJobSpec.Input input, Pin pin, String project, String column) {
                throw new UnsupportedOperationException("not incremental");
            }
        };
        try (TestDatabases.Opened opened = TestDatabases.open(kind, directory); TestDatabases.Opened reports = TestDatabases.open(kind, directory)) {
            Database store = opened.database();
            ScoringDestinations destinations = connection -> {
                if (!connection.equals("reports")) {
                    throw KeelException.notFound("connection '" + connection + "' is not declared");
                }
                return reports.database();
            };
            ScoringRun runs = new ScoringRun(store, models, inputs, dev.keel.core.batch.ScoringSinks.tables(store, destinations),
                    Clock.fixed(Instant.parse("2026-12-06T12:00:00Z"), ZoneOffset.UTC));
            String kindName = kind.name().toLowerCase(java.util.Locale.ROOT);
            for (String[] target : new String[][] {{"keel", "upsert", "run-1"}, {"reports", "append", "run-2"}}) {
                ScoringJobSpec spec = new ScoringJobSpecParser().parseOrThrow("""
                        name: credit-nightly
                        model: {name: credit, alias: champion}
                        input: {dataset: applicants}
                        keys: [applicant]
                        outputs: {probabilities: true, label: true}
                        destination: {kind: %s, connection: %s, table: credit_scores, mode: %s}
                        chunk_size: 64
                        """.formatted(kindName, target[0], target[1]));

                ScoringRun.Outcome outcome = runs.execute(spec, target[2]);
                assertThat(outcome.rowsWritten()).isEqualTo(300);
                assertThat(outcome.chunksWritten()).isEqualTo(5);
                assertThat(runs.execute(spec, target[2]).rowsWritten()).as("a finished run id writes nothing").isZero();

                Database database = target[0].equals("keel") ? store : reports.database();
                List<Fixtures.CreditRow> reference = Fixtures.creditReference();
                List<Object[]> table = database.query("SELECT applicant, p_0, p_1, label, model, model_version, run_id FROM credit_scores"
                        + " ORDER BY applicant", row -> new Object[] {row.getLong(1), row.getDouble(2), row.getDouble(3), row.getString(4),
                            row.getString(5), row.getInt(6), row.getString(7)});
                assertThat(table).as("rows in %s", target[0]).hasSize(300);
                for (int r = 0; r < table.size(); r++) {
                    Object[] row = table.get(r);
                    assertThat((long) row[0]).isEqualTo(r + 1);
                    assertThat((double) row[1]).as("p_0 of row %d", r).isCloseTo(reference.get(r).probabilityGood(), within(TOLERANCE));
                    assertThat((double) row[2]).as("p_1 of row %d", r).isCloseTo(reference.get(r).probabilityBad(), within(TOLERANCE));
                    assertThat(row[3]).as("label of row %d", r).isEqualTo(Long.toString(reference.get(r).label()));
                    assertThat(row[4]).isEqualTo("credit");
                    assertThat(row[5]).isEqualTo(1);
                    assertThat(row[6]).isEqualTo(target[2]);
                }
            }
        }
    }
}
