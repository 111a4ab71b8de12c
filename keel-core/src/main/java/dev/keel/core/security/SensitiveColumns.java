package dev.keel.core.security;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The columns of a dataset (or the features of a model) that hold personal or confidential data, each with how it is masked for a
 * principal without {@link Permission#SENSITIVE_READ}. Column names compare exactly, as the engine writes them.
 */
public record SensitiveColumns(Map<String, Masking> columns) {
    private static final SensitiveColumns NONE = new SensitiveColumns(Map.of());

    public SensitiveColumns {
        Objects.requireNonNull(columns, "columns");
        columns = Collections.unmodifiableMap(new TreeMap<>(columns));
    }

    /** No sensitive column. */
    public static SensitiveColumns none() {
        return NONE;
    }

    /** The columns, all masked alike. */
    public static SensitiveColumns of(Collection<String> names, Masking masking) {
        Map<String, Masking> columns = new TreeMap<>();
        names.forEach(name -> columns.put(name, masking));
        return columns.isEmpty() ? NONE : new SensitiveColumns(columns);
    }

    /** True when no column is sensitive. */
    public boolean isEmpty() {
        return columns.isEmpty();
    }

    /** How the column is masked, if it is sensitive. */
    public Optional<Masking> masking(String column) {
        return Optional.ofNullable(columns.get(column));
    }

    public boolean contains(String column) {
        return columns.containsKey(column);
    }

    /** Both sets; a column in both takes the stricter masking. */
    public SensitiveColumns with(SensitiveColumns other) {
        if (other.isEmpty()) {
            return this;
        }
        Map<String, Masking> merged = new TreeMap<>(columns);
        other.columns.forEach((column, masking) -> merged.merge(column, masking, Masking::strictest));
        return new SensitiveColumns(merged);
    }

    /** The sensitive columns among {@code names}: what a relation with these columns inherits. */
    public SensitiveColumns retain(Collection<String> names) {
        Map<String, Masking> kept = new TreeMap<>(columns);
        kept.keySet().retainAll(names);
        return kept.size() == columns.size() ? this : new SensitiveColumns(kept);
    }
}
