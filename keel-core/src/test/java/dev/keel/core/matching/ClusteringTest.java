package dev.keel.core.matching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusteringTest {

    private static final List<Long> SIX = List.of(1L, 2L, 3L, 4L, 5L, 6L);

    @Test
    void connectedComponents_linkPairsAtOrAboveTheThreshold() {
        // weight 0 is probability 0.5; weight -1 is 1/3
        List<ScoredPair> pairs = List.of(new ScoredPair(2, 1, 5), new ScoredPair(3, 2, 0), new ScoredPair(5, 4, 8), new ScoredPair(6, 5, -1));

        Map<Long, Long> clusters = Clustering.connectedComponents(0.5).cluster(SIX, pairs);

        assertThat(clusters).containsOnly(entry(1L, 1L), entry(2L, 1L), entry(3L, 1L), entry(4L, 4L), entry(5L, 4L), entry(6L, 6L));
    }

    private static List<ScoredPair> twoTrianglesAnd(ScoredPair... more) {
        List<ScoredPair> pairs = new java.util.ArrayList<>(List.of(new ScoredPair(1, 2, 10), new ScoredPair(2, 3, 10), new ScoredPair(1, 3, 10),
                new ScoredPair(4, 5, 10), new ScoredPair(5, 6, 10), new ScoredPair(4, 6, 10)));
        pairs.addAll(List.of(more));
        return pairs;
    }

    @Test
    void breakingBridges_dropsAWeakUnconfirmedLink() {
        List<ScoredPair> pairs = twoTrianglesAnd(new ScoredPair(3, 4, 2));

        assertThat(Clustering.connectedComponents(0.5).cluster(SIX, pairs).values()).containsOnly(1L);
        assertThat(Clustering.connectedComponents(0.5).breakingBridgesBelow(5).cluster(SIX, pairs))
                .containsOnly(entry(1L, 1L), entry(2L, 1L), entry(3L, 1L), entry(4L, 4L), entry(5L, 4L), entry(6L, 4L));
    }

    @Test
    void breakingBridges_keepsAWeakLinkThatACommonNeighbourConfirms() {
        // 2 is linked to both 3 and 4, so 3-4 closes a triangle
        List<ScoredPair> pairs = twoTrianglesAnd(new ScoredPair(3, 4, 2), new ScoredPair(2, 4, 2));

        assertThat(Clustering.connectedComponents(0.5).breakingBridgesBelow(5).cluster(SIX, pairs).values()).containsOnly(1L);
    }

    @Test
    void breakingBridges_keepsAStrongLink() {
        List<ScoredPair> pairs = twoTrianglesAnd(new ScoredPair(3, 4, 6));

        assertThat(Clustering.connectedComponents(0.5).breakingBridgesBelow(5).cluster(SIX, pairs).values()).containsOnly(1L);
    }

    @Test
    void oneToOne_usesEachRecordOnceTakingTheHeaviestPairsFirst() {
        Map<Long, String> sources = Map.of(1L, "census", 2L, "census", 11L, "permits", 12L, "permits");
        List<ScoredPair> pairs = List.of(new ScoredPair(1, 11, 8), new ScoredPair(1, 12, 6), new ScoredPair(2, 11, 7), new ScoredPair(2, 12, 3));
        List<Long> records = List.of(1L, 2L, 11L, 12L);

        // greedy: 1-11 (8) taken; 2-11 (7) and 1-12 (6) reuse a record; 2-12 (3) taken
        assertThat(Clustering.connectedComponents(0.5).oneToOne(sources).cluster(records, pairs))
                .containsOnly(entry(1L, 1L), entry(11L, 1L), entry(2L, 2L), entry(12L, 2L));
        assertThat(Clustering.connectedComponents(0.5).cluster(records, pairs).values()).containsOnly(1L);
    }

    @Test
    void crossSourceOnly_neverLinksTwoRecordsOfOneSource() {
        Map<Long, String> sources = Map.of(1L, "census", 2L, "census", 11L, "permits");
        List<ScoredPair> pairs = List.of(new ScoredPair(1, 2, 20), new ScoredPair(2, 11, 4));
        List<Long> records = List.of(1L, 2L, 11L);

        assertThat(Clustering.connectedComponents(0.5).crossSourceOnly(sources).cluster(records, pairs))
                .containsOnly(entry(1L, 1L), entry(2L, 2L), entry(11L, 2L));
    }
}
