package dev.keel.core.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.spi.data.Linkage;
import dev.keel.spi.data.Linkage.BlockingKey;
import dev.keel.spi.data.Linkage.BlockingRule;
import dev.keel.spi.data.Linkage.ComparisonSpec;
import dev.keel.spi.data.Linkage.KeyFunction;
import dev.keel.spi.data.Linkage.LevelKind;
import dev.keel.spi.data.Linkage.LevelSpec;
import dev.keel.spi.data.OutputSpec;
import dev.keel.spi.data.StepSpec;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The {@code linkage} block of dedupe and match-merge steps: defaults, the full syntax, refusals and audit datasets. */
class PipelineSpecLinkageTest {
    private static final List<LevelSpec> TEXT = List.of(LevelSpec.of(LevelKind.EXACT), LevelSpec.of(LevelKind.NORMALISED),
            LevelSpec.of(LevelKind.TOKEN_SORTED), LevelSpec.of(LevelKind.JARO_WINKLER, 0.92), new LevelSpec(LevelKind.JACCARD, 0.6, 2),
            LevelSpec.of(LevelKind.JARO_WINKLER, 0.8));
    private static final List<LevelSpec> GEO = List.of(LevelSpec.of(LevelKind.KILOMETRES_APART, 0.1),
            LevelSpec.of(LevelKind.KILOMETRES_APART, 1), LevelSpec.of(LevelKind.KILOMETRES_APART, 5),
            LevelSpec.of(LevelKind.KILOMETRES_APART, 25));
    private static final List<LevelSpec> NUMBER = List.of(LevelSpec.of(LevelKind.EXACT), LevelSpec.of(LevelKind.RELATIVE_DIFFERENCE, 0.01),
            LevelSpec.of(LevelKind.RELATIVE_DIFFERENCE, 0.1));
    private static final List<LevelSpec> DATE = List.of(LevelSpec.of(LevelKind.EXACT), LevelSpec.of(LevelKind.DAYS_APART, 1),
            LevelSpec.of(LevelKind.DAYS_APART, 30), LevelSpec.of(LevelKind.DAYS_APART, 365));

    private final PipelineSpecParser parser = new PipelineSpecParser();

    /** A dedupe of {@code raw} into {@code airports}, published as {@code airports}; {@code step} is the step's extra YAML. */
    private static String dedupe(String step) {
        return """
                pipeline: airports
                sources:
                  - {name: raw, type: csv, path: airports.csv}
                steps:
                  - name: airports
                    type: dedupe
                    input: raw
                """ + step.indent(4) + """
                outputs:
                  - {dataset: airports, from: airports}
                """;
    }

    /** A match-merge of {@code faa} and {@code osm} into {@code golden}; {@code step} is the step's extra YAML. */
    private static String merge(String step) {
        return merge(step, false);
    }

    /** A match-merge, with a source of labelled pairs named {@code labels} when {@code labels}. */
    private static String merge(String step, boolean labels) {
        return """
                pipeline: airports
                sources:
                  - {name: faa, type: csv, path: faa.csv}
                  - {name: osm, type: csv, path: osm.csv}
                """ + (labels ? "  - {name: labels, type: csv, path: labels.csv}\n" : "") + """
                steps:
                  - name: golden
                    type: match-merge
                    inputs: [faa, osm]
                """ + step.indent(4) + """
                outputs:
                  - {dataset: golden, from: golden}
                """;
    }

    private Linkage linkageOf(PipelineSpec spec, int step) {
        return switch (spec.plan().steps().get(step)) {
            case StepSpec.Dedupe dedupe -> dedupe.matching().linkage().orElseThrow();
            case StepSpec.MatchMerge merge -> merge.matching().linkage().orElseThrow();
            default -> throw new AssertionError("not a matching step: " + spec.plan().steps().get(step));
        };
    }

    private List<SpecError> errors(String yaml) {
        return parser.parse(yaml).errors();
    }

