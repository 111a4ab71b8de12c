package dev.keel.core.data;

import dev.keel.spi.data.DatasetProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Schema and profile changes between two versions of a dataset.
 *
 * @param changes per-column statistic changes of columns present in both versions
 */
public record DatasetDiff(String dataset, int fromVersion, int toVersion, long rowsFrom, long rowsTo, List<String> addedColumns,
                          List<String> removedColumns, List<TypeChange> typeChanges, List<Change> changes) {
    public DatasetDiff {
        Objects.requireNonNull(dataset, "dataset");
        addedColumns = List.copyOf(addedColumns);
        removedColumns = List.copyOf(removedColumns);
        typeChanges = List.copyOf(typeChanges);
        changes = List.copyOf(changes);
    }

    /** A column whose type changed. */
    public record TypeChange(String column, String from, String to) {
    }

    /** One statistic of one column that changed; values as text. */
    public record Change(String column, String statistic, String from, String to) {
    }

    /** True when the schemas are equal. */
    public boolean sameSchema() {
        return addedColumns.isEmpty() && removedColumns.isEmpty() && typeChanges.isEmpty();
    }

    /** Compares two versions' profiles. */
    public static DatasetDiff between(DatasetVersion from, DatasetVersion to) {
        DatasetProfile before = from.profile();
        DatasetProfile after = to.profile();
        List<String> added = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        List<TypeChange> types = new ArrayList<>();
        List<Change> changes = new ArrayList<>();
        for (DatasetProfile.ColumnProfile column : after.columns()) {
            if (before.column(column.name()).isEmpty()) {
                added.add(column.name());
            }
        }
        for (DatasetProfile.ColumnProfile old : before.columns()) {
            Optional<DatasetProfile.ColumnProfile> found = after.column(old.name());
            if (found.isEmpty()) {
                removed.add(old.name());
                continue;
            }
            DatasetProfile.ColumnProfile now = found.get();
            if (!old.type().equals(now.type())) {
                types.add(new TypeChange(old.name(), old.type(), now.type()));
            }
            compare(changes, old.name(), "null-fraction", fraction(old.nulls(), before.rows()), fraction(now.nulls(), after.rows()));
            compare(changes, old.name(), "distinct", Long.toString(old.distinct()), Long.toString(now.distinct()));
            compare(changes, old.name(), "min", old.min().orElse(""), now.min().orElse(""));
            compare(changes, old.name(), "max", old.max().orElse(""), now.max().orElse(""));
            compare(changes, old.name(), "mean", old.mean().map(DatasetDiff::format).orElse(""),
                    now.mean().map(DatasetDiff::format).orElse(""));
            if (old.quantiles().size() == now.quantiles().size()) {
                for (int index = 0; index < old.quantiles().size(); index++) {
                    compare(changes, old.name(), "p" + Math.round(DatasetProfile.ColumnProfile.QUANTILE_LEVELS.get(index) * 100),
                            format(old.quantiles().get(index)), format(now.quantiles().get(index)));
                }
            }
            List<String> oldTop = old.topValues().stream().map(DatasetProfile.ValueCount::value).toList();
            List<String> newTop = now.topValues().stream().map(DatasetProfile.ValueCount::value).toList();
            compare(changes, old.name(), "top-values", String.join(", ", oldTop), String.join(", ", newTop));
        }
        return new DatasetDiff(from.dataset(), from.version(), to.version(), before.rows(), after.rows(), added, removed, types,
                changes);
    }

    private static void compare(List<Change> changes, String column, String statistic, String from, String to) {
        if (!from.equals(to)) {
            changes.add(new Change(column, statistic, from, to));
        }
    }

    private static String fraction(long part, long whole) {
        return whole == 0 ? "0" : format((double) part / whole);
    }

    private static String format(double value) {
        return String.format(java.util.Locale.ROOT, "%.6g", value);
    }
}
