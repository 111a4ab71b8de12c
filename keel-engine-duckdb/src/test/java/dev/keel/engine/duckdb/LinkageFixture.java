package dev.keel.engine.duckdb;

import dev.keel.spi.data.AccessPolicy;
import dev.keel.spi.data.ColumnType;
import dev.keel.spi.data.DataEngine;
import dev.keel.spi.data.DataEngineException;
import dev.keel.spi.data.EngineResult;
import dev.keel.spi.data.ExecutionContext;
import dev.keel.spi.data.Linkage;
import dev.keel.spi.data.OutputSpec;
import dev.keel.spi.data.PipelinePlan;
import dev.keel.spi.data.SourceSpec;
import dev.keel.spi.data.StepSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Plans with linkage steps built directly, run on a real DuckDB engine in a temporary directory, and their staged outputs read back. */
final class LinkageFixture {
    static final Map<String, ColumnType> AIRPORT_TYPES = Map.of("latitude", ColumnType.DOUBLE, "longitude", ColumnType.DOUBLE);

    /** Thirty US airports, one row each: id, name, city, state, latitude, longitude, entity (the IATA code). */
    static final List<String> AIRPORTS = List.of(
            "a01,Hartsfield Jackson Atlanta International,Atlanta,GA,33.6407,-84.4277,ATL",
            "a02,Los Angeles International,Los Angeles,CA,33.9416,-118.4085,LAX",
            "a03,Chicago O'Hare International,Chicago,IL,41.9742,-87.9073,ORD",
            "a04,Dallas Fort Worth International,Dallas,TX,32.8998,-97.0403,DFW",
            "a05,Denver International,Denver,CO,39.8561,-104.6737,DEN",
            "a06,John F Kennedy International,New York,NY,40.6413,-73.7781,JFK",
            "a07,San Francisco International,San Francisco,CA,37.6213,-122.3790,SFO",
            "a08,Seattle Tacoma International,Seattle,WA,47.4502,-122.3088,SEA",
            "a09,Harry Reid International,Las Vegas,NV,36.0840,-115.1537,LAS",
            "a10,Orlando International,Orlando,FL,28.4312,-81.3081,MCO",
            "a11,Miami International,Miami,FL,25.7959,-80.2870,MIA",
            "a12,Phoenix Sky Harbor International,Phoenix,AZ,33.4352,-112.0101,PHX",
            "a13,George Bush Intercontinental,Houston,TX,29.9902,-95.3368,IAH",
            "a14,William P Hobby,Houston,TX,29.6454,-95.2789,HOU",
            "a15,Logan International,Boston,MA,42.3656,-71.0096,BOS",
            "a16,Minneapolis Saint Paul International,Minneapolis,MN,44.8848,-93.2223,MSP",
            "a17,Detroit Metropolitan Wayne County,Detroit,MI,42.2162,-83.3554,DTW",
            "a18,Philadelphia International,Philadelphia,PA,39.8744,-75.2424,PHL",
            "a19,LaGuardia,New York,NY,40.7769,-73.8740,LGA",
            "a20,Newark Liberty International,Newark,NJ,40.6895,-74.1745,EWR",
            "a21,Charlotte Douglas International,Charlotte,NC,35.2144,-80.9473,CLT",
            "a22,Salt Lake City International,Salt Lake City,UT,40.7899,-111.9791,SLC",
            "a23,Ronald Reagan Washington National,Arlington,VA,38.8512,-77.0402,DCA",
            "a24,Washington Dulles International,Dulles,VA,38.9531,-77.4565,IAD",
            "a25,Baltimore Washington International,Baltimore,MD,39.1774,-76.6684,BWI",
            "a26,San Diego International,San Diego,CA,32.7338,-117.1933,SAN",
            "a27,Tampa International,Tampa,FL,27.9755,-82.5332,TPA",
            "a28,Portland International,Portland,OR,45.5898,-122.5951,PDX",
            "a29,Portland International Jetport,Portland,ME,43.6462,-70.3093,PWM",
            "a30,Dallas Love Field,Dallas,TX,32.8471,-96.8518,DAL");

