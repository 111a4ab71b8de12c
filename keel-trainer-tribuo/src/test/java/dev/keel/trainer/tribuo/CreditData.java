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
import java.util.function.Function;

/** The German credit data (examples/credit-g/credit-g.csv) as numeric features: seven numeric columns and four 0/1 indicators. */
final class CreditData {
    static final Path CSV = Path.of("examples", "credit-g", "credit-g.csv");
    static final String LABEL = "class";

    /** Feature names in column order; deliberately not sorted, so a model that sorts names would read the wrong columns. */
    static final List<String> FEATURES = List.of(
            "duration", "credit_amount", "installment_commitment", "residence_since", "age", "existing_credits", "num_dependents",
            "checking_status_lt_0", "checking_status_no_checking", "credit_history_critical", "savings_status_lt_100");

    private static final List<Function<Row, Double>> EXTRACTORS = List.of(
            row -> row.number("duration"),
            row -> row.number("credit_amount"),
            row -> row.number("installment_commitment"),
            row -> row.number("residence_since"),
            row -> row.number("age"),
            row -> row.number("existing_credits"),
            row -> row.number("num_dependents"),
            row -> row.indicator("checking_status", "<0"),
            row -> row.indicator("checking_status", "no checking"),
            row -> row.indicator("credit_history", "critical/other existing credit"),
            row -> row.indicator("savings_status", "<100"));

    private CreditData() {
    }

    /** All 1000 rows, labels {@code good} / {@code bad}. */
    static TrainingData load(double testFraction, long seed) {
        List<String> lines = read();
        List<String> header = Arrays.asList(lines.get(0).split(",", -1));
        List<double[]> features = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isEmpty()) {
                continue;
            }
            if (line.indexOf('"') >= 0) {
                throw new IllegalStateException("quoted CSV values are not expected in " + CSV + ": " + line);
            }
            Row row = new Row(header, Arrays.asList(line.split(",", -1)));
            double[] values = new double[EXTRACTORS.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = EXTRACTORS.get(i).apply(row);
            }
            features.add(values);
            labels.add(row.text(LABEL));
        }
        return new TrainingData(FEATURES, features, labels, testFraction, seed);
    }

    private static List<String> read() {
        Path directory = Path.of("").toAbsolutePath();
        while (directory != null && !Files.isRegularFile(directory.resolve(CSV))) {
            directory = directory.getParent();
        }
        if (directory == null) {
            throw new IllegalStateException(CSV + " not found above " + Path.of("").toAbsolutePath());
        }
        try {
            return Files.readAllLines(directory.resolve(CSV), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Row(List<String> header, List<String> values) {
        Row {
            if (header.size() != values.size()) {
                throw new IllegalStateException(values.size() + " values but " + header.size() + " columns: " + values);
            }
        }

        String text(String column) {
            int index = header.indexOf(column);
            if (index < 0) {
                throw new IllegalStateException("no column '" + column + "' in " + header);
            }
            return values.get(index);
        }

        double number(String column) {
            return Double.parseDouble(text(column));
        }

        double indicator(String column, String value) {
            return text(column).equals(value) ? 1.0 : 0.0;
        }
    }
}
