package dev.keel.core.matching;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The entry points a pipeline engine uses: keys of normalised text, grouped EM, the links a clustering kept, point distances. */
class LinkageHelpersTest {

    @Test
    void keys_normaliseSortAndTakeTheFirstTokenAsTheLevelsDo() {
        assertThat(Keys.normalised("  Louis,  St. ")).isEqualTo("louis st");
        assertThat(Keys.sortedTokens("Louis, St.")).isEqualTo("louis st").isEqualTo(Keys.sortedTokens("st LOUIS"));
        assertThat(Keys.firstToken("Utqiaġvik  Airport")).isEqualTo("utqiagvik");
        assertThat(Keys.firstToken("!!")).isEmpty();
    }

    @Test
    void groupedVectors_giveTheSameEmResultAsTheVectorsOneByOne() {
        List<Comparison> comparisons = List.of(Comparison.of("name", new ComparisonLevel.Exact(), new ComparisonLevel.Else()),
                Comparison.of("town", new ComparisonLevel.Exact(), new ComparisonLevel.Else()));
        MatchModel start = MatchModel.untrained(comparisons).withU(new double[][] {{1, 0.01, 0.99}, {1, 0.1, 0.9}});
        int[][] patterns = {{1, 1}, {1, 2}, {2, 1}, {2, 2}, {0, 1}};
        long[] counts = {40, 5, 30, 900, 7};
        List<int[]> vectors = new ArrayList<>();
        for (int p = 0; p < patterns.length; p++) {
            for (long c = 0; c < counts[p]; c++) {
                vectors.add(patterns[p]);
            }
        }

        MatchTraining.EmResult one = MatchTraining.expectationMaximisation(start, vectors, MatchTraining.EmOptions.defaults());
        MatchTraining.EmResult grouped = MatchTraining.expectationMaximisation(start, patterns, counts, MatchTraining.EmOptions.defaults());

        assertThat(grouped.iterations()).isEqualTo(one.iterations());
        assertThat(grouped.model().lambda()).isEqualTo(one.model().lambda());
        assertThat(grouped.model().m()).isDeepEqualTo(one.model().m());
    }

    @Test
    void link_returnsTheEdgesKept() {
        List<Long> records = List.of(1L, 2L, 3L, 4L);
        List<ScoredPair> pairs = List.of(new ScoredPair(1, 2, 10), new ScoredPair(1, 3, 8), new ScoredPair(3, 4, -5));
        Map<Long, String> sources = Map.of(1L, "a", 2L, "b", 3L, "b", 4L, "a");

        Clustering.Result any = Clustering.connectedComponents(0.5).link(records, pairs);
        Clustering.Result oneToOne = Clustering.connectedComponents(0.5).oneToOne(sources).link(records, pairs);

        assertThat(any.links()).containsExactly(new ScoredPair(1, 2, 10), new ScoredPair(1, 3, 8));
        assertThat(any.clusters()).isEqualTo(Map.of(1L, 1L, 2L, 1L, 3L, 1L, 4L, 4L));
        assertThat(oneToOne.links()).containsExactly(new ScoredPair(1, 2, 10));
        assertThat(oneToOne.clusters()).isEqualTo(Map.of(1L, 1L, 2L, 1L, 3L, 3L, 4L, 4L));
    }

    @Test
    void kilometres_isTheHaversineDistanceOfTwoPoints() {
        GeoPoint anchorage = new GeoPoint(61.1744, -149.9964);
        GeoPoint juneau = new GeoPoint(58.3550, -134.5763);

        assertThat(GeoPoint.kilometres(61.1744, -149.9964, 58.3550, -134.5763)).isEqualTo(anchorage.kilometresTo(juneau));
    }
}
