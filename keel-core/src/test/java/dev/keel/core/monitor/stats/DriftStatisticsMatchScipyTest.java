package dev.keel.core.monitor.stats;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every drift statistic against the SciPy/Evidently values committed in build/fixtures/stats/drift_cases.json. */
class DriftStatisticsMatchScipyTest {
    private static final JsonNode DRIFT = Fixtures.read("drift_cases.json");
    private final DriftDetector detector = DriftDetector.sequential();

    static Stream<Arguments> cases() {
        List<Arguments> result = new ArrayList<>();
        DRIFT.get("cases").forEach(node -> result.add(Arguments.of(node.get("name").asText(), node)));
        return result.stream();
    }

    @Test
    void fixtures_coverEveryStatisticAndBothColumnTypes() {
        assertThat(cases().count()).isGreaterThan(30);
        List<String> keys = new ArrayList<>();
        DRIFT.get("cases").forEach(node -> node.get("expected").fieldNames().forEachRemaining(keys::add));
        assertThat(keys).contains("ks", "wasserstein", "psi", "jensenshannon", "chisquare", "z", "default");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyStatistic_agreesWithScipy(String name, JsonNode node) {
        boolean numeric = node.get("type").asText().equals("numeric");
        ColumnSample reference = numeric ? ColumnSample.numeric(Fixtures.doubles(node.get("reference")))
            : ColumnSample.categorical(Fixtures.strings(node.get("reference")));
        ColumnSample current = numeric ? ColumnSample.numeric(Fixtures.doubles(node.get("current")))
            : ColumnSample.categorical(Fixtures.strings(node.get("current")));
        JsonNode expected = node.get("expected");
        int checked = 0;
        for (var entry : expected.properties()) {
            String key = entry.getKey();
            if (key.equals("default")) {
                DriftStatistic chosen = detector.detect(reference, current, DriftOptions.defaults()).result().statistic();
                assertThat(chosen.id()).as("default statistic").isEqualTo(entry.getValue().asText());
                continue;
            }
            DriftStatistic statistic = DriftStatistic.fromId(key);
            DriftResult result = detector.detect(reference, current, DriftOptions.defaults().withStatistic(statistic)).result();
            JsonNode value = entry.getValue();
            if (value.isObject()) {
                double expectedStatistic = value.get("statistic").asDouble();
                double actualStatistic = statistic == DriftStatistic.Z_TEST ? Math.abs(result.value()) : result.value();
                Fixtures.assertClose(key + " statistic", actualStatistic,
                    statistic == DriftStatistic.Z_TEST ? Math.abs(expectedStatistic) : expectedStatistic);
                Fixtures.assertClose(key + " p-value", result.pValue().orElseThrow(), value.get("pvalue").asDouble());
                assertThat(result.drifted()).isEqualTo(value.get("pvalue").asDouble() < statistic.defaultThreshold());
            } else {
                Fixtures.assertClose(key, result.value(), value.asDouble());
                assertThat(result.drifted()).isEqualTo(value.asDouble() >= statistic.defaultThreshold());
            }
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(numeric ? 4 : 2);
    }

    static Stream<Arguments> ksPValues() {
        List<Arguments> result = new ArrayList<>();
        Fixtures.read("ks_pvalues.json").get("cases").forEach(node -> result.add(Arguments.of(
            node.get("method").asText() + " n1=" + node.get("n1") + " n2=" + node.get("n2") + " d=" + node.get("d"), node)));
        return result.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ksPValues")
    void ksPValue_agreesWithScipyInEveryRegion(String name, JsonNode node) {
        KolmogorovSmirnov.Result result = KolmogorovSmirnov.pValue(node.get("d").asDouble(), node.get("n1").asLong(),
            node.get("n2").asLong());
        Fixtures.assertClose("statistic", result.statistic(), node.get("statistic").asDouble());
        Fixtures.assertClose("p-value", result.pValue(), node.get("pvalue").asDouble());
    }
}
