package dev.keel.core.monitor;

import dev.keel.core.monitor.stats.ColumnSample;
import dev.keel.core.monitor.stats.ColumnSummary;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The reference of a model version: where its rows are kept and a bounded summary per column, the baseline drift is measured
 * against.
 *
 * @param source where the rows came from: {@code upload:csv}, {@code upload:json} or a dataset snapshot
 * @param samples the columns' values themselves, for exact drift, for each column with at most
 *     {@code monitoring.exact-drift-max-values} non-missing values
 */
public record ReferenceProfile(String model, int version, String sha256, long rows, Map<String, ColumnSummary> columns, String source,
                               Instant createdAt, Map<String, ColumnSample> samples) {
    public ReferenceProfile {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(createdAt, "createdAt");
        columns = Collections.unmodifiableMap(new LinkedHashMap<>(columns));
        samples = Collections.unmodifiableMap(new LinkedHashMap<>(samples));
    }
}
