package dev.keel.core.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.keel.spi.data.DataEngine;
import dev.keel.spi.data.DatasetProfile;
import dev.keel.spi.data.EngineResult;
import dev.keel.spi.data.ExecutionContext;
import dev.keel.spi.data.PipelinePlan;
import dev.keel.spi.data.TableData;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Reading back what scoring runs wrote to Parquet files, and the spec the sink tests run. */
final class TestingOutputs {
    private TestingOutputs() {
    }

    /** One written row, without its run id. */
    record Row(long id, double good, double bad, String label, double score, String model, int version, int chunk, String scoredAt) {
        Row withoutTime() {
            return new Row(id, good, bad, label, score, model, version, chunk, "");
        }
    }

    /** The job the sink tests run: keys [id], every output, into {@code destination} (a YAML flow mapping). */
    static ScoringJobSpec spec(String destination, int chunkSize) {
        return new ScoringJobSpecParser().parseOrThrow(String.format(Locale.ROOT, """
                name: credit-nightly
                model: {name: credit, alias: champion}
                input: {dataset: applicants, version: latest}
                keys: [id]
                outputs: {probabilities: true, classes: [good, bad], label: true, named: [score]}
                destination: %s
                chunk_size: %d
                """, destination, chunkSize));
    }

    /** Applicants {@code from} to {@code to - 1}: id, name, f1 = id / 10, f2 = id mod 7. */
    static String applicants(int from, int to) {
        return "SELECT i::BIGINT AS id, 'a' || i AS name, i / 10.0 AS f1, (i % 7)::DOUBLE AS f2 FROM range(" + from + ", " + to + ") t(i)";
    }

    /** Rows of a DuckDB query over Parquet, in the order the query gives. */
    static List<Row> query(String sql) {
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:"); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery(sql)) {
            List<Row> rows = new ArrayList<>();
            while (result.next()) {
                rows.add(new Row(result.getLong("id"), result.getDouble("p_good"), result.getDouble("p_bad"), result.getString("label"),
                        result.getDouble("score"), result.getString("model"), result.getInt("model_version"), result.getInt("run_chunk"),
                        result.getString("scored_at")));
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** Every row under {@code directory}, partitions read back as columns, by id. */
    static List<Row> directory(Path directory) {
        return query("SELECT * FROM read_parquet('" + directory + "/**/*.parquet', hive_partitioning = true) ORDER BY id");
    }

    /** The run ids in a Parquet file or glob, with their row counts. */
    static List<String> runIds(String glob) {
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:"); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT run_id, COUNT(*) FROM read_parquet('" + glob + "', hive_partitioning = true)"
                     + " GROUP BY run_id ORDER BY run_id")) {
            List<String> runs = new ArrayList<>();
            while (result.next()) {
                runs.add(result.getString(1) + "=" + result.getLong(2));
            }
            return runs;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Checks each row against the testing model's formula, computed here independently. */
    static void assertScored(List<Row> rows, List<Long> ids, int version, int chunkSize) {
        assertThat(rows).extracting(Row::id).containsExactlyElementsOf(ids);
        long first = ids.getFirst();
        for (Row row : rows) {
            double p = TestingScoring.probability(row.id() / 10.0, row.id() % 7);
            double bad = version == 2 ? 1 - p : p;
            assertThat(row.bad()).as("p_bad of %d", row.id()).isCloseTo(bad, within(1e-6));
            assertThat(row.good()).as("p_good of %d", row.id()).isCloseTo(1 - bad, within(1e-6));
            assertThat(row.label()).isEqualTo(bad > 1 - bad ? "bad" : "good");
            assertThat(row.score()).isCloseTo((float) (row.id() / 10.0) + (float) (row.id() % 7), within(1e-5));
            assertThat(row.model()).isEqualTo("credit");
            assertThat(row.version()).isEqualTo(version);
            assertThat(row.chunk()).isEqualTo((row.id() - first) / chunkSize);
        }
    }

    static List<Long> range(long from, long to) {
        List<Long> ids = new ArrayList<>();
        for (long i = from; i < to; i++) {
            ids.add(i);
        }
        return ids;
    }

    /** An engine that only profiles (row count, and per column its type, count and nulls), through DuckDB. */
    static final class Profiler implements DataEngine {
        @Override
        public String name() {
            return "duckdb";
        }

        @Override
        public EngineResult execute(PipelinePlan plan, ExecutionContext context) {
            throw new UnsupportedOperationException("the testing profiler runs no pipelines");
        }

        @Override
        public DatasetProfile profile(Path parquetFile) {
            try (Connection connection = DriverManager.getConnection("jdbc:duckdb:"); Statement statement = connection.createStatement()) {
                List<String[]> columns = new ArrayList<>();
                try (ResultSet result = statement.executeQuery("DESCRIBE SELECT * FROM read_parquet('" + parquetFile + "')")) {
                    while (result.next()) {
                        columns.add(new String[] {result.getString("column_name"), result.getString("column_type")});
                    }
                }
                long rows;
                try (ResultSet result = statement.executeQuery("SELECT COUNT(*) FROM read_parquet('" + parquetFile + "')")) {
                    result.next();
                    rows = result.getLong(1);
                }
                List<DatasetProfile.ColumnProfile> profiles = new ArrayList<>();
                for (String[] column : columns) {
                    try (ResultSet result = statement.executeQuery("SELECT COUNT(\"" + column[0] + "\"), COUNT(DISTINCT \"" + column[0] + "\") FROM"
                            + " read_parquet('" + parquetFile + "')")) {
                        result.next();
                        profiles.add(new DatasetProfile.ColumnProfile(column[0], column[1].toLowerCase(Locale.ROOT), result.getLong(1),
                                rows - result.getLong(1), result.getLong(2), Optional.empty(), Optional.empty(), Optional.empty(), List.of(),
                                List.of(), List.of()));
                    }
                }
                return new DatasetProfile(rows, profiles);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public TableData read(Path parquetFile, List<String> columns, long limit) {
            throw new UnsupportedOperationException("the testing profiler reads nothing");
        }
    }
}
