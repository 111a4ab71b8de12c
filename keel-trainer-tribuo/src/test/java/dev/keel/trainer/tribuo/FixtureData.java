package dev.keel.trainer.tribuo;

import dev.keel.spi.Trainer.TrainingData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The scikit-learn data sets under build/fixtures/trainers (see its README): header row, numeric features, label last. */
final class FixtureData {
    static final Path DIRECTORY = Path.of("build", "fixtures", "trainers");

    private FixtureData() {
    }

    /** The 178 wines: 13 features, labels {@code class_0}, {@code class_1}, {@code class_2}. */
    static TrainingData wine(double testFraction, long seed) {
        return load("wine.csv", 178, testFraction, seed);
    }

    /** The 442 diabetes patients: 10 unscaled features, the label is the disease progression as a decimal string. */
    static TrainingData diabetes(double testFraction, long seed) {
        return load("diabetes.csv", 442, testFraction, seed);
    }

    private static TrainingData load(String file, int expectedRows, double testFraction, long seed) {
        List<String> lines = read(DIRECTORY.resolve(file));
        List<String> header = Arrays.asList(lines.get(0).split(",", -1));
        List<String> featureNames = header.subList(0, header.size() - 1);
        List<double[]> features = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isEmpty()) {
                continue;
            }
            String[] values = line.split(",", -1);
            if (values.length != header.size()) {
                throw new IllegalStateException(file + ": " + values.length + " values but " + header.size() + " columns: " + line);
            }
            double[] row = new double[featureNames.size()];
            for (int column = 0; column < row.length; column++) {
                row[column] = Double.parseDouble(values[column]);
            }
            features.add(row);
            labels.add(values[values.length - 1]);
        }
        if (features.size() != expectedRows) {
            throw new IllegalStateException(file + " has " + features.size() + " rows, expected " + expectedRows);
        }
        return new TrainingData(featureNames, features, labels, testFraction, seed);
    }

    private static List<String> read(Path relative) {
        Path directory = Path.of("").toAbsolutePath();
        while (directory != null && !Files.isRegularFile(directory.resolve(relative))) {
            directory = directory.getParent();
        }
        if (directory == null) {
            throw new IllegalStateException(relative + " not found above " + Path.of("").toAbsolutePath());
        }
        try {
            return Files.readAllLines(directory.resolve(relative), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
