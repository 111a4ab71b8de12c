package dev.keel.engine.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.data.PipelineRun;
import dev.keel.core.data.RowAccounting;
import dev.keel.core.data.RunStatus;
import dev.keel.spi.data.TableData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fuzzy dedupe and match/merge on the list of US states, with misspellings whose right answer is known. */
class MatchingTest {
    @TempDir
    Path directory;

    /** The 50 states, then 8 misspelled duplicates and one state written in upper case with extra blanks. */
    private String statesWithMisspellings() {
        StringBuilder csv = new StringBuilder("name,abbreviation,capital\n");
        UsStates.ALL.forEach(state -> csv.append(state.name()).append(',').append(state.abbreviation()).append(',')
                .append(state.capital()).append('\n'));
        for (List<String> pair : UsStates.MISSPELLINGS) {
            UsStates.State state = UsStates.byName(pair.get(1));
            csv.append(pair.get(0)).append(',').append(state.abbreviation()).append(',').append(state.capital()).append('\n');
        }
        csv.append("  NEW   YORK ,NY,Albany\n");
        return csv.toString();
    }

    private static String dedupeSpec(String similarity, double threshold) {
        return """
                pipeline: states
                sources:
                  - {name: raw, type: csv, path: states.csv}
                steps:
                  - name: cleaned
                    type: clean
                    input: raw
                    columns:
                      name: {trim: true, normalize: true}
                  - name: states
                    type: dedupe
                    input: cleaned
                    fuzzy: [{column: name, similarity: %s, threshold: %s}]
                    blocking: {prefix: 2}
                    keep: first
                outputs:
                  - {dataset: states, from: states}
                """.formatted(similarity, threshold);
    }

    @Test
    void fuzzyDedupe_jaroWinkler_mergesEveryMisspellingIntoItsStateAndNothingElse() {
        PipelineHarness harness = new PipelineHarness(directory);
        harness.write("states.csv", statesWithMisspellings());

        PipelineRun run = harness.run(dedupeSpec("jaro-winkler", 0.9));

        // Known answer: 59 rows are 50 states; the 8 misspellings and the upper-case New York merge into the right state,
        // while near neighbours (North/South Dakota, Virginia/West Virginia, Kansas/Arkansas, the four "New" states) stay apart.
        // The lowest true pair scores 0.917 (Pensylvania), the highest distinct pair 0.879 (North Carolina, North Dakota).
        assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(run.accounting()).isEqualTo(new RowAccounting(59, 50, 0, 9, 0));
        TableData rows = harness.service.read("states", 1, List.of("name", "abbreviation"), 100);
        assertThat(rows.rows()).extracting(row -> (String) row[0])
                .containsExactlyElementsOf(UsStates.ALL.stream().map(UsStates.State::name).toList());
    }

    @Test
    void fuzzyDedupe_levenshtein_findsTheSameClusters() {
        PipelineHarness harness = new PipelineHarness(directory);
        harness.write("states.csv", statesWithMisspellings());

        PipelineRun run = harness.run(dedupeSpec("levenshtein", 0.8));

        assertThat(run.accounting()).isEqualTo(new RowAccounting(59, 50, 0, 9, 0));
        TableData rows = harness.service.read("states", 1, List.of("abbreviation"), 100);
        assertThat(rows.rows()).extracting(row -> (String) row[0]).doesNotHaveDuplicates().hasSize(50);
    }

    @Test
    void fuzzyDedupe_thresholdTooLoose_wouldMergeDistinctStates() {
        PipelineHarness harness = new PipelineHarness(directory);
        harness.write("states.csv", statesWithMisspellings());

        PipelineRun run = harness.run(dedupeSpec("jaro-winkler", 0.75));

        // With a loose threshold distinct states of one block merge (for example North Carolina and North Dakota): the
        // test above would fail at this setting, so it does check what it claims.
        assertThat(run.accounting().rowsOut()).isLessThan(50);
    }

