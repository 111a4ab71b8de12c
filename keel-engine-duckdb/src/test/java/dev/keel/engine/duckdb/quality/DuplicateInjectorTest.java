package dev.keel.engine.duckdb.quality;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.matching.GeoPoint;
import dev.keel.engine.duckdb.quality.DuplicateInjector.Convention;
import dev.keel.engine.duckdb.quality.DuplicateInjector.Entity;
import dev.keel.engine.duckdb.quality.DuplicateInjector.Noise;
import dev.keel.engine.duckdb.quality.DuplicateInjector.Source;
import dev.keel.engine.duckdb.quality.DuplicateInjector.Written;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.commons.text.similarity.LevenshteinDistance;
import org.junit.jupiter.api.Test;

/** The injector's rules do what docs/benchmarks.md says, at the stated rates, and the same seed writes the same records. */
class DuplicateInjectorTest {
    private static final List<Entity> AIRPORTS = QualityCases.airports(QualityCases.AIRPORTS);

    @Test
    void airports_readFromTheCommittedList_areThe3376FaaAirportsWithNaAsMissing() {
        assertThat(AIRPORTS).hasSize(3376);
        assertThat(AIRPORTS.getFirst()).isEqualTo(new Entity("00M", "Thigpen", "Bay Springs", "MS", "USA", 31.95376472, -89.23450472));
        assertThat(AIRPORTS).filteredOn(airport -> airport.id().equals("CLD")).singleElement()
                .satisfies(airport -> assertThat(airport.city()).isEmpty());
    }

    @Test
    void dedupe_sameSeed_writesTheSameRecords() {
        List<Written> first = new DuplicateInjector(1).dedupe(AIRPORTS, 0.25, 0.3, Noise.DUPLICATE);
        List<Written> second = new DuplicateInjector(1).dedupe(AIRPORTS, 0.25, 0.3, Noise.DUPLICATE);

        assertThat(first).isEqualTo(second);
    }

    @Test
    void dedupe_quarterOfTheEntitiesDuplicated_writesEachOnceCleanAndOneOrTwoCopies() {
        List<Written> records = new DuplicateInjector(1).dedupe(AIRPORTS, 0.25, 0.3, Noise.DUPLICATE);

        Map<String, Long> perEntity = records.stream().collect(Collectors.groupingBy(Written::entity, Collectors.counting()));
        assertThat(perEntity).hasSize(3376);
        assertThat(perEntity.values()).allMatch(count -> count >= 1 && count <= 3);
        long duplicated = perEntity.values().stream().filter(count -> count > 1).count();
        assertThat(duplicated / 3376.0).isBetween(0.22, 0.28);
        long twice = perEntity.values().stream().filter(count -> count == 3).count();
        assertThat(twice / (double) duplicated).isBetween(0.25, 0.35);
        assertThat(records).extracting(Written::recordId).doesNotHaveDuplicates().contains("r000001", "r" + String.format("%06d",
                records.size()));
    }

    @Test
    void typo_isOneEditOrOneTransposition() {
        DuplicateInjector injector = new DuplicateInjector(7);
        for (int i = 0; i < 1000; i++) {
            String typo = injector.typo("Livingston Municipal");
            int distance = LevenshteinDistance.getDefaultInstance().apply("Livingston Municipal", typo);
            assertThat(distance).as(typo).isBetween(1, 2);
            assertThat(typo.length()).isBetween(19, 21);
        }
    }

    @Test
    void abbreviations_areTheFaaOnesAndAreWrittenOutWhenNothingIsLeftToAbbreviate() {
        assertThat(DuplicateInjector.abbreviated("Saint Louis Regional Memorial Field", true)).isEqualTo("St Louis Rgnl Meml Fld");
        assertThat(DuplicateInjector.abbreviated("Akron Fulton International County Municipal Airport", true))
                .isEqualTo("Akron Fulton Intl Co Muni Arpt");
        assertThat(DuplicateInjector.abbreviated("St Louis Rgnl", true)).isEqualTo("Saint Louis Regional");
        assertThat(DuplicateInjector.abbreviated("St Louis Rgnl", false)).isEqualTo("St Louis Rgnl");
        assertThat(DuplicateInjector.reordered("Livingston Municipal")).isEqualTo("Municipal Livingston");
        assertThat(DuplicateInjector.reordered("Thigpen")).isEqualTo("Thigpen");
    }

    @Test
    void moved_pointsStayWithinOneKilometreAndAboutHalfTheCopiesMove() {
        DuplicateInjector injector = new DuplicateInjector(11);
        Noise onlyMoved = new Noise(0, 0, 0, 0, 0, 0, 0, 0, 0, 0.5, 1.0);
        Entity thigpen = AIRPORTS.getFirst();
        int moved = 0;
        for (int i = 0; i < 2000; i++) {
            Written copy = injector.write(thigpen, "raw", onlyMoved, Convention.FAA);
            double km = new GeoPoint(thigpen.latitude(), thigpen.longitude()).kilometresTo(new GeoPoint(copy.latitude(), copy.longitude()));
            assertThat(km).isLessThanOrEqualTo(1.0 + 1e-9);
            moved += km > 0 ? 1 : 0;
        }
        assertThat(moved / 2000.0).isBetween(0.45, 0.55);
    }

    @Test
    void registry_writesCityDashNameInUpperCaseFullStateNamesAndTwoDecimals() {
        Written registry = new DuplicateInjector(3).write(AIRPORTS.get(1), "registry", Noise.NONE, Convention.REGISTRY);

        assertThat(registry).isEqualTo(new Written("", "00R", "registry", "LIVINGSTON - LIVINGSTON MUNICIPAL", "LIVINGSTON", "Texas",
                "USA", 30.69, -95.02, ""));
    }

    @Test
    void directory_abbreviatesLowerCasesTheCityAndRoundsToTheArcMinute() {
        Written directory = new DuplicateInjector(3).write(AIRPORTS.get(1), "directory", Noise.NONE, Convention.DIRECTORY);

        assertThat(directory.name()).isEqualTo("Livingston Muni");
        assertThat(directory.city()).isEqualTo("livingston");
        assertThat(directory.state()).isEqualTo("TX");
        assertThat(directory.latitude() * 60).isCloseTo(Math.rint(directory.latitude() * 60), org.assertj.core.api.Assertions.within(1e-9));
    }

    @Test
    void sources_holdEachEntityAtMostOncePerSourceAndEveryEntitySomewhere() {
        List<List<Written>> sources = new DuplicateInjector(2).sources(AIRPORTS, List.of(
                new Source("faa", 0.85, Convention.FAA, Noise.NONE), new Source("registry", 0.70, Convention.REGISTRY, Noise.SOURCE)));

        Map<String, Integer> seen = new HashMap<>();
        for (List<Written> source : sources) {
            assertThat(source).extracting(Written::entity).doesNotHaveDuplicates();
            source.forEach(record -> seen.merge(record.entity(), 1, Integer::sum));
        }
        assertThat(seen).hasSize(3376);
        // 85 % drawn, plus the entities the draws put nowhere (15 % x 30 %): 89.5 %.
        assertThat(sources.get(0).size() / 3376.0).isBetween(0.87, 0.92);
        assertThat(sources.get(1).size() / 3376.0).isBetween(0.67, 0.73);
    }
}