    /** Ten second records of airports above: typos, reordered tokens, a missing state, coordinates moved by up to 600 m. */
    static final List<String> DUPLICATES = List.of(
            "d01,Hartsfeld Jackson Atlanta International,Atlanta,GA,33.6410,-84.4270,ATL",
            "d02,International Los Angeles,Los Angeles,,33.9425,-118.4081,LAX",
            "d03,Chicago OHare International,Chicago,IL,41.9786,-87.9048,ORD",
            "d04,Denver Internatonal,Denver,CO,39.8617,-104.6731,DEN",
            "d05,San Francisco International,San Francisco,,37.6190,-122.3750,SFO",
            "d06,Seattle-Tacoma International,Seattle,WA,47.4502,-122.3088,SEA",
            "d07,Miami International,Miami,FL,25.7932,-80.2906,MIA",
            "d08,Boston Logan International,Boston,MA,42.3656,-71.0096,BOS",
            "d09,Newark Liberty International,Newark,,40.6925,-74.1687,EWR",
            "d10,Tampa Internationl,Tampa,FL,27.9755,-82.5332,TPA");

    static final String HEADER = "id,name,city,state,latitude,longitude,entity";

    final Path base;
    final Path staging;

    LinkageFixture(Path directory) {
        this.base = directory.resolve("base");
        this.staging = directory.resolve("staging");
        try {
            Files.createDirectories(base);
            Files.createDirectories(staging);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void write(String file, String header, List<String> rows) {
        try {
            Files.writeString(base.resolve(file), header + "\n" + String.join("\n", rows) + (rows.isEmpty() ? "" : "\n"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SourceSpec.Files csv(String name, String file, Map<String, ColumnType> types) {
        return new SourceSpec.Files(name, SourceSpec.FileFormat.CSV, List.of(file), Map.of(), types);
    }

    ExecutionContext context() {
        return new ExecutionContext("run-1", base, staging, Instant.parse("2026-12-01T12:00:00Z"), reference -> {
            throw new DataEngineException(DataEngineException.Kind.SOURCE, "", "no secrets here");
        }, AccessPolicy.confinedTo(base));
    }

    /** A plan whose outputs publish the step and its cluster and link tables. */
    static PipelinePlan plan(List<SourceSpec> sources, StepSpec step) {
        List<OutputSpec> outputs = List.of(new OutputSpec(step.name(), step.name(), Optional.empty()),
                new OutputSpec(step.name() + "-clusters", step.name() + "__clusters", Optional.empty()),
                new OutputSpec(step.name() + "-links", step.name() + "__links", Optional.empty()));
        return new PipelinePlan("linkage", sources, List.of(step), List.of(), outputs, "quarantine");
    }

    EngineResult run(PipelinePlan plan) {
        try {
            if (Files.exists(staging)) {
                try (var files = Files.walk(staging)) {
                    files.sorted(java.util.Comparator.reverseOrder()).filter(file -> !file.equals(staging)).forEach(file -> file.toFile().delete());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new DuckDbEngine().execute(plan, context());
    }

    List<DataEngine.Problem> check(PipelinePlan plan) {
        return new DuckDbEngine().check(plan, context());
    }

    /** The rows of a staged output as column-name maps, in file order. */
    static List<Map<String, Object>> rows(EngineResult result, String dataset) {
        EngineResult.StagedOutput output = result.outputs().stream().filter(o -> o.dataset().equals(dataset)).findFirst().orElseThrow();
        List<Map<String, Object>> rows = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:"); Statement statement = connection.createStatement();
             ResultSet result2 = statement.executeQuery("SELECT * FROM read_parquet('" + output.file() + "')")) {
            ResultSetMetaData meta = result2.getMetaData();
            while (result2.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int column = 1; column <= meta.getColumnCount(); column++) {
                    row.put(meta.getColumnLabel(column), result2.getObject(column));
                }
                rows.add(row);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return rows;
    }

    /** The column names and DuckDB types of a staged output. */
    static Map<String, String> schema(EngineResult result, String dataset) {
        EngineResult.StagedOutput output = result.outputs().stream().filter(o -> o.dataset().equals(dataset)).findFirst().orElseThrow();
        Map<String, String> columns = new LinkedHashMap<>();
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:"); Statement statement = connection.createStatement();
             ResultSet result2 = statement.executeQuery("DESCRIBE SELECT * FROM read_parquet('" + output.file() + "')")) {
            while (result2.next()) {
                columns.put(result2.getString(1), result2.getString(2));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return columns;
    }

    // ---- linkage specs as the parser fills them in ----

    static Linkage.ComparisonSpec text(String column) {
        return new Linkage.ComparisonSpec(column, List.of(column), List.of(Linkage.LevelSpec.of(Linkage.LevelKind.EXACT),
                Linkage.LevelSpec.of(Linkage.LevelKind.NORMALISED), Linkage.LevelSpec.of(Linkage.LevelKind.TOKEN_SORTED),
                Linkage.LevelSpec.of(Linkage.LevelKind.JARO_WINKLER, 0.92), new Linkage.LevelSpec(Linkage.LevelKind.JACCARD, 0.6, 2),
                Linkage.LevelSpec.of(Linkage.LevelKind.JARO_WINKLER, 0.8)), true);
    }

    static Linkage.ComparisonSpec exact(String column) {
        return new Linkage.ComparisonSpec(column, List.of(column), List.of(Linkage.LevelSpec.of(Linkage.LevelKind.EXACT)), false);
    }

    static Linkage.ComparisonSpec geo(String name, String latitude, String longitude) {
        return new Linkage.ComparisonSpec(name, List.of(latitude, longitude), List.of(
                Linkage.LevelSpec.of(Linkage.LevelKind.KILOMETRES_APART, 0.1), Linkage.LevelSpec.of(Linkage.LevelKind.KILOMETRES_APART, 1),
                Linkage.LevelSpec.of(Linkage.LevelKind.KILOMETRES_APART, 5), Linkage.LevelSpec.of(Linkage.LevelKind.KILOMETRES_APART, 25)),
                false);
    }

    static Linkage.BlockingRule rule(String name, String column, Linkage.KeyFunction function) {
        return new Linkage.BlockingRule(name, List.of(new Linkage.BlockingKey(List.of(column), function, 0)));
    }

    static Linkage.BlockingRule cell(String name, String latitude, String longitude, int length) {
        return new Linkage.BlockingRule(name, List.of(new Linkage.BlockingKey(List.of(latitude, longitude), Linkage.KeyFunction.GEOHASH,
                length)));
    }

    /** The airports' comparisons: name as text, city and state exact, location geo. */
    static List<Linkage.ComparisonSpec> airportComparisons() {
        return List.of(text("name"), exact("city"), exact("state"), geo("location", "latitude", "longitude"));
    }

    /** The default blocking of those comparisons: sound and tokens of the name, then the location's cell. */
    static List<Linkage.BlockingRule> airportBlocking() {
        return List.of(rule("name-sound", "name", Linkage.KeyFunction.METAPHONE), rule("name-tokens", "name", Linkage.KeyFunction.SORTED_TOKENS),
                cell("location-cell", "latitude", "longitude", 5));
    }

    static Linkage linkage(String id, List<Linkage.ComparisonSpec> comparisons, List<Linkage.BlockingRule> blocking, Linkage.Mode mode,
                           Linkage.Training training, Linkage.Evaluation evaluation) {
        return new Linkage(id, comparisons, blocking, 0.95, mode, Double.NaN, 0.01, 50_000_000, training, evaluation);
    }

    static Linkage.Training training() {
        return new Linkage.Training(100_000, 42, 25, "");
    }

    static StepSpec.Dedupe dedupe(String name, String input, Linkage linkage) {
        return new StepSpec.Dedupe(name, input, StepSpec.Matching.probabilistic(linkage), StepSpec.SurvivorRule.FIRST, "");
    }

    static StepSpec.MatchMerge matchMerge(String name, List<String> inputs, Linkage linkage) {
        return new StepSpec.MatchMerge(name, inputs, StepSpec.Matching.probabilistic(linkage), new StepSpec.Survivorship(
                StepSpec.SurvivorRule.SOURCE_PRIORITY, Map.of(), "", List.of()));
    }
}
