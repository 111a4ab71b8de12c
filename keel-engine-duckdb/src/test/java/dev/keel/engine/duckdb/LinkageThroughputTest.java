package dev.keel.engine.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.spi.data.ColumnType;
import dev.keel.spi.data.EngineResult;
import dev.keel.spi.data.Linkage;
import dev.keel.spi.data.LinkageReport;
import dev.keel.spi.data.PipelinePlan;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sanity run on 100 000 generated people around twenty cities, a fifth of them written twice with typos, reordered names
 * and homes moved by about 100 m:
 * it prints records per second (never asserted) and checks that the duplicates are found.
 */
class LinkageThroughputTest {
    private static final int RECORDS = Integer.getInteger("keel.linkage.records", 100_000);

    @TempDir
    Path directory;

    private static String syllables(Random random, int count) {
        String[] parts = {"an", "bel", "cor", "da", "el", "fin", "gar", "hol", "is", "jo", "ka", "lin", "mar", "nor", "ol", "per",
            "qui", "ros", "sam", "tor", "ul", "ven", "wil", "xa", "yor", "zen"};
        StringBuilder name = new StringBuilder();
        for (int index = 0; index < count; index++) {
            name.append(parts[random.nextInt(parts.length)]);
        }
        return Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }

    private static String typo(Random random, String text) {
        int at = 1 + random.nextInt(text.length() - 1);
        return switch (random.nextInt(3)) {
            case 0 -> text.substring(0, at) + text.substring(at + 1 > text.length() ? at : at + 1);
            case 1 -> text.substring(0, at) + (char) ('a' + random.nextInt(26)) + text.substring(at);
            default -> text.toUpperCase(Locale.ROOT);
        };
    }

    @Test
    void hundredThousandRecords_areLinkedAndTheDuplicatesFound() {
        LinkageFixture fixture = new LinkageFixture(directory);
        Random random = new Random(11);
        List<String> firstNames = new ArrayList<>();
        List<String> lastNames = new ArrayList<>();
        for (int index = 0; index < 400; index++) {
            firstNames.add(syllables(random, 2));
            lastNames.add(syllables(random, 3));
        }
        double[][] cities = new double[20][];
        for (int index = 0; index < cities.length; index++) {
            cities[index] = new double[] {30 + random.nextDouble() * 15, -120 + random.nextDouble() * 45};
        }
        List<String> rows = new ArrayList<>();
        int entities = RECORDS * 4 / 5;
        for (int entity = 0; entity < entities; entity++) {
            String name = firstNames.get(random.nextInt(firstNames.size())) + " " + lastNames.get(random.nextInt(lastNames.size()));
            int city = random.nextInt(cities.length);
            double latitude = cities[city][0] + random.nextDouble() * 2 - 1;
            double longitude = cities[city][1] + random.nextDouble() * 2 - 1;
            rows.add(String.format(Locale.ROOT, "p%d,%s,city%d,%.5f,%.5f,e%d", rows.size(), name, city, latitude, longitude, entity));
            if (entity < RECORDS - entities) {
                String written = random.nextBoolean() ? typo(random, name) : name.split(" ")[1] + " " + name.split(" ")[0];
                rows.add(String.format(Locale.ROOT, "p%d,%s,%s,%.5f,%.5f,e%d", rows.size(), written, random.nextInt(10) == 0 ? "" : "city" + city,
                        latitude + random.nextGaussian() * 0.001, longitude + random.nextGaussian() * 0.001, entity));
            }
        }
        fixture.write("people.csv", "id,name,city,latitude,longitude,entity", rows);
        Linkage linkage = new Linkage("id", List.of(LinkageFixture.text("name"), LinkageFixture.geo("location", "latitude", "longitude")),
                List.of(
                LinkageFixture.rule("name-tokens", "name", Linkage.KeyFunction.SORTED_TOKENS),
                LinkageFixture.cell("location-cell", "latitude", "longitude", 5)), 0.95, Linkage.Mode.ANY, Double.NaN, 0.01, 50_000_000,
                new Linkage.Training(1_000_000, 42, 25, ""), new Linkage.Evaluation("entity", ""));
        PipelinePlan plan = LinkageFixture.plan(List.of(LinkageFixture.csv("raw", "people.csv", Map.of("latitude", ColumnType.DOUBLE,
                "longitude", ColumnType.DOUBLE))), LinkageFixture.dedupe("people", "raw", linkage));

        long start = System.nanoTime();
        EngineResult result = fixture.run(plan);
        double seconds = (System.nanoTime() - start) / 1e9;

        LinkageReport report = result.linkage().getFirst();
        EngineResult.StageResult stage = result.stages().get(1);
        System.out.printf(Locale.ROOT, "linkage of %d records: %d candidate pairs, %d links, %d clusters in %.1f s (step %.1f s):"
                        + " %.0f records/s, %.0f pairs/s; pairwise P %.3f R %.3f%n", report.records(), report.candidatePairs(), report.links(),
                report.clusters(), seconds, stage.millis() / 1000.0, report.records() / seconds, report.candidatePairs() / seconds,
                report.evaluation().orElseThrow().pairwisePrecision(), report.evaluation().orElseThrow().pairwiseRecall());
        assertThat(report.records()).isEqualTo(RECORDS);
        assertThat(report.evaluation().orElseThrow().pairwiseRecall()).isGreaterThan(0.9);
        assertThat(report.evaluation().orElseThrow().pairwisePrecision()).isGreaterThan(0.9);
    }
}
