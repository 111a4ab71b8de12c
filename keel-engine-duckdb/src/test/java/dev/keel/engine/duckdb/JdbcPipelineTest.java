package dev.keel.engine.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.data.JdbcConnection;
import dev.keel.core.data.PipelineRun;
import dev.keel.core.data.RowAccounting;
import dev.keel.core.data.RunStatus;
import dev.keel.core.data.SourceAccess;
import dev.keel.spi.data.ValueRef;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A JDBC source and a JDBC table output against the real PostgreSQL on 127.0.0.1:5432 (database test). */
class JdbcPipelineTest {
    private static final String URL = "jdbc:postgresql://127.0.0.1:5432/test";

    @TempDir
    Path directory;

    @BeforeEach
    void createSourceTable() throws SQLException {
        try (Connection connection = DriverManager.getConnection(URL, "postgres", "");
             Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS keel_test_states");
            statement.execute("DROP TABLE IF EXISTS keel_test_states_out");
            statement.execute("CREATE TABLE keel_test_states (name TEXT, abbreviation TEXT, capital TEXT, admitted DATE,"
                    + " lat DOUBLE PRECISION, rank INTEGER)");
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO keel_test_states VALUES (?, ?, ?, ?, ?, ?)")) {
                int rank = 0;
                for (UsStates.State state : UsStates.ALL) {
                    insert.setString(1, state.name());
                    insert.setString(2, state.abbreviation());
                    insert.setString(3, state.name().equals("Ohio") ? null : state.capital());
                    insert.setObject(4, java.time.LocalDate.of(1800, 1, 1).plusDays(rank));
                    insert.setDouble(5, 30 + rank * 0.5);
                    insert.setInt(6, ++rank);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
        }
    }

    @AfterEach
    void dropTables() throws SQLException {
        try (Connection connection = DriverManager.getConnection(URL, "postgres", "");
             Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS keel_test_states");
            statement.execute("DROP TABLE IF EXISTS keel_test_states_out");
        }
    }

    @Test
    void jdbc_sourceAndTableOutput_roundTripThroughPostgres() throws SQLException {
        PipelineHarness harness = new PipelineHarness(directory, Map.of("PG_PASSWORD", "unused-with-trust-auth"),
                base -> SourceAccess.confinedTo(base, List.of(new JdbcConnection("shop", URL, "postgres", new ValueRef.Env("PG_PASSWORD"))),
                        false));

        PipelineRun run = harness.run("""
                pipeline: pg-states
                sources:
                  - name: states
                    type: jdbc
                    connection: shop
                    query: SELECT * FROM keel_test_states ORDER BY rank
                expectations:
                  - {name: capital-known, dataset: states, rule: not-null, column: capital, action: quarantine}
                outputs:
                  - dataset: pg-states
                    from: states
                    table:
                      connection: shop
                      table: keel_test_states_out
                """);

        // Ohio's capital is missing in the source table, so its row is quarantined: 50 in, 49 out, 1 quarantined.
        assertThat(run.error()).isEmpty();
        assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(run.accounting()).isEqualTo(new RowAccounting(50, 49, 1, 0, 0));
        var profile = harness.service.profile("pg-states", 1);
        assertThat(profile.column("admitted").orElseThrow().type()).isEqualTo("date");
        assertThat(profile.column("lat").orElseThrow().type()).isEqualTo("double");
        assertThat(profile.column("rank").orElseThrow().type()).isEqualTo("integer");
        List<String> written = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(URL, "postgres", "");
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT abbreviation, admitted FROM keel_test_states_out ORDER BY rank")) {
            while (rows.next()) {
                written.add(rows.getString(1) + " " + rows.getDate(2));
            }
        }
        assertThat(written).hasSize(49).startsWith("AL 1800-01-01").doesNotContain("OH 1800-02-04");
    }

    @Test
    void jdbc_unreachableDatabase_isTransientAndRetried() {
        PipelineHarness harness = new PipelineHarness(directory, Map.of("PG_PASSWORD", "x"), base -> SourceAccess.confinedTo(base,
                List.of(new JdbcConnection("closed", "jdbc:postgresql://127.0.0.1:1/test", "postgres", new ValueRef.Env("PG_PASSWORD"))),
                false));

        PipelineRun run = harness.run("""
                pipeline: unreachable
                retry: {max-attempts: 2, initial-backoff: 1s}
                sources:
                  - name: states
                    type: jdbc
                    connection: closed
                    query: SELECT 1
                outputs:
                  - {dataset: nothing, from: states}
                """);

        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.attempts()).isEqualTo(2);
        assertThat(harness.sleeps).hasSize(1);
        assertThat(run.error()).get().asString().contains("transient").contains("sources[0]").contains("SQLSTATE 08");
    }
}
