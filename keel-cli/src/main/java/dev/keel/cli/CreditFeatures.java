package dev.keel.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The demo's real data: German credit (UCI Statlog, credit-g) with numeric model features derived from its columns. */
final class CreditFeatures {
    static final Path CSV = Path.of("examples", "credit-g", "credit-g.csv");

    /** The eleven model features, in the model's input order. */
    static final List<String> FEATURES = List.of("duration", "credit_amount", "installment_commitment", "residence_since", "age",
            "existing_credits", "num_dependents", "checking_status_lt_0", "checking_status_no_checking", "credit_history_critical",
            "savings_status_lt_100");

    private static final Map<String, String[]> INDICATORS = Map.of(
            "checking_status_lt_0", new String[] {"checking_status", "<0"},
            "checking_status_no_checking", new String[] {"checking_status", "no checking"},
            "credit_history_critical", new String[] {"credit_history", "critical/other existing credit"},
            "savings_status_lt_100", new String[] {"savings_status", "<100"});

    private final Path file;
    private final List<Map<String, String>> rows;

    private CreditFeatures(Path file, List<Map<String, String>> rows) {
        this.file = file;
        this.rows = rows;
    }

    /** Finds the CSV under KEEL_HOME or above the working directory. */
    static CreditFeatures load() {
        Path file = locate(CSV).orElseThrow(() -> new IllegalStateException("cannot find " + CSV
                + " (run from the Keel checkout or set KEEL_HOME)"));
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            List<String> header = Arrays.asList(lines.getFirst().split(",", -1));
            List<Map<String, String>> rows = new ArrayList<>();
            for (String line : lines.subList(1, lines.size())) {
                if (line.isBlank()) {
                    continue;
                }
                String[] values = line.split(",", -1);
                Map<String, String> row = new LinkedHashMap<>();
                for (int i = 0; i < header.size(); i++) {
                    row.put(header.get(i), values[i]);
                }
                rows.add(row);
            }
            return new CreditFeatures(file, rows);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Optional<Path> locate(Path relative) {
        String home = System.getenv("KEEL_HOME");
        if (home != null && Files.exists(Path.of(home).resolve(relative))) {
            return Optional.of(Path.of(home).resolve(relative));
        }
        Path directory = Path.of("").toAbsolutePath();
        while (directory != null) {
            if (Files.exists(directory.resolve(relative))) {
                return Optional.of(directory.resolve(relative));
            }
            directory = directory.getParent();
        }
        return Optional.empty();
    }

    Path file() {
        return file;
    }

    List<Map<String, String>> rows() {
        return rows;
    }

    /** One row's value of a model feature. */
    static double feature(Map<String, String> row, String name) {
        String[] indicator = INDICATORS.get(name);
        if (indicator != null) {
            return indicator[1].equals(row.get(indicator[0])) ? 1 : 0;
        }
        return Double.parseDouble(row.get(name));
    }

    /** The feature schema of the given features: numeric ranges seen in the data (indicators are 0/1). */
    List<Map<String, Object>> schema(List<String> features) {
        List<Map<String, Object>> schema = new ArrayList<>();
        for (String name : features) {
            double min = rows.stream().mapToDouble(row -> feature(row, name)).min().orElse(0);
            double max = rows.stream().mapToDouble(row -> feature(row, name)).max().orElse(0);
            Map<String, Object> spec = new LinkedHashMap<>();
            spec.put("name", name);
            spec.put("type", "number");
            spec.put("min", INDICATORS.containsKey(name) ? 0 : Math.min(0, min));
            spec.put("max", INDICATORS.containsKey(name) ? 1 : max * 2);
            spec.put("sensitive", name.equals("age"));
            schema.add(spec);
        }
        return schema;
    }
}
