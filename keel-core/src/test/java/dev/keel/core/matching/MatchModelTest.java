package dev.keel.core.matching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import dev.keel.core.error.KeelException;
import dev.keel.core.matching.ComparisonLevel.Else;
import dev.keel.core.matching.ComparisonLevel.Exact;
import dev.keel.core.matching.ComparisonLevel.JaroWinklerAtLeast;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MatchModelTest {

    private static final List<Comparison> COMPARISONS = List.of(
            Comparison.of("name", new Exact(), new JaroWinklerAtLeast(0.9), new Else()),
            Comparison.of("city", new Exact(), new JaroWinklerAtLeast(0.9), new Else()));

    private static MatchModel model() {
        return MatchModel.of(COMPARISONS, 0.01,
                new double[][] {{0, 0.9, 0.07, 0.03}, {0, 0.8, 0.1, 0.1}},
                new double[][] {{0, 0.01, 0.04, 0.95}, {0, 0.05, 0.05, 0.9}});
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }

    @Test
    void weight_isPriorPlusLogBayesFactors() {
        // name exact (BF 0.9 / 0.01 = 90), city else (BF 0.1 / 0.9 = 1/9), prior odds 0.01 / 0.99 = 1/99:
        // posterior odds = 90 / (9 * 99) = 10 / 99, probability = 10 / 109
        Map<String, Object> left = Map.of("name", "Mary Olsen", "city", "Ketchikan");
        Map<String, Object> right = Map.of("name", "Mary Olsen", "city", "Anchorage");

        assertThat(model().weight(left, right)).isCloseTo(log2(10.0 / 99), within(1e-12));
        assertThat(model().probability(left, right)).isCloseTo(10.0 / 109, within(1e-12));
        assertThat(model().weight(new int[] {1, 3})).isCloseTo(log2(10.0 / 99), within(1e-12));
    }

    @Test
    void nullLevel_addsNoWeight() {
        Map<String, Object> left = new HashMap<>(Map.of("name", "Mary Olsen"));
        left.put("city", null);
        Map<String, Object> right = Map.of("name", "Mary Olsen", "city", "Anchorage");

        // prior odds 1/99 times BF 90 only: 90/99
        assertThat(model().weight(left, right)).isCloseTo(log2(90.0 / 99), within(1e-12));
        assertThat(model().explain(left, right).terms().get(1).weight()).isZero();
    }

    @Test
    void explain_listsEachComparisonsLevelMUAndWeight() {
        Map<String, Object> left = Map.of("name", "Mary Olsen", "city", "Ketchikan");
        Map<String, Object> right = Map.of("name", "Mary Olson", "city", "Ketchikan");

        PairExplanation explanation = model().explain(left, right);

        assertThat(explanation.priorWeight()).isCloseTo(log2(1.0 / 99), within(1e-12));
        assertThat(explanation.terms()).extracting(PairExplanation.Term::comparison, PairExplanation.Term::level, PairExplanation.Term::label)
                .containsExactly(tuple("name", 2, "jaro-winkler >= 0.9"), tuple("city", 1, "exact"));
        assertThat(explanation.terms().get(0).m()).isEqualTo(0.07);
        assertThat(explanation.terms().get(0).u()).isEqualTo(0.04);
        assertThat(explanation.terms().get(0).weight()).isCloseTo(log2(0.07 / 0.04), within(1e-12));
        assertThat(explanation.terms().get(1).weight()).isCloseTo(log2(16), within(1e-12));
        // odds = 1/99 * 1.75 * 16 = 28/99
        assertThat(explanation.matchWeight()).isCloseTo(log2(28.0 / 99), within(1e-12));
        assertThat(explanation.probability()).isCloseTo(28.0 / 127, within(1e-12));
    }

    @Test
    void termFrequencies_makeARareTownWeighMoreThanACommonWord() {
        List<Comparison> comparisons = List.of(Comparison.of("place", new Exact(), new Else()).withTermFrequencies());
        List<Map<String, ?>> records = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            records.add(Map.of("place", "Municipal"));
        }
        records.add(Map.of("place", "Ketchikan"));
        records.add(Map.of("place", "Ketchikan"));
        for (int i = 0; i < 48; i++) {
            records.add(Map.of("place", "Town " + i));
        }
        MatchModel model = MatchModel.of(comparisons, 0.01, new double[][] {{0, 0.9, 0.1}}, new double[][] {{0, 0.1, 0.9}})
                .withTermFrequencies(records);
        Map<String, Object> ketchikan = Map.of("place", "Ketchikan");
        Map<String, Object> municipal = Map.of("place", "Municipal");

        double rare = model.explain(ketchikan, ketchikan).terms().getFirst().weight();
        double common = model.explain(municipal, municipal).terms().getFirst().weight();

        // shares over 100 records: Ketchikan 2 / 100, Municipal 50 / 100
        assertThat(rare).isCloseTo(log2(0.9 / 0.02), within(1e-12));
        assertThat(common).isCloseTo(log2(0.9 / 0.5), within(1e-12));
        assertThat(rare).isGreaterThan(common);
        assertThat(model.explain(ketchikan, ketchikan).terms().getFirst().termFrequencyAdjusted()).isTrue();
        // a value never counted keeps the level's u
        Map<String, Object> unseen = Map.of("place", "Wrangell");
        assertThat(model.explain(unseen, unseen).terms().getFirst().weight()).isCloseTo(log2(0.9 / 0.1), within(1e-12));
        // counts are of the normalised value: case does not split them
        MatchModel normalised = MatchModel.of(List.of(Comparison.of("place", new ComparisonLevel.NormalisedExact(), new Else()).withTermFrequencies()),
                0.01, new double[][] {{0, 0.9, 0.1}}, new double[][] {{0, 0.1, 0.9}}).withTermFrequencies("place",
                new TermFrequencies("place", Map.of("ketchikan", 0.02), 0.001));
        assertThat(normalised.explain(ketchikan, Map.of("place", "KETCHIKAN")).terms().getFirst().u()).isEqualTo(0.02);
    }

    @Test
    void termFrequencies_areFlooredAtOneRecordsShare() {
        TermFrequencies frequencies = TermFrequencies.count("place", List.of(Map.of("place", "Sitka"), Map.of("place", "Nome"),
                Map.of("place", "Nome"), Map.of("place", "Nome")));

        assertThat(frequencies.minimum()).isEqualTo(0.25);
        assertThat(frequencies.share("Nome").getAsDouble()).isEqualTo(0.75);
        assertThat(frequencies.share("SITKA").getAsDouble()).isEqualTo(0.25);
        assertThat(new TermFrequencies("place", Map.of("nome", 0.001), 0.01).share("Nome").getAsDouble()).isEqualTo(0.01);
    }

    @Test
    void of_aZeroProbability_isRefusedNamingComparisonAndLevel() {
        assertThatThrownBy(() -> MatchModel.of(COMPARISONS, 0.01, new double[][] {{0, 0.9, 0.07, 0.03}, {0, 0.8, 0.2, 0}},
                new double[][] {{0, 0.01, 0.04, 0.95}, {0, 0.05, 0.05, 0.9}}))
                .isInstanceOf(KeelException.class)
                .hasMessage("m of comparison 'city' level 3 ('else') must be in (0, 1] (got 0.0)");
        assertThatThrownBy(() -> model().withLambda(1))
                .hasMessage("the prior λ must be in (0, 1) (got 1.0)");
        assertThatThrownBy(() -> model().withU(new double[][] {{0, 0.5, 0.5}}))
                .hasMessage("u has 1 rows for 2 comparisons");
    }
}
