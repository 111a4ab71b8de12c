package dev.keel.engine.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.matching.GeoPoint;
import dev.keel.core.matching.Keys;
import dev.keel.spi.data.Linkage;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The engine's precomputed-value levels agree with {@code Comparison.levelOf} on the raw values, level for level. */
class LinkageLevelsTest {
    private static final List<String> WORDS = List.of("Saint", "St.", "Louis", "louis", "LOUIS", "Lambert", "International",
            "Internationl", "Intl", "Utqiaġvik", "utqiagvik", "Anchorage", "Ted", "Stevens", "O'Hare", "OHare", "Chicago", "a", "",
            "   ", "Hartsfield-Jackson", "hartsfield jackson", "Zoë", "Zoe", "de", "la", "Nuñez", "Nunez", "x");

    private static String phrase(Random random) {
        StringBuilder phrase = new StringBuilder();
        int words = random.nextInt(4);
        for (int index = 0; index < words; index++) {
            phrase.append(index == 0 ? "" : random.nextInt(5) == 0 ? "  " : " ").append(WORDS.get(random.nextInt(WORDS.size())));
        }
        String text = phrase.toString();
        if (!text.isEmpty() && random.nextInt(4) == 0) {
            // a typo: one character dropped
            int at = random.nextInt(text.length());
            text = text.substring(0, at) + text.substring(at + 1);
        }
        return text;
    }

    @Test
    void everyLevelKind_agreesWithTheMatchingLibrary() {
        List<Linkage.ComparisonSpec> comparisons = List.of(
                new Linkage.ComparisonSpec("name", List.of("name"), List.of(Linkage.LevelSpec.of(Linkage.LevelKind.EXACT),
                        Linkage.LevelSpec.of(Linkage.LevelKind.NORMALISED), Linkage.LevelSpec.of(Linkage.LevelKind.TOKEN_SORTED),
                        Linkage.LevelSpec.of(Linkage.LevelKind.JARO_WINKLER, 0.92), new Linkage.LevelSpec(Linkage.LevelKind.JACCARD, 0.6, 2),
                        new Linkage.LevelSpec(Linkage.LevelKind.JACCARD, 0.5, 0), new Linkage.LevelSpec(Linkage.LevelKind.JACCARD, 0.4, 3),
                        new Linkage.LevelSpec(Linkage.LevelKind.JACCARD, 0.3, 5), Linkage.LevelSpec.of(Linkage.LevelKind.LEVENSHTEIN, 1),
                        Linkage.LevelSpec.of(Linkage.LevelKind.LEVENSHTEIN, 3), Linkage.LevelSpec.of(Linkage.LevelKind.JARO_WINKLER, 0.7)), true),
                new Linkage.ComparisonSpec("amount", List.of("amount"), List.of(Linkage.LevelSpec.of(Linkage.LevelKind.EXACT),
                        Linkage.LevelSpec.of(Linkage.LevelKind.ABSOLUTE_DIFFERENCE, 1), Linkage.LevelSpec.of(Linkage.LevelKind.RELATIVE_DIFFERENCE,
                                0.1)), false),
                new Linkage.ComparisonSpec("day", List.of("day"), List.of(Linkage.LevelSpec.of(Linkage.LevelKind.DAYS_APART, 1),
                        Linkage.LevelSpec.of(Linkage.LevelKind.DAYS_APART, 30)), false),
                LinkageFixture.geo("location", "lat", "lon"));
        Linkage linkage = new Linkage("", comparisons, List.of(LinkageFixture.rule("r", "name", Linkage.KeyFunction.EXACT)), 0.95,
                Linkage.Mode.ANY, Double.NaN, 0.01, 1000, LinkageFixture.training(), Linkage.Evaluation.none());
        LinkFields fields = new LinkFields(linkage, Map.of("name", "VARCHAR", "amount", "DOUBLE", "day", "DATE", "lat", "DOUBLE", "lon",
                "DOUBLE"), "steps[0]");
        Random random = new Random(1);
        int[] seen = new int[fields.comparisons().getFirst().levelCount()];
        for (int trial = 0; trial < 20_000; trial++) {
            String leftName = random.nextInt(20) == 0 ? null : phrase(random);
            String rightName = random.nextInt(3) == 0 ? leftName : phrase(random);
            double leftAmount = random.nextInt(100) / 4.0;
            double rightAmount = random.nextBoolean() ? leftAmount : leftAmount + random.nextInt(40) / 8.0 - 2;
            LocalDate leftDay = LocalDate.of(2020, 1, 1).plusDays(random.nextInt(100));
            LocalDate rightDay = leftDay.plusDays(random.nextInt(80) - 40);
            GeoPoint leftPoint = new GeoPoint(40 + random.nextDouble(), -74 + random.nextDouble());
            GeoPoint rightPoint = new GeoPoint(leftPoint.latitude() + random.nextGaussian() * 0.05, leftPoint.longitude());
            LinkFields.Values left = values(leftName, leftAmount, leftDay, leftPoint);
            LinkFields.Values right = values(rightName, rightAmount, rightDay, rightPoint);

            int name = fields.level(0, left, right);
            assertThat(name).as("%s / %s", leftName, rightName).isEqualTo(fields.comparisons().get(0).levelOf(leftName, rightName));
            assertThat(fields.level(1, left, right)).isEqualTo(fields.comparisons().get(1).levelOf(leftAmount, rightAmount));
            assertThat(fields.level(2, left, right)).isEqualTo(fields.comparisons().get(2).levelOf(leftDay, rightDay));
            assertThat(fields.level(3, left, right)).isEqualTo(fields.comparisons().get(3).levelOf(leftPoint, rightPoint));
            seen[name]++;
        }
        // Every name level was reached, so each kind was compared for real.
        assertThat(java.util.Arrays.stream(seen).boxed().toList()).allMatch(count -> count > 0);
    }

    private static LinkFields.Values values(String name, double amount, LocalDate day, GeoPoint point) {
        LinkFields.Values values = new LinkFields.Values(4);
        values.raw[0] = name;
        values.norm[0] = name == null ? null : Keys.normalised(name);
        values.sorted[0] = name == null ? null : LinkFields.sortTokens(values.norm[0]);
        values.raw[1] = Double.toString(amount);
        values.number[1] = amount;
        values.raw[2] = day.toString();
        values.day[2] = day.toEpochDay();
        values.raw[3] = point.latitude() + "," + point.longitude();
        values.latitude[3] = point.latitude();
        values.longitude[3] = point.longitude();
        return values;
    }
}