    private static String messageAt(List<SpecError> errors, String path) {
        return errors.stream().filter(error -> error.path().equals(path)).map(SpecError::message).findFirst()
                .orElseThrow(() -> new AssertionError("no error at " + path + " in " + errors));
    }

    @Test
    void minimalLinkage_fillsTheDocumentedComparisonsLevelsRulesAndSettings() {
        PipelineSpec spec = parser.parseOrThrow(dedupe("""
                linkage:
                  comparisons:
                    - column: name
                    - {column: state, kind: exact}
                    - {name: location, columns: [latitude, longitude]}
                    - {column: elevation, kind: number}
                    - {column: opened, kind: date}
                """));

        StepSpec.Dedupe step = (StepSpec.Dedupe) spec.plan().steps().get(0);
        Linkage linkage = step.matching().linkage().orElseThrow();
        assertThat(step.matching().keys()).isEmpty();
        assertThat(step.matching().fuzzy()).isEmpty();
        assertThat(linkage.idColumn()).isEmpty();
        assertThat(linkage.comparisons()).containsExactly(
                new ComparisonSpec("name", List.of("name"), TEXT, true),
                new ComparisonSpec("state", List.of("state"), List.of(LevelSpec.of(LevelKind.EXACT)), false),
                new ComparisonSpec("location", List.of("latitude", "longitude"), GEO, false),
                new ComparisonSpec("elevation", List.of("elevation"), NUMBER, false),
                new ComparisonSpec("opened", List.of("opened"), DATE, false));
        assertThat(linkage.blocking()).containsExactly(
                new BlockingRule("name-sound", List.of(new BlockingKey(List.of("name"), KeyFunction.METAPHONE, 0))),
                new BlockingRule("name-tokens", List.of(new BlockingKey(List.of("name"), KeyFunction.SORTED_TOKENS, 0))),
                new BlockingRule("location-cell", List.of(new BlockingKey(List.of("latitude", "longitude"), KeyFunction.GEOHASH, 5))));
        assertThat(linkage.threshold()).isEqualTo(0.95);
        assertThat(linkage.mode()).isEqualTo(Linkage.Mode.ANY);
        assertThat(linkage.breakBridgesBelow()).isNaN();
        assertThat(linkage.breaksBridges()).isFalse();
        assertThat(linkage.linkFloor()).isEqualTo(0.01);
        assertThat(linkage.maxComparisons()).isEqualTo(50_000_000L);
        assertThat(linkage.training()).isEqualTo(new Linkage.Training(1_000_000, 42, 25, ""));
        assertThat(linkage.evaluation()).isEqualTo(Linkage.Evaluation.none());
        assertThat(step.keep()).isEqualTo(StepSpec.SurvivorRule.FIRST);
        assertThat(step.survivorship()).isEqualTo(new StepSpec.Survivorship(StepSpec.SurvivorRule.FIRST, Map.of(), "", List.of()));
    }

    @Test
    void defaultBlocking_withoutTextOrGeoComparisons_isOneExactRulePerComparison() {
        Linkage linkage = linkageOf(parser.parseOrThrow(dedupe("""
                linkage:
                  comparisons: [{column: zip, kind: exact}, {column: born, kind: date}, {column: income, kind: number}]
                """)), 0);

        assertThat(linkage.blocking()).containsExactly(
                new BlockingRule("zip-exact", List.of(new BlockingKey(List.of("zip"), KeyFunction.EXACT, 0))),
                new BlockingRule("born-exact", List.of(new BlockingKey(List.of("born"), KeyFunction.EXACT, 0))),
                new BlockingRule("income-exact", List.of(new BlockingKey(List.of("income"), KeyFunction.EXACT, 0))));
    }

    @Test
    void matchMerge_defaultsToCrossSourceAndSourcePriority() {
        PipelineSpec spec = parser.parseOrThrow(merge("linkage: {comparisons: [{column: name}]}"));

        StepSpec.MatchMerge step = (StepSpec.MatchMerge) spec.plan().steps().get(0);
        assertThat(step.matching().linkage().orElseThrow().mode()).isEqualTo(Linkage.Mode.CROSS_SOURCE);
        assertThat(step.survivorship().defaultRule()).isEqualTo(StepSpec.SurvivorRule.SOURCE_PRIORITY);
    }

