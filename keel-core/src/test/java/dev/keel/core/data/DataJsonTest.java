package dev.keel.core.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.keel.spi.data.DatasetProfile;
import org.junit.jupiter.api.Test;

/** Stored JSON from before a field existed still reads. */
class DataJsonTest {
    @Test
    void profile_storedBeforeDistinctCountsSaidWhetherTheyAreApproximate_readsAsExact() {
        String stored = """
                {"rows": 3, "columns": [{"name": "age", "type": "integer", "count": 2, "nulls": 1, "distinct": 2, "min": "19",
                 "max": "75", "mean": 47.0, "quantiles": [], "histogram": [], "topValues": []}]}
                """;

        DatasetProfile profile = DataJson.read(stored, new TypeReference<>() { });

        DatasetProfile.ColumnProfile age = profile.column("age").orElseThrow();
        assertThat(age.distinct()).isEqualTo(2);
        assertThat(age.approximate()).isFalse();
        assertThat(age.distinctError()).isZero();
        assertThat(age.min()).contains("19");
    }

    @Test
    void profile_withAnEstimatedDistinctCount_roundTrips() {
        DatasetProfile profile = new DatasetProfile(5_000_000, java.util.List.of(new DatasetProfile.ColumnProfile("id", "integer",
                5_000_000, 0, 4_871_204, true, 0.033, java.util.Optional.of("1"), java.util.Optional.of("5000000"),
                java.util.Optional.empty(), java.util.List.of(), java.util.List.of(), java.util.List.of())));

        String json = DataJson.write(profile);

        assertThat(json).contains("\"approximate\":true").contains("\"distinctError\":0.033");
        assertThat(DataJson.<DatasetProfile>read(json, new TypeReference<>() { })).isEqualTo(profile);
    }

    @Test
    void linkageReports_withNonFiniteWeightsAndPrecisions_roundTrip() {
        java.util.List<dev.keel.spi.data.LinkageReport> reports = java.util.List.of(LinkageReports.evaluated("airports"),
                LinkageReports.unevaluated("golden"));

        String json = DataJson.write(reports);

        assertThat(json).contains("\"candidatePairs\":5", "\"weight\":\"-Infinity\"", "\"precision\":\"NaN\"", "\"evaluation\":null");
        assertThat(DataJson.<java.util.List<dev.keel.spi.data.LinkageReport>>read(json, new TypeReference<>() { })).isEqualTo(reports);
    }
}
