package dev.keel.core.monitor.stats;

import java.util.Locale;

/**
 * A drift statistic between a reference and a current sample. As in Evidently's stattests: Kolmogorov-Smirnov drifts
 * when {@code p <= threshold}, chi-square and the z-test when {@code p < threshold}, distances when
 * {@code value >= threshold}.
 */
public enum DriftStatistic {
    /** Population stability index over reference-quantile bins (numeric) or categories. */
    PSI("psi", 0.1, false, true),
    /** Two-sample Kolmogorov-Smirnov test, as {@code scipy.stats.ks_2samp(method='auto')}. */
    KOLMOGOROV_SMIRNOV("ks", 0.05, true, false),
    /** Pearson chi-square of current counts against reference proportions, as Evidently's {@code chisquare}. */
    CHI_SQUARE("chisquare", 0.05, true, true),
    /** Two-proportion z-test for binary columns, as Evidently's {@code z}. */
    Z_TEST("z", 0.05, true, true),
    /**
     * Jensen-Shannon distance, as {@code scipy.spatial.distance.jensenshannon} (natural logarithm by default, as Evidently;
     * base 2 on request).
     */
    JENSEN_SHANNON("jensenshannon", 0.1, false, true),
    /** Wasserstein-1 distance divided by the reference standard deviation (at least 0.001). */
    WASSERSTEIN_NORMALIZED("wasserstein", 0.1, false, false);

    private final String id;
    private final double defaultThreshold;
    private final boolean test;
    private final boolean categorical;

    DriftStatistic(String id, double defaultThreshold, boolean test, boolean categorical) {
        this.id = id;
        this.defaultThreshold = defaultThreshold;
        this.test = test;
        this.categorical = categorical;
    }

    /** Short name used in configuration ({@code ks}, {@code psi}, ...). */
    public String id() {
        return id;
    }

    public double defaultThreshold() {
        return defaultThreshold;
    }

    /** True for statistical tests, whose drift decision is on the p-value. */
    public boolean hasPValue() {
        return test;
    }

    /** Evidently's verdict: {@code score} is the p-value for tests, the value for distances. */
    public boolean drifted(double score, double threshold) {
        return switch (this) {
            case KOLMOGOROV_SMIRNOV -> score <= threshold;
            case CHI_SQUARE, Z_TEST -> score < threshold;
            case PSI, JENSEN_SHANNON, WASSERSTEIN_NORMALIZED -> score >= threshold;
        };
    }

    /** True when the statistic applies to a column of this type. */
    public boolean appliesTo(ColumnType type) {
        return type == ColumnType.NUMERIC || categorical;
    }

    /** The statistic named by {@link #id()} or by its enum name, case-insensitive. */
    public static DriftStatistic fromId(String id) {
        String wanted = id.trim().toLowerCase(Locale.ROOT);
        for (DriftStatistic statistic : values()) {
            if (statistic.id.equals(wanted) || statistic.name().toLowerCase(Locale.ROOT).equals(wanted)) {
                return statistic;
            }
        }
        throw new dev.keel.core.error.KeelException(dev.keel.core.error.ErrorCode.INVALID_CONFIG,
            "drift statistic '" + id + "' is unknown; expected one of psi, ks, chisquare, z, jensenshannon, wasserstein");
    }
}
