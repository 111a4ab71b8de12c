package dev.keel.runtime.onnx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The models under build/fixtures/models, built by make_models.py. */
final class Fixtures {
    static final Path MODELS = Path.of("..", "build", "fixtures", "models").toAbsolutePath().normalize();

    private Fixtures() {
    }

    static byte[] model(String name) {
        try {
            return Files.readAllBytes(MODELS.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException("fixture " + name + " is missing; run build/fixtures/models/make_models.py", e);
        }
    }

    static boolean exists(String name) {
        return Files.isRegularFile(MODELS.resolve(name));
    }

    /**
     * Skips the calling test when an optional fixture is absent on a developer's machine; under CI ({@code CI=true}) an
     * absent fixture fails the test instead, so a green CI run has always run it.
     */
    static void require(String name, String howToMake) {
        if (exists(name)) {
            return;
        }
        String message = name + " is absent; " + howToMake;
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            org.junit.jupiter.api.Assertions.fail(message + " (CI=true: fixtures may not be skipped)");
        }
        org.junit.jupiter.api.Assumptions.abort(message);
    }

    /** One held-out German credit row with scikit-learn's answers for it. */
    record CreditRow(float[] features, double probabilityGood, double probabilityBad, long label) {
    }

    static List<CreditRow> creditReference() {
        try {
            List<String> lines = Files.readAllLines(MODELS.resolve("credit_rf_reference.csv"));
            List<CreditRow> rows = new ArrayList<>();
            for (String line : lines.subList(1, lines.size())) {
                String[] cells = line.split(",");
                int featureCount = cells.length - 4;
                float[] features = new float[featureCount];
                for (int i = 0; i < featureCount; i++) {
                    features[i] = Float.parseFloat(cells[i]);
                }
                rows.add(new CreditRow(features, Double.parseDouble(cells[featureCount]), Double.parseDouble(cells[featureCount + 1]),
                        Long.parseLong(cells[featureCount + 2])));
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
