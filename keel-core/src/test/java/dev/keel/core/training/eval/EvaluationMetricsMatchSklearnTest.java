package dev.keel.core.training.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link Metrics#compute} against scikit-learn on the committed cases of build/fixtures/eval/eval_cases.json. */
class EvaluationMetricsMatchSklearnTest {
    private static final double TOLERANCE = 1e-9;

    @Test
    void everyMetricOfEveryCase_equalsScikitLearn() {
        JsonNode fixture = EvalFixtures.cases();
        assertThat(fixture.get("versions").get("sklearn").asText()).as("the scikit-learn version that made the fixture").isNotBlank();
        List<String> checked = new ArrayList<>();
        for (JsonNode node : fixture.get("cases")) {
            String name = node.get("name").asText();
            Task task = Task.valueOf(node.get("task").asText());
            String positive = node.has("positive") ? node.get("positive").asText() : null;
            Map<String, Double> metrics = Metrics.compute(task, EvalFixtures.strings(node.get("actual")), EvalFixtures.matrix(node.get("scores")),
                EvalFixtures.strings(node.get("classes")), positive);

            JsonNode expected = node.get("expected");
            assertThat(metrics.keySet()).as(name).containsExactlyInAnyOrderElementsOf(iterable(expected.fieldNames()));
            expected.fields().forEachRemaining(entry -> {
                double want = entry.getValue().asDouble();
                assertThat(metrics.get(entry.getKey())).as("%s %s", name, entry.getKey())
                    .isCloseTo(want, org.assertj.core.data.Offset.offset(TOLERANCE * Math.max(1, Math.abs(want))));
            });
            checked.add(task + " " + name);
        }
        assertThat(checked).hasSize(9)
            .anyMatch(c -> c.startsWith("BINARY")).anyMatch(c -> c.startsWith("MULTICLASS")).anyMatch(c -> c.startsWith("REGRESSION"));
    }

    @Test
    void metricNames_areTheContractInOrder() {
        assertThat(Metrics.names(Task.BINARY)).containsExactly("accuracy", "precision", "recall", "f1", "auc", "logloss");
        assertThat(Metrics.names(Task.MULTICLASS)).containsExactly("accuracy", "precision", "recall", "f1", "auc", "logloss");
        assertThat(Metrics.names(Task.REGRESSION)).containsExactly("mae", "rmse", "r2");
    }

    private static Iterable<String> iterable(Iterator<String> names) {
        List<String> list = new ArrayList<>();
        names.forEachRemaining(list::add);
        return list;
    }
}
