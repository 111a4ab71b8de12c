package dev.keel.core.matching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.keel.core.error.KeelException;
import dev.keel.core.matching.ComparisonLevel.AbsoluteDifferenceAtMost;
import dev.keel.core.matching.ComparisonLevel.DaysApartAtMost;
import dev.keel.core.matching.ComparisonLevel.Else;
import dev.keel.core.matching.ComparisonLevel.Exact;
import dev.keel.core.matching.ComparisonLevel.JaccardAtLeast;
import dev.keel.core.matching.ComparisonLevel.JaroWinklerAtLeast;
import dev.keel.core.matching.ComparisonLevel.KilometresApartAtMost;
import dev.keel.core.matching.ComparisonLevel.LevenshteinAtMost;
import dev.keel.core.matching.ComparisonLevel.NormalisedExact;
import dev.keel.core.matching.ComparisonLevel.RelativeDifferenceAtMost;
import dev.keel.core.matching.ComparisonLevel.TokenSortedExact;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ComparisonLevelTest {

    private static final GeoPoint KETCHIKAN = new GeoPoint(55.3422, -131.6461);
    private static final GeoPoint JUNEAU = new GeoPoint(58.3019, -134.4197);

    @Test
    void levelOf_eitherSideNull_isTheNullLevel() {
        Comparison city = Comparison.of("city", new Exact(), new Else());
        Map<String, Object> missing = new HashMap<>();
        missing.put("city", null);

        assertThat(city.levelOf(null, "Ketchikan")).isZero();
        assertThat(city.levelOf("Ketchikan", null)).isZero();
        assertThat(city.levelOf(missing, Map.of("city", "Ketchikan"))).isZero();
        assertThat(city.levelOf(Map.of(), Map.of("city", "Ketchikan"))).isZero();
    }

    @Test
    void levelOf_firstLevelThatHoldsWins() {
        Comparison city = Comparison.of("city", new Exact(), new NormalisedExact(), new JaroWinklerAtLeast(0.9), new Else());

        assertThat(city.levelOf("Ketchikan", "Ketchikan")).isEqualTo(1);
        assertThat(city.levelOf("KETCHIKAN ", "ketchikan")).isEqualTo(2);
        assertThat(city.levelOf("Ketchikan", "Ketchican")).isEqualTo(3);
        assertThat(city.levelOf("Ketchikan", "Anchorage")).isEqualTo(4);
        assertThat(city.labels()).containsExactly("null", "exact", "exact after normalisation", "jaro-winkler >= 0.9", "else");
    }

    @Test
    void normalisedExact_ignoresCaseAccentsPunctuationAndSpacing() {
        NormalisedExact level = new NormalisedExact();

        assertThat(level.holds("Utqiaġvik", "utqiagvik")).isTrue();
        assertThat(level.holds("  Nome,  AK ", "nome ak")).isTrue();
        assertThat(level.holds("St. Louis", "St Louis")).isTrue();
        assertThat(level.holds("St. Louis", "Saint Louis")).isFalse();
    }

    @Test
    void tokenSortedExact_ignoresWordOrder() {
        assertThat(new TokenSortedExact().holds("Louis, St.", "St Louis")).isTrue();
        assertThat(new TokenSortedExact().holds("North Pole", "Pole")).isFalse();
    }

    @Test
    void jaroWinkler_matchesHandComputedSimilarity() {
        // Ketchikan / Ketchican: 9 letters each, match window 3; 8 matching characters (the k at 6 and the c at 6 find no
        // partner), no transpositions: Jaro = (8/9 + 8/9 + 8/8) / 3 = 0.925926; common prefix 4, p = 0.1:
        // Jaro-Winkler = 0.925926 + 4 * 0.1 * (1 - 0.925926) = 0.955556
        assertThat(new JaroWinklerAtLeast(0.955).holds("Ketchikan", "Ketchican")).isTrue();
        assertThat(new JaroWinklerAtLeast(0.956).holds("Ketchikan", "Ketchican")).isFalse();
    }

    @Test
    void levenshtein_countsEditsAfterNormalisation() {
        // "st louis" -> "saint louis" inserts a, i, n
        assertThat(new LevenshteinAtMost(3).holds("St. Louis", "Saint Louis")).isTrue();
        assertThat(new LevenshteinAtMost(2).holds("St. Louis", "Saint Louis")).isFalse();
        assertThat(new LevenshteinAtMost(0).holds("Sitka", "SITKA")).isTrue();
    }

    @Test
    void jaccard_onTokensAndOnQGrams() {
        // tokens {fairbanks, north, star, borough} and {north, star, borough}: 3 / 4
        assertThat(new JaccardAtLeast(0.75, 0).holds("Fairbanks North Star Borough", "North Star Borough")).isTrue();
        assertThat(new JaccardAtLeast(0.76, 0).holds("Fairbanks North Star Borough", "North Star Borough")).isFalse();
        // bigrams {no, om, me} and {no, om, ma}: 2 / 4
        assertThat(new JaccardAtLeast(0.5, 2).holds("Nome", "Noma")).isTrue();
        assertThat(new JaccardAtLeast(0.51, 2).holds("Nome", "Noma")).isFalse();
    }

    @Test
    void numericBands_absoluteAndRelative() {
        assertThat(new AbsoluteDifferenceAtMost(2).holds(1500, 1502L)).isTrue();
        assertThat(new AbsoluteDifferenceAtMost(1).holds(1500, 1502L)).isFalse();
        // |100 - 110| / 110 = 0.0909
        assertThat(new RelativeDifferenceAtMost(0.1).holds(100, 110.0)).isTrue();
        assertThat(new RelativeDifferenceAtMost(0.09).holds(100, 110.0)).isFalse();
        assertThat(new RelativeDifferenceAtMost(0).holds(0, 0)).isTrue();
    }

    @Test
    void dateBands_countDaysAcrossALeapDay() {
        LocalDate before = LocalDate.of(2024, 2, 27);
        LocalDate after = LocalDate.of(2024, 3, 1);
        // 27 Feb -> 28 -> 29 -> 1 Mar
        assertThat(new DaysApartAtMost(3).holds(before, after)).isTrue();
        assertThat(new DaysApartAtMost(2).holds(after, before)).isFalse();
    }

    @Test
    void distance_isHaversineKilometres() {
        // one degree along a meridian is R * pi / 180 = 111.19508 km
        assertThat(new GeoPoint(60, -150).kilometresTo(new GeoPoint(61, -150))).isCloseTo(6371.0088 * Math.PI / 180, within(1e-9));
        // Ketchikan to Juneau by the haversine formula (R = 6371.0088 km), evaluated separately: 369.78 km
        assertThat(KETCHIKAN.kilometresTo(JUNEAU)).isCloseTo(369.783, within(0.01));
        assertThat(new KilometresApartAtMost(400).holds(KETCHIKAN, JUNEAU)).isTrue();
        assertThat(new KilometresApartAtMost(350).holds(KETCHIKAN, JUNEAU)).isFalse();
    }

    @Test
    void wrongValueType_failsNamingTheLevelAndTheValue() {
        assertThatThrownBy(() -> new DaysApartAtMost(3).holds("2024-02-27", LocalDate.of(2024, 3, 1)))
                .isInstanceOf(KeelException.class)
                .hasMessageContaining("days apart <= 3")
                .hasMessageContaining("String '2024-02-27'");
    }

    @Test
    void comparison_withoutElseLast_isRefused() {
        assertThatThrownBy(() -> new Comparison("city", "city", List.of(new Exact()), false))
                .isInstanceOf(KeelException.class)
                .hasMessageContaining("comparison 'city' must end with an else level");
        assertThatThrownBy(() -> Comparison.of("city", new JaroWinklerAtLeast(0.9), new Else()).withTermFrequencies())
                .hasMessageContaining("no exact-match level");
    }
}
