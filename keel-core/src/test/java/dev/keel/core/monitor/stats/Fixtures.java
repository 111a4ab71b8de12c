package dev.keel.core.monitor.stats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.Assertions;

/** Reads the committed fixtures of build/fixtures/stats (made by make_fixtures.py with SciPy and scikit-learn). */
final class Fixtures {
    static final double RELATIVE = 1e-6;

    private Fixtures() {
    }

    static JsonNode read(String name) {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("build/fixtures/stats"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("build/fixtures/stats not found above " + System.getProperty("user.dir"));
        }
        try {
            return new ObjectMapper().readTree(dir.resolve("build/fixtures/stats").resolve(name).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static double[] doubles(JsonNode array) {
        double[] result = new double[array.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = array.get(i).asDouble();
        }
        return result;
    }

    static List<String> strings(JsonNode array) {
        List<String> result = new ArrayList<>();
        array.forEach(node -> result.add(node.asText()));
        return result;
    }

    /** Agreement to 1e-6 relative (values below 1e-300 count as zero). */
    static void assertClose(String what, double actual, double expected) {
        if (Math.abs(expected) < 1e-300 && Math.abs(actual) < 1e-300) {
            return;
        }
        double error = Math.abs(actual - expected) / Math.abs(expected);
        Assertions.assertThat(error).as("%s: actual %s, expected %s", what, actual, expected).isLessThanOrEqualTo(RELATIVE);
    }
}
