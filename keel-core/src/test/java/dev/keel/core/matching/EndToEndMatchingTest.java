package dev.keel.core.matching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import dev.keel.core.matching.ComparisonLevel.DaysApartAtMost;
import dev.keel.core.matching.ComparisonLevel.Else;
import dev.keel.core.matching.ComparisonLevel.Exact;
import dev.keel.core.matching.ComparisonLevel.JaroWinklerAtLeast;
import dev.keel.core.matching.ComparisonLevel.KilometresApartAtMost;
import dev.keel.core.matching.ComparisonLevel.NormalisedExact;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Unlabelled training on generated duplicates, then clustering, judged against the generator's truth. */
class EndToEndMatchingTest {

    private static final String[] FIRST = {"Mary", "James", "Aiyana", "Robert", "Linda", "Michael", "Nanook", "Susan", "David", "Karen", "Joseph",
        "Nancy", "Thomas", "Betty", "Charles", "Helen", "Daniel", "Sandra", "Paul", "Donna"};
    private static final String[] LAST = {"Olsen", "Johnson", "Kawagley", "Peterson", "Smith", "Nelson", "Andersen", "Hansen", "Larsen", "Brown",
        "Miller", "Wilson", "Moore", "Taylor", "Jackson", "White", "Harris", "Martin", "Garcia", "Clark"};
    private static final String[] TOWNS = {"Anchorage", "Anchorage", "Anchorage", "Anchorage", "Fairbanks", "Fairbanks", "Juneau", "Ketchikan", "Sitka",
        "Nome", "Bethel", "Kodiak"};
    private static final GeoPoint[] TOWN_POINTS = {new GeoPoint(61.2181, -149.9003), new GeoPoint(61.2181, -149.9003), new GeoPoint(61.2181, -149.9003),
        new GeoPoint(61.2181, -149.9003), new GeoPoint(64.8378, -147.7164), new GeoPoint(64.8378, -147.7164), new GeoPoint(58.3019, -134.4197),
        new GeoPoint(55.3422, -131.6461), new GeoPoint(57.0531, -135.3300), new GeoPoint(64.5011, -165.4064), new GeoPoint(60.7922, -161.7558),
        new GeoPoint(57.7900, -152.4072)};

    @Test
    void unlabelledTraining_thenClustering_findsTheGeneratedEntities() {
        Random random = new Random(7L);
        List<Map<String, ?>> records = new ArrayList<>();
        Map<Long, Long> truth = new HashMap<>();
        for (int entity = 0; entity < 200; entity++) {
            String name = FIRST[entity % 20] + " " + LAST[entity / 10 % 20];
            int town = random.nextInt(TOWNS.length);
            LocalDate born = LocalDate.of(1940, 1, 1).plusDays(random.nextInt(25_000));
            GeoPoint centre = TOWN_POINTS[town];
            GeoPoint home = new GeoPoint(centre.latitude() + random.nextGaussian() * 0.05, centre.longitude() + random.nextGaussian() * 0.05);
            int copies = 1 + random.nextInt(3);
            long first = records.size();
            for (int copy = 0; copy < copies; copy++) {
                Map<String, Object> record = new HashMap<>();
                record.put("name", copy > 0 && random.nextDouble() < 0.3 ? typo(name, random) : name);
                record.put("city", copy > 0 && random.nextDouble() < 0.1 ? null : TOWNS[town]);
                record.put("born", copy > 0 && random.nextDouble() < 0.2 ? born.plusDays(1) : born);
                record.put("home", home);
                truth.put((long) records.size(), first);
                records.add(record);
            }
        }
        List<Comparison> comparisons = List.of(
                Comparison.of("name", new Exact(), new JaroWinklerAtLeast(0.9), new Else()),
                Comparison.of("city", new NormalisedExact(), new Else()).withTermFrequencies(),
                Comparison.of("born", new Exact(), new DaysApartAtMost(1), new Else()),
                Comparison.of("home", new KilometresApartAtMost(1), new KilometresApartAtMost(20), new Else()));
        MatchModel withU = MatchTraining.estimateU(MatchModel.untrained(comparisons), records, 100_000, 11L);
        List<int[]> vectors = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            for (int j = i + 1; j < records.size(); j++) {
                vectors.add(withU.levels(records.get(i), records.get(j)));
            }
        }
        MatchModel model = MatchTraining.expectationMaximisation(withU.withLambda(0.01), vectors, MatchTraining.EmOptions.defaults()).model()
                .withTermFrequencies(records);
        List<ScoredPair> pairs = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            for (int j = i + 1; j < records.size(); j++) {
                pairs.add(new ScoredPair(i, j, model.weight(records.get(i), records.get(j))));
            }
        }

        Map<Long, Long> clusters = Clustering.connectedComponents(0.9).cluster(truth.keySet(), pairs);
        MatchMetrics metrics = MatchMetrics.evaluate(clusters, truth);

        Map<Long, Long> sizes = new HashMap<>();
        truth.values().forEach(cluster -> sizes.merge(cluster, 1L, Long::sum));
        double truePairs = sizes.values().stream().mapToDouble(n -> n * (n - 1) / 2.0).sum();
        double allPairs = records.size() * (records.size() - 1) / 2.0;
        // EM over all pairs estimates the share of pairs that match
        assertThat(model.lambda()).isCloseTo(truePairs / allPairs, withinPercentage(20));
        assertThat(metrics.pairwisePrecision()).isGreaterThan(0.95);
        assertThat(metrics.pairwiseRecall()).isGreaterThan(0.95);
        assertThat(metrics.bcubedF1()).isGreaterThan(0.95);
    }

    private static String typo(String name, Random random) {
        int at = 1 + random.nextInt(name.length() - 2);
        char[] letters = name.toCharArray();
        char swap = letters[at];
        letters[at] = letters[at + 1];
        letters[at + 1] = swap;
        return new String(letters);
    }
}