    @Test
    void matchMerge_twoSystems_buildGoldenRecordsBySurvivorship() {
        PipelineHarness harness = new PipelineHarness(directory);
        // The census system: proper names, but five capitals missing; updated in 2024.
        List<String> missingCapital = List.of("Texas", "Ohio", "Utah", "Maine", "Idaho");
        StringBuilder census = new StringBuilder("name,abbreviation,capital,updated_at\n");
        UsStates.ALL.forEach(state -> census.append(state.name()).append(',').append(state.abbreviation()).append(',')
                .append(missingCapital.contains(state.name()) ? "" : state.capital()).append(",2024-01-01\n"));
        // The CRM system: names upper-cased, the District of Columbia (not a state) in addition, a phone area code per
        // state capital region; Georgia's record carries an outdated capital (Milledgeville, capital until 1868) from 2020.
        StringBuilder crm = new StringBuilder("name,abbreviation,capital,updated_at,region\n");
        for (UsStates.State state : UsStates.ALL) {
            String capital = state.name().equals("Georgia") ? "Milledgeville" : state.capital();
            String updated = state.name().equals("Georgia") ? "2020-06-01" : "2025-03-01";
            crm.append(state.name().toUpperCase(java.util.Locale.ROOT)).append(',').append(state.abbreviation()).append(',')
                    .append(capital).append(',').append(updated).append(',').append(region(state)).append('\n');
        }
        crm.append("DISTRICT OF COLUMBIA,DC,Washington,2025-03-01,South\n");
        harness.write("census.csv", census.toString());
        harness.write("crm.csv", crm.toString());

        PipelineRun run = harness.run("""
                pipeline: golden-states
                sources:
                  - {name: census, type: csv, path: census.csv}
                  - {name: crm, type: csv, path: crm.csv}
                steps:
                  - name: golden
                    type: match-merge
                    inputs: [census, crm]
                    keys: [abbreviation]
                    survivorship:
                      default: source-priority
                      priority: [census, crm]
                      recency-column: updated_at
                      columns: {capital: most-recent}
                expectations:
                  - {dataset: golden, rule: unique, column: abbreviation, action: fail}
                  - {dataset: golden, rule: not-null, columns: [name, capital, region], action: fail}
                outputs:
                  - {dataset: states-golden, from: golden}
                """);

        // Known answer: 101 records in, 51 golden records (50 states + DC), 50 merged; every name in census spelling, every
        // capital the current one (Georgia's outdated CRM value loses to the newer census value; the five missing census
        // capitals come from the CRM), every region from the CRM.
        assertThat(run.error()).isEmpty();
        assertThat(run.accounting()).isEqualTo(new RowAccounting(101, 51, 0, 50, 0));
        TableData golden = harness.service.read("states-golden", 1,
                List.of("abbreviation", "name", "capital", "region", "source_count", "sources"), 100);
        Map<String, Object[]> byAbbreviation = golden.rows().stream().collect(Collectors.toMap(row -> (String) row[0], row -> row));
        for (UsStates.State state : UsStates.ALL) {
            Object[] row = byAbbreviation.get(state.abbreviation());
            assertThat(row[1]).as(state.name()).isEqualTo(state.name());
            assertThat(row[2]).as(state.name()).isEqualTo(state.capital());
            assertThat(row[3]).as(state.name()).isEqualTo(region(state));
            assertThat(row[4]).isEqualTo(2L);
            assertThat(row[5]).isEqualTo("census,crm");
        }
        assertThat(byAbbreviation.get("DC")).containsExactly("DC", "DISTRICT OF COLUMBIA", "Washington", "South", 1L, "crm");
    }