    @Test
    void fullSyntax_readsEverySetting() {
        PipelineSpec spec = parser.parseOrThrow(merge("""
                survivorship: {default: source-priority, columns: {name: longest, state: most-frequent}, priority: [osm, faa]}
                linkage:
                  id: iata
                  comparisons:
                    - column: name
                      levels: [exact, normalised, token-sorted, {jaro-winkler: 0.9}, {levenshtein: 2}, {jaccard: 0.5, q: 3}, {jaccard: 0.4}]
                      term-frequencies: false
                    - {column: state, kind: exact, term-frequencies: true}
                    - {name: where, columns: [lat, lon], levels: [{km: 2}]}
                    - column: elevation
                      kind: number
                      levels: [exact, {relative-difference: 0.05}, {absolute-difference: 10}]
                    - {column: opened, kind: date, levels: [{days-apart: 7}]}
                  blocking:
                    - name: sound
                      keys: [{column: name, function: metaphone}, {column: state}]
                    - keys: [{columns: [lat, lon], function: geohash, length: 6}]
                    - keys: [{column: name, function: prefix, length: 3}, {column: name, function: soundex}]
                    - keys: [{column: name, function: first-token}, {column: name, function: normalised}]
                    - keys: [{column: name, function: sorted-tokens}]
                  threshold: 0.9
                  mode: one-to-one
                  break-bridges-below: 4
                  link-floor: 0.05
                  max-comparisons: 6000000000
                  training: {u-pairs: 5000, seed: 7, em-iterations: 10, labelled-pairs: labels}
                  evaluation: {truth-column: entity, labelled-pairs: labels}
                """, true));

        StepSpec.MatchMerge step = (StepSpec.MatchMerge) spec.plan().steps().get(0);
        Linkage linkage = step.matching().linkage().orElseThrow();
        assertThat(linkage.idColumn()).isEqualTo("iata");
        assertThat(linkage.comparisons()).containsExactly(
                new ComparisonSpec("name", List.of("name"), List.of(LevelSpec.of(LevelKind.EXACT), LevelSpec.of(LevelKind.NORMALISED),
                        LevelSpec.of(LevelKind.TOKEN_SORTED), LevelSpec.of(LevelKind.JARO_WINKLER, 0.9), LevelSpec.of(LevelKind.LEVENSHTEIN, 2),
                        new LevelSpec(LevelKind.JACCARD, 0.5, 3), new LevelSpec(LevelKind.JACCARD, 0.4, 0)), false),
                new ComparisonSpec("state", List.of("state"), List.of(LevelSpec.of(LevelKind.EXACT)), true),
                new ComparisonSpec("where", List.of("lat", "lon"), List.of(LevelSpec.of(LevelKind.KILOMETRES_APART, 2)), false),
                new ComparisonSpec("elevation", List.of("elevation"), List.of(LevelSpec.of(LevelKind.EXACT),
                        LevelSpec.of(LevelKind.RELATIVE_DIFFERENCE, 0.05), LevelSpec.of(LevelKind.ABSOLUTE_DIFFERENCE, 10)), false),
                new ComparisonSpec("opened", List.of("opened"), List.of(LevelSpec.of(LevelKind.DAYS_APART, 7)), false));
        assertThat(linkage.blocking()).containsExactly(
                new BlockingRule("sound", List.of(new BlockingKey(List.of("name"), KeyFunction.METAPHONE, 0),
                        new BlockingKey(List.of("state"), KeyFunction.EXACT, 0))),
                new BlockingRule("rule-2", List.of(new BlockingKey(List.of("lat", "lon"), KeyFunction.GEOHASH, 6))),
                new BlockingRule("rule-3", List.of(new BlockingKey(List.of("name"), KeyFunction.PREFIX, 3),
                        new BlockingKey(List.of("name"), KeyFunction.SOUNDEX, 0))),
                new BlockingRule("rule-4", List.of(new BlockingKey(List.of("name"), KeyFunction.FIRST_TOKEN, 0),
                        new BlockingKey(List.of("name"), KeyFunction.NORMALISED, 0))),
                new BlockingRule("rule-5", List.of(new BlockingKey(List.of("name"), KeyFunction.SORTED_TOKENS, 0))));
        assertThat(linkage.threshold()).isEqualTo(0.9);
        assertThat(linkage.mode()).isEqualTo(Linkage.Mode.ONE_TO_ONE);
        assertThat(linkage.breakBridgesBelow()).isEqualTo(4);
        assertThat(linkage.linkFloor()).isEqualTo(0.05);
        assertThat(linkage.maxComparisons()).isEqualTo(6_000_000_000L);
        assertThat(linkage.training()).isEqualTo(new Linkage.Training(5000, 7, 10, "labels"));
        assertThat(linkage.evaluation()).isEqualTo(new Linkage.Evaluation("entity", "labels"));
        assertThat(step.survivorship()).isEqualTo(new StepSpec.Survivorship(StepSpec.SurvivorRule.SOURCE_PRIORITY,
                Map.of("name", StepSpec.SurvivorRule.LONGEST, "state", StepSpec.SurvivorRule.MOST_FREQUENT), "", List.of("osm", "faa")));
    }

