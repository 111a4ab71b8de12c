package dev.keel.engine.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.spi.data.DataEngine;
import dev.keel.spi.data.DataEngineException;
import dev.keel.spi.data.DatasetProfile;
import dev.keel.spi.data.EngineResult;
import dev.keel.spi.data.ExecutionContext;
import dev.keel.spi.data.PipelinePlan;
import dev.keel.spi.data.TableData;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link DuckDbEngine#lookup}: rows of a Parquet file by the text of one column, the values bound as parameters. */
class LookupTest {
    @TempDir
    Path directory;

    private Path file;
    private final DuckDbEngine engine = new DuckDbEngine();

    @BeforeEach
    void write() throws Exception {
        file = directory.resolve("clusters.parquet");
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement statement = duck.createStatement()) {
            statement.execute("COPY (SELECT * FROM (VALUES ('faa:LAX', 17::BIGINT, 'LFNK'), ('osm:4411', 17, NULL), ('x'' OR 1=1', 3, 'K'),"
                    + " ('ourairports:LAX', 17, 'LPNK')) AS t(record_id, cluster_id, \"key name-sound\")) TO '" + file + "' (FORMAT parquet)");
        }
    }

    @Test
    void lookup_returnsTheRowsWhoseColumnAsTextIsOneOfTheValues_inFileOrder() {
        TableData rows = engine.lookup(file, List.of(), "record_id", List.of("ourairports:LAX", "faa:LAX", "absent"), 10);

        assertThat(rows.columns()).containsExactly("record_id", "cluster_id", "key name-sound");
        assertThat(rows.types()).containsExactly("string", "integer", "string");
        assertThat(rows.rows()).extracting(row -> row[0]).containsExactly("faa:LAX", "ourairports:LAX");
    }

    @Test
    void lookup_comparesNumbersAsText_picksColumns_andStopsAtTheLimit() {
        TableData members = engine.lookup(file, List.of("record_id"), "cluster_id", List.of("17"), 2);

        assertThat(members.columns()).containsExactly("record_id");
        assertThat(members.rows()).extracting(row -> row[0]).containsExactly("faa:LAX", "osm:4411");
    }

    @Test
    void lookup_bindsValues_soQuotesAndSqlInThemAreMatchedLiterally() {
        assertThat(engine.lookup(file, List.of(), "record_id", List.of("' OR 1=1 --", "x') OR true --"), 10).rows()).isEmpty();
        assertThat(engine.lookup(file, List.of(), "record_id", List.of("x' OR 1=1"), 10).rows()).hasSize(1);
        assertThat(engine.lookup(file, List.of(), "key name-sound", List.of(), 10).rows()).isEmpty();
        assertThat(engine.lookup(file, List.of(), "record_id", List.of("faa:LAX\u0000", "\uD83D\uDE00\t\n", "x".repeat(100_000)), 10)
                .rows()).isEmpty();
    }

    @Test
    void theSpisDefaultLookup_overRead_findsWhatTheDuckDbLookupFinds() {
        DataEngine readOnly = new DataEngine() {
            @Override
            public String name() {
                return "read-only";
            }

            @Override
            public EngineResult execute(PipelinePlan plan, ExecutionContext context) {
                throw new UnsupportedOperationException("reads only");
            }

            @Override
            public DatasetProfile profile(Path parquetFile) {
                return engine.profile(parquetFile);
            }

            @Override
            public TableData read(Path parquetFile, List<String> columns, long limit) {
                return engine.read(parquetFile, columns, limit);
            }
        };

        for (List<String> values : List.of(List.of("17"), List.of("3", "17"), List.of("nothing"))) {
            TableData fallback = readOnly.lookup(file, List.of("record_id", "key name-sound"), "cluster_id", values, 2);
            TableData scanned = engine.lookup(file, List.of("record_id", "key name-sound"), "cluster_id", values, 2);
            assertThat(fallback.columns()).isEqualTo(scanned.columns());
            assertThat(fallback.types()).isEqualTo(scanned.types());
            assertThat(fallback.rows()).zipSatisfy(scanned.rows(), (left, right) -> assertThat(left).containsExactly(right));
            assertThat(fallback.rows()).hasSameSizeAs(scanned.rows());
        }
        assertThatThrownBy(() -> readOnly.lookup(file, List.of(), "nope", List.of("a"), 1)).isInstanceOf(DataEngineException.class)
                .hasMessageContaining("no column 'nope'");
    }

    @Test
    void lookup_byAColumnTheFileLacks_isBadData() {
        assertThatThrownBy(() -> engine.lookup(file, List.of(), "nope", List.of("a"), 10))
                .isInstanceOfSatisfying(DataEngineException.class, e -> {
                    assertThat(e.kind()).isEqualTo(DataEngineException.Kind.BAD_DATA);
                    assertThat(e.getMessage()).contains("nope", "clusters.parquet");
                });
    }
}
