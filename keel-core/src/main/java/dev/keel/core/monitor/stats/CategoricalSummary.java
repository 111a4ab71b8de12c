package dev.keel.core.monitor.stats;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Counts per category with a cap on distinct categories: once {@code maxCategories} are tracked, further new categories
 * are counted in one "other" bucket. A window made by {@link #emptyCopy()} tracks the reference's categories first.
 * Not thread-safe: confine to one thread or synchronize.
 */
public final class CategoricalSummary implements ColumnSummary {
    public static final int DEFAULT_MAX_CATEGORIES = 256;
    /** Category name under which the "other" bucket takes part in drift statistics. */
    public static final String OTHER = "\u0000other";

    private final int maxCategories;
    private final LinkedHashMap<String, Long> counts;
    private long other;
    private long nulls;

    private CategoricalSummary(int maxCategories, LinkedHashMap<String, Long> counts) {
        if (maxCategories < 1 || maxCategories > 1_000_000) {
            throw new KeelException(ErrorCode.INVALID_CONFIG, "max-categories is " + maxCategories + "; expected 1..1000000");
        }
        this.maxCategories = maxCategories;
        this.counts = counts;
    }

    /** An empty summary that tracks at most {@code maxCategories} categories. */
    public static CategoricalSummary create(int maxCategories) {
        return new CategoricalSummary(maxCategories, new LinkedHashMap<>());
    }

    /**
     * A reference summary: the {@code maxCategories} most frequent categories are tracked (ties by name), the rest go
     * to "other"; null entries count as missing.
     */
    public static CategoricalSummary ofReference(Collection<String> values, int maxCategories) {
        Objects.requireNonNull(values, "values");
        Map<String, Long> all = new HashMap<>();
        long nulls = 0;
        for (String value : values) {
            if (value == null) {
                nulls++;
            } else {
                all.merge(value, 1L, Long::sum);
            }
        }
        List<Map.Entry<String, Long>> entries = new ArrayList<>(all.entrySet());
        entries.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        CategoricalSummary summary = create(maxCategories);
        for (int i = 0; i < entries.size(); i++) {
            if (i < maxCategories) {
                summary.counts.put(entries.get(i).getKey(), entries.get(i).getValue());
            } else {
                summary.other += entries.get(i).getValue();
            }
        }
        summary.nulls = nulls;
        return summary;
    }

    /** An empty window with the same cap that tracks this summary's categories first. */
    public CategoricalSummary emptyCopy() {
        LinkedHashMap<String, Long> seeded = new LinkedHashMap<>();
        for (String key : counts.keySet()) {
            seeded.put(key, 0L);
        }
        return new CategoricalSummary(maxCategories, seeded);
    }

    /** Adds one value; null counts as missing. */
    public void add(String value) {
        add(value, 1);
    }

    private void add(String value, long times) {
        if (value == null) {
            nulls += times;
            return;
        }
        Long current = counts.get(value);
        if (current != null) {
            counts.put(value, current + times);
        } else if (counts.size() < maxCategories) {
            counts.put(value, times);
        } else {
            other += times;
        }
    }

    /** Adds another summary's counts to this one. */
    public void merge(CategoricalSummary that) {
        for (Map.Entry<String, Long> entry : that.counts.entrySet()) {
            if (entry.getValue() > 0 || counts.containsKey(entry.getKey())) {
                add(entry.getKey(), entry.getValue());
            }
        }
        other += that.other;
        nulls += that.nulls;
    }

    @Override
    public ColumnType type() {
        return ColumnType.CATEGORICAL;
    }

    @Override
    public long count() {
        long total = other;
        for (long value : counts.values()) {
            total += value;
        }
        return total;
    }

    @Override
    public long nulls() {
        return nulls;
    }

    /** Tracked categories and their counts (categories seeded from a reference may have count 0). */
    public Map<String, Long> counts() {
        return Collections.unmodifiableMap(counts);
    }

    /** Values of categories beyond the cap. */
    public long otherCount() {
        return other;
    }

    public int maxCategories() {
        return maxCategories;
    }

    /** Non-zero counts, with the "other" bucket under {@link #OTHER}. */
    Map<String, Long> countsWithOther() {
        Map<String, Long> result = new HashMap<>();
        for (Map.Entry<String, Long> entry : counts.entrySet()) {
            if (entry.getValue() > 0) {
                result.put(entry.getKey(), entry.getValue());
            }
        }
        if (other > 0) {
            result.put(OTHER, other);
        }
        return result;
    }
}