    @Test
    void linkageOutput_bringsItsClustersAndLinksDatasets() {
        PipelineSpec spec = parser.parseOrThrow(dedupe("linkage: {comparisons: [{column: name}]}"));

        assertThat(spec.plan().outputs()).containsExactly(
                new OutputSpec("airports", "airports", Optional.empty()),
                new OutputSpec("airports-clusters", "airports__clusters", Optional.empty()),
                new OutputSpec("airports-links", "airports__links", Optional.empty()));
    }

    @Test
    void deterministicDedupe_hasNoAuditDatasets() {
        PipelineSpec spec = parser.parseOrThrow(dedupe("keys: [name]"));

        assertThat(spec.plan().outputs()).extracting(OutputSpec::dataset).containsExactly("airports");
        assertThat(((StepSpec.Dedupe) spec.plan().steps().get(0)).matching().linkage()).isEmpty();
    }

    @Test
    void auditNames_takenByAnOutputOrARelation_areRefused() {
        List<SpecError> errors = errors("""
                pipeline: airports
                sources:
                  - {name: raw, type: csv, path: airports.csv}
                  - {name: airports__links, type: csv, path: other.csv}
                steps:
                  - {name: airports, type: dedupe, input: raw, linkage: {comparisons: [{column: name}]}}
                outputs:
                  - {dataset: airports, from: airports}
                  - {dataset: airports-clusters, from: airports__links}
                """);

        assertThat(errors).extracting(SpecError::path).containsExactlyInAnyOrder("outputs[1].dataset", "sources[1].name");
        assertThat(messageAt(errors, "outputs[1].dataset")).contains("airports-clusters", "clusters of linkage step 'airports'");
        assertThat(messageAt(errors, "sources[1].name")).contains("airports__links", "links");
    }

    @Test
    void labelledPairs_countAsReadOnceAndMustBeDefinedEarlier() {
        assertThat(errors(merge("""
                linkage:
                  comparisons: [{column: name}]
                  training: {labelled-pairs: labels}
                  evaluation: {labelled-pairs: labels}
                """, true))).isEmpty();
        // Without linkage reading it, the labels source feeds nothing.
        assertThat(errors(merge("linkage: {comparisons: [{column: name}]}", true))).extracting(SpecError::path)
                .containsExactly("sources[2]");
        List<SpecError> unknown = errors(merge("""
                linkage:
                  comparisons: [{column: name}]
                  training: {labelled-pairs: labels}
                  evaluation: {labelled-pairs: truth}
                """, true));
        assertThat(unknown).extracting(SpecError::path).containsExactly("steps[0].linkage.evaluation.labelled-pairs");
        assertThat(unknown.get(0).message()).contains("'truth'", "not a source or an earlier step");
        assertThat(errors(merge("linkage: {comparisons: [{column: name}], training: {labelled-pairs: golden}}")))
                .extracting(SpecError::path).containsExactly("steps[0].linkage.training.labelled-pairs");
    }

