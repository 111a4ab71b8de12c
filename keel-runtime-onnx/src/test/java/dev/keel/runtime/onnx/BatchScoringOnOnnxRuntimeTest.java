package dev.keel.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.keel.core.batch.ParquetInput;
import dev.keel.core.batch.ScoringInput;
import dev.keel.core.batch.ScoringJobSpec;
import dev.keel.core.batch.ScoringJobSpecParser;
import dev.keel.core.batch.ScoringPlan;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.registry.FeatureSpec;
import dev.keel.core.registry.Lineage;
import dev.keel.core.registry.ModelVersion;
import dev.keel.spi.ArtifactRef;
import dev.keel.spi.LoadedModel;
import dev.keel.spi.RuntimeOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batch scoring's check and chunked scoring on the German credit forest in ONNX Runtime, reading the 300 reference rows from a
 * real Parquet file, against scikit-learn's answers for the same rows.
 */
class BatchScoringOnOnnxRuntimeTest {
    /** float32 probabilities against scikit-learn's float64 ones. */
    private static final double TOLERANCE = 1e-5;
    private static final String SPEC = """
            name: credit-nightly
            model: {name: credit, version: 1}
            input: {dataset: applicants}
            outputs: {probabilities: true, label: true}
            destination: {kind: sqlite, connection: keel, table: credit_scores}
            chunk_size: 64
            """;

    @TempDir
    Path directory;

    private static List<String> featureNames() throws IOException {
        return Files.readAllLines(Fixtures.MODELS.resolve("credit_rf_features.txt")).stream().filter(line -> !line.isBlank()).toList();
    }

    /** The reference rows as Parquet, with the features under their real names; {@code replace} rewrites some columns. */
    private Path referenceParquet(List<String> names, Map<Integer, String> replace) throws SQLException {
        StringBuilder select = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            String column = replace.getOrDefault(i, "f" + i + " AS " + quote(names.get(i)));
            if (!column.isEmpty()) {
                select.append(select.isEmpty() ? "" : ", ").append(column);
            }
        }
        Path file = directory.resolve("applicants.parquet");
        String csv = Fixtures.MODELS.resolve("credit_rf_reference.csv").toString().replace("'", "''");
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:"); Statement statement = connection.createStatement()) {
            statement.execute("COPY (SELECT " + select + " FROM read_csv('" + csv + "', header = true)) TO '" + file + "' (FORMAT parquet)");
        }
        return file;
    }

    private static String quote(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    private static ModelVersion version(LoadedModel model, List<String> names) {
        return new ModelVersion("credit", 1, "default", "onnx", new ArtifactRef("0".repeat(64), 1), model.signature(),
                names.stream().map(FeatureSpec::number).toList(), Map.of(), Map.of(), Lineage.none(), "", Instant.EPOCH, "test");
    }

    @Test
    void forest_scoredInChunks_matchesScikitLearnRowByRow() throws Exception {
        List<String> names = featureNames();
        List<Fixtures.CreditRow> reference = Fixtures.creditReference();
        assertThat(reference).hasSize(300);
        ScoringJobSpec spec = new ScoringJobSpecParser().parseOrThrow(SPEC);
        ScoringInput input = new ParquetInput(referenceParquet(names, Map.of()));
        try (LoadedModel model = new OnnxModelRuntime().load(Fixtures.model("credit_rf.onnx"), RuntimeOptions.defaults())) {
            ScoringPlan plan = ScoringPlan.check(spec, version(model, names), input, "the reference rows");
            assertThat(plan.columns()).extracting(ScoringPlan.OutputColumn::name).containsExactly("p_0", "p_1", "label");

            List<Object[]> scored = new ArrayList<>();
            int calls = 0;
            try (ScoringInput.Cursor cursor = input.rows(0)) {
                for (List<Object[]> chunk = cursor.next(spec.chunkSize()); !chunk.isEmpty(); chunk = cursor.next(spec.chunkSize())) {
                    scored.addAll(plan.score(model, chunk, scored.size()).rows());
                    calls++;
                }
            }

            assertThat(calls).isEqualTo(5);
            assertThat(scored).hasSize(reference.size());
            for (int r = 0; r < reference.size(); r++) {
                Object[] row = scored.get(r);
                assertThat((double) row[0]).as("p_0 of row %d", r).isCloseTo(reference.get(r).probabilityGood(), within(TOLERANCE));
                assertThat((double) row[1]).as("p_1 of row %d", r).isCloseTo(reference.get(r).probabilityBad(), within(TOLERANCE));
                assertThat(row[2]).as("label of row %d", r).isEqualTo(Long.toString(reference.get(r).label()));
            }
        }
    }

    @Test
    void forest_inputMissingAndMistypedColumns_isRefusedNamingEach() throws Exception {
        List<String> names = featureNames();
        ScoringJobSpec spec = new ScoringJobSpecParser().parseOrThrow(SPEC);
        ScoringInput input = new ParquetInput(referenceParquet(names, Map.of(1, "", 4, "'long' AS duration")));
        try (LoadedModel model = new OnnxModelRuntime().load(Fixtures.model("credit_rf.onnx"), RuntimeOptions.defaults())) {
            assertThatThrownBy(() -> ScoringPlan.check(spec, version(model, names), input, "the reference rows"))
                    .isInstanceOfSatisfying(KeelException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT);
                        assertThat(e.errors()).extracting(KeelException.FieldError::field).containsExactly(names.get(1), "duration");
                    })
                    .hasMessageContaining("column '" + names.get(1) + "' (feature 2 of 63, number) is missing from the reference rows")
                    .hasMessageContaining("column 'duration' is VARCHAR in the reference rows; feature 'duration' is a number");
        }
    }
}
