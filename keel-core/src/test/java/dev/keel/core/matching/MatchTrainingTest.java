package dev.keel.core.matching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.keel.core.matching.ComparisonLevel.Else;
import dev.keel.core.matching.ComparisonLevel.Exact;
import dev.keel.core.matching.ComparisonLevel.JaroWinklerAtLeast;
import dev.keel.core.matching.ComparisonLevel.LevenshteinAtMost;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MatchTrainingTest {

    private static final List<Comparison> COMPARISONS = List.of(
            Comparison.of("name", new Exact(), new JaroWinklerAtLeast(0.9), new Else()),
            Comparison.of("city", new Exact(), new LevenshteinAtMost(2), new Else()),
            Comparison.of("zip", new Exact(), new Else()));

    // the generating model: rows are comparisons, index 0 (null) unused
    private static final double LAMBDA = 0.2;
    private static final double[][] M = {{0, 0.85, 0.10, 0.05}, {0, 0.70, 0.20, 0.10}, {0, 0.90, 0.10}};
    private static final double[][] U = {{0, 0.02, 0.08, 0.90}, {0, 0.05, 0.10, 0.85}, {0, 0.10, 0.90}};

    private static int draw(double[] probabilities, Random random) {
        double r = random.nextDouble();
        double cumulative = 0;
        for (int l = 1; l < probabilities.length; l++) {
            cumulative += probabilities[l];
            if (r < cumulative) {
                return l;
            }
        }
        return probabilities.length - 1;
    }

    private static List<int[]> generated(long seed) {
        Random random = new Random(seed);
        List<int[]> vectors = new ArrayList<>();
        for (int p = 0; p < 40_000; p++) {
            boolean match = random.nextDouble() < LAMBDA;
            int[] levels = new int[COMPARISONS.size()];
            for (int k = 0; k < levels.length; k++) {
                // 5 % of values missing on one side
                levels[k] = random.nextDouble() < 0.05 ? 0 : draw(match ? M[k] : U[k], random);
            }
            vectors.add(levels);
        }
        return vectors;
    }

    @Test
    void expectationMaximisation_recoversTheGeneratingMAndLambda() {
        List<int[]> vectors = generated(20261207L);
        MatchModel start = MatchModel.untrained(COMPARISONS).withU(U).withLambda(0.05);

        MatchTraining.EmResult result = MatchTraining.expectationMaximisation(start, vectors, new MatchTraining.EmOptions(500, 1e-7, true, 1e-9));

        // 8 000 matches: the sampling error of an m is at most sqrt(0.25 / 7600) = 0.006; allow 0.02
        assertThat(result.converged()).isTrue();
        assertThat(result.model().lambda()).isCloseTo(LAMBDA, within(0.01));
        for (int k = 0; k < M.length; k++) {
            for (int l = 1; l < M[k].length; l++) {
                assertThat(result.model().m(k, l)).as("m of %s level %d", COMPARISONS.get(k).name(), l).isCloseTo(M[k][l], within(0.02));
                assertThat(result.model().u(k, l)).isEqualTo(U[k][l]);
            }
        }
        // deterministic
        MatchTraining.EmResult again = MatchTraining.expectationMaximisation(start, vectors, new MatchTraining.EmOptions(500, 1e-7, true, 1e-9));
        assertThat(again.model().m()).isDeepEqualTo(result.model().m());
        assertThat(again.iterations()).isEqualTo(result.iterations());
    }

    @Test
    void expectationMaximisation_withUFree_recoversUToo() {
        List<int[]> vectors = generated(99L);
        MatchModel start = MatchModel.untrained(COMPARISONS).withLambda(0.05);

        MatchTraining.EmResult result = MatchTraining.expectationMaximisation(start, vectors, new MatchTraining.EmOptions(1000, 1e-7, false, 1e-9));

        // 32 000 non-matches: sampling error of a u at most 0.003; m as above; the estimates are less tight without u fixed
        assertThat(result.converged()).isTrue();
        assertThat(result.model().lambda()).isCloseTo(LAMBDA, within(0.02));
        for (int k = 0; k < M.length; k++) {
            for (int l = 1; l < M[k].length; l++) {
                assertThat(result.model().m(k, l)).as("m of %s level %d", COMPARISONS.get(k).name(), l).isCloseTo(M[k][l], within(0.03));
                assertThat(result.model().u(k, l)).as("u of %s level %d", COMPARISONS.get(k).name(), l).isCloseTo(U[k][l], within(0.03));
            }
        }
    }

    @Test
    void expectationMaximisation_stopsAtTheIterationLimit() {
        List<int[]> vectors = List.of(new int[] {1, 1, 1}, new int[] {3, 3, 2}, new int[] {3, 2, 2}, new int[] {1, 1, 2});
        MatchModel start = MatchModel.untrained(COMPARISONS).withU(U);

        MatchTraining.EmResult result = MatchTraining.expectationMaximisation(start, vectors, new MatchTraining.EmOptions(1, 1e-12, true, 1e-9));

        assertThat(result.iterations()).isEqualTo(1);
        assertThat(result.converged()).isFalse();
    }

    @Test
    void estimateU_isTheLevelShareAmongRandomPairs() {
        List<Map<String, ?>> records = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            records.add(Map.of("name", "Person " + i, "city", i < 300 ? "Ketchikan" : "Juneau", "zip", "99" + (i % 1000)));
        }
        MatchModel model = MatchModel.untrained(COMPARISONS);

        MatchModel trained = MatchTraining.estimateU(model, records, 50_000, 42L);

        // two distinct records agree on city with probability (300 * 299 + 100 * 99) / (400 * 399) = 0.62406;
        // Ketchikan / Juneau are more than two edits apart, so level 2 is never seen: half a pair, 1 / (2 * 50 000)
        double exact = (300.0 * 299 + 100.0 * 99) / (400.0 * 399);
        assertThat(trained.u(1, 1)).isCloseTo(exact, within(0.01));
        assertThat(trained.u(1, 2)).isEqualTo(1.0 / 100_000);
        assertThat(trained.u(1, 3)).isCloseTo(1 - exact, within(0.01));
        // zips are all distinct: exact never seen
        assertThat(trained.u(2, 1)).isEqualTo(1.0 / 100_000);
        assertThat(MatchTraining.estimateU(model, records, 50_000, 42L).u()).isDeepEqualTo(trained.u());
    }

    @Test
    void mFromLabelledPairs_countsLevelsAmongTrueMatches() {
        List<int[]> vectors = List.of(new int[] {1, 1, 1}, new int[] {1, 2, 1}, new int[] {2, 0, 1}, new int[] {1, 1, 2}, new int[] {3, 3, 2});
        boolean[] labels = {true, true, true, true, false};

        MatchModel trained = MatchTraining.mFromLabelledPairs(MatchModel.untrained(COMPARISONS), vectors, labels);

        // name: levels 1,1,2,1 -> 3/4, 1/4, never seen -> 0.5 / 4; city (one null): 1,2,1 -> 2/3, 1/3, 0.5 / 3; zip 1,1,1,2
        assertThat(trained.m(0, 1)).isEqualTo(0.75);
        assertThat(trained.m(0, 2)).isEqualTo(0.25);
        assertThat(trained.m(0, 3)).isEqualTo(0.125);
        assertThat(trained.m(1, 1)).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(trained.m(1, 3)).isCloseTo(0.5 / 3, within(1e-12));
        assertThat(trained.m(2, 2)).isEqualTo(0.25);
    }
}