    @Test
    void comparisonAndLevelRefusals_nameTheirPathsValuesAndWhatIsAllowed() {
        List<SpecError> errors = errors(dedupe("""
                linkage:
                  comparisons:
                    - {column: name, kind: fuzzy}
                    - {column: city, levels: [exact, {jaro-winkler: 1.5}, {levenshtein: 1.5}, {jaccard: 0}, phonetic, else, {km: 1}]}
                    - {column: born, kind: date, levels: [{days-apart: 0}, {absolute-difference: -1}, {relative-difference: 0}]}
                    - {columns: [lat, lon]}
                    - {name: where, columns: [lat, lon, alt]}
                    - {name: spot, column: lat, kind: geo}
                    - {name: place, columns: [lat, lon], levels: [exact, {km: 0}], term-frequencies: true}
                    - {column: city}
                    - {column: First Name}
                    - {name: Bad, column: x}
                    - {column: zip, kind: exact, levels: []}
                """));

        String at = "steps[0].linkage.comparisons";
        assertThat(errors).extracting(SpecError::path).containsExactlyInAnyOrder(
                at + "[0].kind",
                at + "[1].levels[1].jaro-winkler", at + "[1].levels[2].levenshtein", at + "[1].levels[3].jaccard", at + "[1].levels[4]",
                at + "[1].levels[5]", at + "[1].levels[6].km",
                at + "[2].levels[0].days-apart", at + "[2].levels[1].absolute-difference", at + "[2].levels[2].relative-difference",
                at + "[3].name", at + "[4].columns", at + "[5].column",
                at + "[6].levels[0]", at + "[6].levels[1].km", at + "[6].term-frequencies",
                at + "[7].name", at + "[8].name", at + "[9].name", at + "[10].levels");
        assertThat(messageAt(errors, at + "[0].kind")).contains("'fuzzy'", "[text, exact, number, date, geo]");
        assertThat(messageAt(errors, at + "[1].levels[1].jaro-winkler")).contains("(0, 1]", "1.5");
        assertThat(messageAt(errors, at + "[1].levels[2].levenshtein")).contains("whole number >= 0", "1.5");
        assertThat(messageAt(errors, at + "[1].levels[4]")).contains("'phonetic'", "jaro-winkler");
        assertThat(messageAt(errors, at + "[1].levels[5]")).contains("else is implicit");
        assertThat(messageAt(errors, at + "[2].levels[0].days-apart")).contains(">= 1", "0");
        assertThat(messageAt(errors, at + "[3].name")).contains("two columns needs a name");
        assertThat(messageAt(errors, at + "[4].columns")).contains("exactly two columns", "3");
        assertThat(messageAt(errors, at + "[7].name")).contains("'city'", "twice", at + "[1].name");
        assertThat(messageAt(errors, at + "[8].name")).contains("'First Name'", "give a name");
        assertThat(messageAt(errors, at + "[9].name")).contains("'Bad'", "lower-case");
    }

    @Test
    void namesThatMeetOnceDashesBecomeUnderscores_areRefused() {
        List<SpecError> errors = errors(dedupe("""
                linkage:
                  comparisons: [{column: zip_code, kind: exact}, {name: zip-code, column: zip, kind: exact}]
                  blocking:
                    - {name: by-zip, keys: [{column: zip}]}
                    - {name: by_zip, keys: [{column: zip_code}]}
                    - {name: by-zip, keys: [{column: city}]}
                """));

        assertThat(errors).extracting(SpecError::path).containsExactly("steps[0].linkage.comparisons[1].name",
                "steps[0].linkage.blocking[1].name", "steps[0].linkage.blocking[2].name");
        assertThat(errors.get(0).message()).contains("zip_code_level");
        assertThat(errors.get(1).message()).contains("key_by_zip");
        assertThat(errors.get(2).message()).contains("named twice");
    }

