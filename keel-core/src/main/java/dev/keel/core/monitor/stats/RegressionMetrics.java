package dev.keel.core.monitor.stats;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.util.Objects;

/** Regression performance as scikit-learn computes it: MAE, RMSE and R2 (1 for a perfect fit of a constant target). */
public record RegressionMetrics(long count, double meanAbsoluteError, double rootMeanSquaredError, double r2) {

    /** Metrics of predictions against actual values; NaN pairs are not allowed. */
    public static RegressionMetrics of(double[] actual, double[] predicted) {
        Objects.requireNonNull(actual, "actual");
        Objects.requireNonNull(predicted, "predicted");
        int n = actual.length;
        if (predicted.length != n || n == 0) {
            throw new KeelException(ErrorCode.INVALID_REQUEST, "actual has " + n + " values and predicted " + predicted.length
                + "; expected the same, non-zero number");
        }
        double sumActual = 0;
        double absolute = 0;
        double squared = 0;
        for (int i = 0; i < n; i++) {
            if (Double.isNaN(actual[i]) || Double.isNaN(predicted[i])) {
                throw new KeelException(ErrorCode.INVALID_REQUEST, "value " + i + " is NaN; expected numbers");
            }
            double error = actual[i] - predicted[i];
            absolute += Math.abs(error);
            squared += error * error;
            sumActual += actual[i];
        }
        double mean = sumActual / n;
        double total = 0;
        for (double value : actual) {
            total += (value - mean) * (value - mean);
        }
        double r2;
        if (total == 0) {
            r2 = squared == 0 ? 1.0 : 0.0;
        } else {
            r2 = 1 - squared / total;
        }
        return new RegressionMetrics(n, absolute / n, Math.sqrt(squared / n), r2);
    }
}
