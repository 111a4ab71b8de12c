package dev.keel.core.training.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Reads build/fixtures/eval/eval_cases.json (made by make_eval_fixtures.py with scikit-learn). An absent fixture skips the
 * calling test on a developer's machine and fails it under CI ({@code CI=true}).
 */
final class EvalFixtures {
    private EvalFixtures() {
    }

    static JsonNode cases() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("build/fixtures/eval/eval_cases.json"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            String message = "build/fixtures/eval/eval_cases.json is absent above " + System.getProperty("user.dir")
                + "; run /usr/bin/python3 build/fixtures/eval/make_eval_fixtures.py";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(message + " (CI=true: fixtures may not be skipped)");
            }
            Assumptions.abort(message);
        }
        try {
            return new ObjectMapper().readTree(dir.resolve("build/fixtures/eval/eval_cases.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> strings(JsonNode array) {
        List<String> result = new ArrayList<>();
        array.forEach(node -> result.add(node.asText()));
        return result;
    }

    static double[][] matrix(JsonNode rows) {
        double[][] result = new double[rows.size()][];
        for (int i = 0; i < result.length; i++) {
            JsonNode row = rows.get(i);
            result[i] = new double[row.size()];
            for (int k = 0; k < row.size(); k++) {
                result[i][k] = row.get(k).asDouble();
            }
        }
        return result;
    }
}