    @Test
    void blockingRefusals_nameTheirPathsValuesAndWhatIsAllowed() {
        List<SpecError> errors = errors(dedupe("""
                linkage:
                  comparisons: [{column: name}]
                  blocking:
                    - keys: [{column: name, function: phonetic}]
                    - keys: [{column: name, function: geohash}]
                    - keys: [{columns: [lat, lon], function: geohash, length: 13}]
                    - keys: [{column: name, function: prefix}]
                    - keys: [{column: name, function: prefix, length: 0}]
                    - keys: [{column: name, function: soundex, length: 3}]
                    - keys: []
                    - {name: Sound, keys: [{column: name}]}
                    - name: nokeys
                """));

        String at = "steps[0].linkage.blocking";
        assertThat(errors).extracting(SpecError::path).containsExactlyInAnyOrder(at + "[0].keys[0].function",
                at + "[1].keys[0].column", at + "[2].keys[0].length", at + "[3].keys[0].length", at + "[4].keys[0].length",
                at + "[5].keys[0].length", at + "[6].keys", at + "[7].name", at + "[8].keys");
        assertThat(messageAt(errors, at + "[0].keys[0].function")).contains("'phonetic'", "metaphone", "geohash");
        assertThat(messageAt(errors, at + "[1].keys[0].column")).contains("geohash reads exactly two columns");
        assertThat(messageAt(errors, at + "[2].keys[0].length")).contains("1 to 12", "13");
        assertThat(messageAt(errors, at + "[3].keys[0].length")).contains("missing", "prefix");
        assertThat(messageAt(errors, at + "[5].keys[0].length")).contains("prefix and geohash keys only", "soundex");
        assertThat(errors(dedupe("linkage: {comparisons: [{column: name}], blocking: []}"))).extracting(SpecError::path)
                .containsExactly(at);
    }

    @Test
    void settingRefusals_nameTheirPathsValuesAndWhatIsAllowed() {
        List<SpecError> errors = errors(dedupe("""
                linkage:
                  id: [iata]
                  comparisons: [{column: name}]
                  threshold: 1
                  mode: cross-source
                  break-bridges-below: soon
                  link-floor: 0.99
                  max-comparisons: 0
                  training: {u-pairs: 0, seed: 1.5, em-iterations: 0, labelled-pairs: raw}
                  evaluation: {truth-column: __keel_rid}
                  weights: {}
                """));

        String at = "steps[0].linkage";
        assertThat(errors).extracting(SpecError::path).containsExactlyInAnyOrder(at + ".id", at + ".threshold", at + ".mode",
                at + ".break-bridges-below", at + ".link-floor", at + ".max-comparisons", at + ".training.u-pairs",
                at + ".training.seed", at + ".training.em-iterations", at + ".training.labelled-pairs",
                at + ".evaluation.truth-column", at + ".weights");
        assertThat(messageAt(errors, at + ".threshold")).contains("(0, 1)", "1.0");
        assertThat(messageAt(errors, at + ".mode")).contains("cross-source", "one input");
        assertThat(messageAt(errors, at + ".link-floor")).contains("0.99", "threshold 0.95");
        assertThat(messageAt(errors, at + ".training.labelled-pairs")).contains("'raw'", "input of the step");
        assertThat(messageAt(errors, at + ".evaluation.truth-column")).contains("__keel_");
        assertThat(messageAt(errors(dedupe("linkage: {comparisons: [{column: name}], mode: one-to-one}")), at + ".mode"))
                .contains("one-to-one", "dedupe has one input");
        assertThat(messageAt(errors(dedupe("linkage: {comparisons: [{column: name}], mode: some}")), at + ".mode"))
                .contains("'some'", "any");
        assertThat(errors(dedupe("linkage: {}"))).extracting(SpecError::path).containsExactly(at + ".comparisons");
        assertThat(errors(dedupe("linkage:"))).extracting(SpecError::path).containsExactly(at);
        assertThat(errors(dedupe("linkage: [name]"))).extracting(SpecError::path).containsExactly(at);
    }