    @Test
    void matchMerge_fuzzyNamesWithoutSharedKey_matchMisspelledRecords() {
        PipelineHarness harness = new PipelineHarness(directory);
        StringBuilder left = new StringBuilder("name,capital\n");
        StringBuilder right = new StringBuilder("name,abbreviation\n");
        Map<String, String> misspelt = new HashMap<>();
        UsStates.MISSPELLINGS.forEach(pair -> misspelt.put(pair.get(1), pair.get(0)));
        List<String> names = new ArrayList<>();
        for (UsStates.State state : UsStates.ALL) {
            left.append(state.name()).append(',').append(state.capital()).append('\n');
            right.append(misspelt.getOrDefault(state.name(), state.name())).append(',').append(state.abbreviation()).append('\n');
            names.add(state.name());
        }
        harness.write("left.csv", left.toString());
        harness.write("right.csv", right.toString());

        PipelineRun run = harness.run("""
                pipeline: fuzzy-golden
                sources:
                  - {name: capitals, type: csv, path: left.csv}
                  - {name: codes, type: csv, path: right.csv}
                steps:
                  - name: golden
                    type: match-merge
                    inputs: [capitals, codes]
                    fuzzy: [{column: name, similarity: jaro-winkler, threshold: 0.9}]
                    blocking: {prefix: 2}
                outputs:
                  - {dataset: golden, from: golden}
                """);

        // Known answer: each state's two records (eight of them misspelt on one side) merge into one: 100 in, 50 out.
        assertThat(run.accounting()).isEqualTo(new RowAccounting(100, 50, 0, 50, 0));
        TableData golden = harness.service.read("golden", 1, List.of("name", "capital", "abbreviation"), 100);
        assertThat(golden.rows()).extracting(row -> (String) row[0]).containsExactlyInAnyOrderElementsOf(names);
        for (Object[] row : golden.rows()) {
            UsStates.State state = UsStates.byName((String) row[0]);
            assertThat(row).containsExactly(state.name(), state.capital(), state.abbreviation());
        }
    }

    /** The US Census Bureau region of a state. */
    private static String region(UsStates.State state) {
        return switch (state.abbreviation()) {
            case "CT", "ME", "MA", "NH", "RI", "VT", "NJ", "NY", "PA" -> "Northeast";
            case "IL", "IN", "MI", "OH", "WI", "IA", "KS", "MN", "MO", "NE", "ND", "SD" -> "Midwest";
            case "AZ", "CO", "ID", "MT", "NV", "NM", "UT", "WY", "AK", "CA", "HI", "OR", "WA" -> "West";
            default -> "South";
        };
    }

    @Test
    void exactDedupe_keysWithNulls_mergeRedeliveredCopiesLikeGroupBy() {
        PipelineHarness harness = new PipelineHarness(directory);
        // Ohio and Texas arrive twice with no capital; Utah once with none; the keys agree on every value, nulls included.
        harness.write("states.csv", "name,abbreviation,capital\nOhio,OH,\nTexas,TX,\nOhio,OH,\nUtah,UT,\nTexas,TX,\n"
                + "Iowa,IA,Des Moines\nIowa,IA,Des Moines\n");

        PipelineRun run = harness.run("""
                pipeline: states
                sources: [{name: raw, type: csv, path: states.csv}]
                steps:
                  - {name: unique_states, type: dedupe, input: raw, keys: [abbreviation, capital]}
                outputs: [{dataset: states, from: unique_states}]
                """);

        // SELECT DISTINCT abbreviation, capital gives 4 rows: OH/null, TX/null, UT/null, IA/Des Moines.
        assertThat(run.error()).isEmpty();
        assertThat(run.accounting()).isEqualTo(new RowAccounting(7, 4, 0, 3, 0));
        assertThat(harness.service.read("states", 1, List.of("name"), 10).rows()).extracting(row -> (String) row[0])
                .containsExactly("Ohio", "Texas", "Utah", "Iowa");
    }

    @Test
    void matchMerge_keysWithNulls_matchRecordsThatAgreeOnEveryKeyNullsIncluded() {
        PipelineHarness harness = new PipelineHarness(directory);
        harness.write("crm.csv", "abbreviation,region,name\nOH,,Ohio\nTX,south,Texas\n");
        harness.write("erp.csv", "abbreviation,region,capital\nOH,,Columbus\nTX,south,Austin\n");

        PipelineRun run = harness.run("""
                pipeline: states
                sources:
                  - {name: crm, type: csv, path: crm.csv}
                  - {name: erp, type: csv, path: erp.csv}
                steps:
                  - {name: golden, type: match-merge, inputs: [crm, erp], keys: [abbreviation, region]}
                outputs: [{dataset: states, from: golden}]
                """);

        assertThat(run.accounting()).isEqualTo(new RowAccounting(4, 2, 0, 2, 0));
        assertThat(harness.service.read("states", 1, List.of("name", "capital", "source_count"), 10).rows())
                .extracting(row -> row[0] + "/" + row[1] + "/" + row[2]).containsExactly("Ohio/Columbus/2", "Texas/Austin/2");
    }
}
