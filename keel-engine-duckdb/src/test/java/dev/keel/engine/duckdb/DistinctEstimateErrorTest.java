package dev.keel.engine.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** The error profiles state for estimated distinct counts is the error DuckDB's estimator has. */
class DistinctEstimateErrorTest {
    @Test
    void statedRelativeStandardError_matchesTheMeasuredErrorOfTheEstimator() throws Exception {
        int sketches = 300;
        int distinct = 20_000;
        double measured;
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement statement = duck.createStatement();
             ResultSet result = statement.executeQuery("SELECT sqrt(avg(power((estimate - " + distinct + ") / " + distinct
                     + ".0, 2))) FROM (SELECT k, approx_count_distinct(hash(i, k)) AS estimate FROM range(" + sketches + ") a(k), range("
                     + distinct + ") b(i) GROUP BY k)")) {
            result.next();
            measured = result.getDouble(1);
        }

        // The root mean square of 300 relative errors is itself known to about 4 %; allow 25 % either way.
        assertThat(measured).isBetween(0.75 * Profiler.APPROXIMATE_DISTINCT_ERROR, 1.25 * Profiler.APPROXIMATE_DISTINCT_ERROR);
    }
}