    @Test
    void oneToOne_needsExactlyTwoInputs() {
        List<SpecError> errors = errors("""
                pipeline: p
                sources:
                  - {name: a, type: csv, path: a.csv}
                  - {name: b, type: csv, path: b.csv}
                  - {name: c, type: csv, path: c.csv}
                steps:
                  - {name: m, type: match-merge, inputs: [a, b, c], linkage: {comparisons: [{column: name}], mode: one-to-one}}
                outputs: [{dataset: m, from: m}]
                """);

        assertThat(errors).extracting(SpecError::path).containsExactly("steps[0].linkage.mode");
        assertThat(errors.get(0).message()).contains("exactly two inputs", "3");
    }

    @Test
    void linkageWithKeysFuzzyOrBlocking_isRefusedNamingBoth() {
        List<SpecError> errors = errors(dedupe("""
                keys: [iata]
                fuzzy: [{column: name}]
                blocking: {columns: [state]}
                linkage: {comparisons: [{column: name}]}
                """));

        assertThat(errors).extracting(SpecError::path).containsExactly("steps[0].keys", "steps[0].fuzzy", "steps[0].blocking");
        assertThat(errors).allSatisfy(error -> assertThat(error.message()).contains("'linkage'", "exclude each other"));
        assertThat(errors(merge("keys: [iata]\nlinkage: {comparisons: [{column: name}]}"))).extracting(SpecError::path)
                .contains("steps[0].keys");
    }

    @Test
    void survivorship_mostFrequentAndLongestAndDedupeSurvivorship_needLinkage() {
        StepSpec.Dedupe linked = (StepSpec.Dedupe) parser.parseOrThrow(dedupe("""
                keep: most-frequent
                survivorship: {columns: {name: longest, updated: most-recent}, recency-column: updated}
                linkage: {comparisons: [{column: name}]}
                """)).plan().steps().get(0);

        assertThat(linked.keep()).isEqualTo(StepSpec.SurvivorRule.MOST_FREQUENT);
        assertThat(linked.recencyColumn()).isEqualTo("updated");
        assertThat(linked.survivorship()).isEqualTo(new StepSpec.Survivorship(StepSpec.SurvivorRule.MOST_FREQUENT,
                Map.of("name", StepSpec.SurvivorRule.LONGEST, "updated", StepSpec.SurvivorRule.MOST_RECENT), "updated", List.of()));
        StepSpec.Dedupe byDefault = (StepSpec.Dedupe) parser.parseOrThrow(dedupe("""
                survivorship: {default: most-complete}
                linkage: {comparisons: [{column: name}]}
                """)).plan().steps().get(0);
        assertThat(byDefault.keep()).isEqualTo(StepSpec.SurvivorRule.MOST_COMPLETE);
        assertThat(byDefault.survivorship().defaultRule()).isEqualTo(StepSpec.SurvivorRule.MOST_COMPLETE);

        assertThat(errors(dedupe("keys: [iata]\nkeep: longest"))).extracting(SpecError::path).containsExactly("steps[0].keep");
        assertThat(errors(dedupe("keys: [iata]\nsurvivorship: {default: first}"))).extracting(SpecError::path)
                .containsExactly("steps[0].survivorship");
        assertThat(errors(merge("keys: [iata]\nsurvivorship: {default: most-frequent}"))).extracting(SpecError::path)
                .contains("steps[0].survivorship.default");
        assertThat(errors(dedupe("keep: first\nsurvivorship: {default: longest}\nlinkage: {comparisons: [{column: name}]}")))
                .extracting(SpecError::path).containsExactly("steps[0].survivorship.default");
        assertThat(errors(dedupe("survivorship: {columns: {name: source-priority}}\nlinkage: {comparisons: [{column: name}]}")))
                .extracting(SpecError::path).containsExactly("steps[0].survivorship.columns.name");
        assertThat(errors(dedupe("survivorship: {default: most-recent}\nlinkage: {comparisons: [{column: name}]}")))
                .extracting(SpecError::path).containsExactly("steps[0].recency-column");
    }
}
