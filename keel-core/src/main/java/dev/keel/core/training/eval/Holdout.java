package dev.keel.core.training.eval;

import dev.keel.core.error.KeelException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Rows held out from training. {@code labels} are class labels, or decimal strings for regression; {@code slices} maps a
 * column name to its value on each row (for per-slice checks; kept in column-name order) and may be empty. Features may be NaN (the model decides
 * what a missing value means); the arrays are copied on construction and must not be changed through the accessor.
 */
public record Holdout(List<String> featureNames, List<double[]> features, List<String> labels, Map<String, List<String>> slices) {
    public Holdout {
        featureNames = List.copyOf(featureNames);
        KeelException.requireArgument(!featureNames.isEmpty(), "a holdout needs at least one feature name; got none");
        KeelException.requireArgument(new HashSet<>(featureNames).size() == featureNames.size(),
            "feature names must be distinct; got %s", featureNames);
        labels = List.copyOf(labels);
        KeelException.requireArgument(!labels.isEmpty(), "a holdout needs at least one row; got none");
        KeelException.requireArgument(features.size() == labels.size(), "the holdout has %d feature rows and %d labels; expected the same number",
            features.size(), labels.size());
        List<double[]> rows = new ArrayList<>(features.size());
        for (int i = 0; i < features.size(); i++) {
            double[] row = Objects.requireNonNull(features.get(i), "features row");
            KeelException.requireArgument(row.length == featureNames.size(), "feature row %d has %d values; expected %d (one per feature name)",
                i, row.length, featureNames.size());
            rows.add(row.clone());
        }
        features = Collections.unmodifiableList(rows);
        Map<String, List<String>> copied = new TreeMap<>();
        for (Map.Entry<String, List<String>> entry : slices.entrySet()) {
            List<String> values = List.copyOf(entry.getValue());
            KeelException.requireArgument(values.size() == labels.size(), "slice column '%s' has %d values; expected %d (one per row)",
                entry.getKey(), values.size(), labels.size());
            copied.put(Objects.requireNonNull(entry.getKey(), "slice column"), values);
        }
        slices = Collections.unmodifiableMap(copied);
    }

    /** A holdout without slice columns. */
    public Holdout(List<String> featureNames, List<double[]> features, List<String> labels) {
        this(featureNames, features, labels, Map.of());
    }

    /** The number of rows. */
    public int rows() {
        return labels.size();
    }
}
