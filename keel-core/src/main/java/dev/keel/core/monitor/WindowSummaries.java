package dev.keel.core.monitor;

import dev.keel.core.monitor.stats.CategoricalSummary;
import dev.keel.core.monitor.stats.ColumnSummary;
import dev.keel.core.monitor.stats.NumericSummary;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Bounded summaries of a window of logged predictions, one per target, on the grids of the reference's summaries. */
final class WindowSummaries {
    private final Map<String, ColumnSummary> summaries = new LinkedHashMap<>();

    WindowSummaries(ReferenceProfile reference, List<String> targets) {
        for (String target : targets) {
            ColumnSummary summary = reference.columns().get(column(target));
            if (summary != null) {
                summaries.put(target, switch (summary) {
                    case NumericSummary numeric -> numeric.emptyCopy();
                    case CategoricalSummary categorical -> categorical.emptyCopy();
                });
            }
        }
    }

    /** The reference column of a target: the feature itself, or the output's name for {@code output:NAME}. */
    static String column(String target) {
        return target.startsWith(MonitorSpec.OUTPUT_PREFIX) ? target.substring(MonitorSpec.OUTPUT_PREFIX.length()) : target;
    }

    static Object value(PredictionRecord record, String target) {
        return target.startsWith(MonitorSpec.OUTPUT_PREFIX) ? record.outputs().get(column(target)) : record.inputs().get(target);
    }

    void add(PredictionRecord record) {
        summaries.forEach((target, summary) -> {
            Object value = value(record, target);
            switch (summary) {
                case NumericSummary numeric -> numeric.add(number(value));
                case CategoricalSummary categorical -> categorical.add(value == null ? null : value.toString());
            }
        });
    }

    static double number(Object value) {
        return switch (value) {
            case null -> Double.NaN;
            case Number number -> number.doubleValue();
            case Boolean flag -> flag ? 1 : 0;
            case String text -> {
                try {
                    yield Double.parseDouble(text.trim());
                } catch (NumberFormatException e) {
                    yield Double.NaN;
                }
            }
            default -> Double.NaN;
        };
    }

    Map<String, ColumnSummary> summaries() {
        return summaries;
    }
}
