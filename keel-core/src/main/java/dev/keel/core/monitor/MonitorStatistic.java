package dev.keel.core.monitor;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.monitor.stats.DriftStatistic;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** What a monitor measures, the family it belongs to, and which side of its limit is a breach. */
public enum MonitorStatistic {
    PSI("psi", Kind.DRIFT, Optional.of(DriftStatistic.PSI), false),
    KS("ks", Kind.DRIFT, Optional.of(DriftStatistic.KOLMOGOROV_SMIRNOV), false),
    CHI2("chi2", Kind.DRIFT, Optional.of(DriftStatistic.CHI_SQUARE), false),
    Z("z", Kind.DRIFT, Optional.of(DriftStatistic.Z_TEST), false),
    JENSEN_SHANNON("jensen_shannon", Kind.DRIFT, Optional.of(DriftStatistic.JENSEN_SHANNON), false),
    WASSERSTEIN("wasserstein", Kind.DRIFT, Optional.of(DriftStatistic.WASSERSTEIN_NORMALIZED), false),
    AUTO("auto", Kind.DRIFT, Optional.empty(), false),
    ACCURACY("accuracy", Kind.PERFORMANCE, Optional.empty(), true),
    PRECISION("precision", Kind.PERFORMANCE, Optional.empty(), true),
    RECALL("recall", Kind.PERFORMANCE, Optional.empty(), true),
    F1("f1", Kind.PERFORMANCE, Optional.empty(), true),
    ROC_AUC("roc_auc", Kind.PERFORMANCE, Optional.empty(), true),
    LOG_LOSS("log_loss", Kind.PERFORMANCE, Optional.empty(), false),
    MAE("mae", Kind.PERFORMANCE, Optional.empty(), false),
    RMSE("rmse", Kind.PERFORMANCE, Optional.empty(), false),
    R2("r2", Kind.PERFORMANCE, Optional.empty(), true),
    MISSING_RATE("missing_rate", Kind.DATA_QUALITY, Optional.empty(), false),
    OUT_OF_RANGE_RATE("out_of_range_rate", Kind.DATA_QUALITY, Optional.empty(), false),
    UNSEEN_CATEGORY_RATE("unseen_category_rate", Kind.DATA_QUALITY, Optional.empty(), false),
    SCHEMA_VIOLATION_RATE("schema_violation_rate", Kind.DATA_QUALITY, Optional.empty(), false);

    /** The monitor families. */
    public enum Kind { DRIFT, PERFORMANCE, DATA_QUALITY }

    private final String id;
    private final Kind kind;
    private final Optional<DriftStatistic> drift;
    private final boolean higherIsBetter;

    MonitorStatistic(String id, Kind kind, Optional<DriftStatistic> drift, boolean higherIsBetter) {
        this.id = id;
        this.kind = kind;
        this.drift = drift;
        this.higherIsBetter = higherIsBetter;
    }

    public String id() {
        return id;
    }

    public Kind kind() {
        return kind;
    }

    /** The drift statistic computed; empty for {@code auto} (Evidently's choice per column) and non-drift monitors. */
    public Optional<DriftStatistic> drift() {
        return drift;
    }

    /** For performance metrics: true when a value below the limit is a breach (accuracy), false when above (rmse). */
    public boolean higherIsBetter() {
        return higherIsBetter;
    }

    /** True for metrics that need ground-truth labels of a classifier. */
    public boolean classification() {
        return this == ACCURACY || this == PRECISION || this == RECALL || this == F1 || this == ROC_AUC || this == LOG_LOSS;
    }

    public static MonitorStatistic fromId(String id) {
        String wanted = id == null ? "" : id.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        return Arrays.stream(values()).filter(statistic -> statistic.id.equals(wanted)).findFirst()
                .orElseThrow(() -> new KeelException(ErrorCode.INVALID_SPEC, "monitor field 'statistic' is '" + id + "'; expected one of "
                        + Arrays.stream(values()).map(MonitorStatistic::id).toList()));
    }
}
