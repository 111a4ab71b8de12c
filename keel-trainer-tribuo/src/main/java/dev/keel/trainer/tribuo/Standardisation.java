package dev.keel.trainer.tribuo;

import java.util.List;

/** Per-feature mean and scale (population standard deviation, 1 for a constant feature) from the training rows. */
record Standardisation(double[] mean, double[] scale) {
    Standardisation {
        mean = mean.clone();
        scale = scale.clone();
        if (mean.length != scale.length) {
            throw new IllegalArgumentException(mean.length + " means but " + scale.length + " scales");
        }
    }

    static Standardisation fit(List<double[]> rows, List<Integer> indices, int width) {
        double[] mean = new double[width];
        double[] squares = new double[width];
        int count = indices.size();
        for (int index : indices) {
            double[] row = rows.get(index);
            for (int column = 0; column < width; column++) {
                mean[column] += row[column] / count;
            }
        }
        for (int index : indices) {
            double[] row = rows.get(index);
            for (int column = 0; column < width; column++) {
                double deviation = row[column] - mean[column];
                squares[column] += deviation * deviation;
            }
        }
        double[] scale = new double[width];
        for (int column = 0; column < width; column++) {
            double deviation = Math.sqrt(squares[column] / count);
            scale[column] = deviation > 1e-12 ? deviation : 1.0;
        }
        return new Standardisation(mean, scale);
    }

    double[] apply(double[] row) {
        double[] scaled = new double[row.length];
        for (int column = 0; column < row.length; column++) {
            scaled[column] = (row[column] - mean[column]) / scale[column];
        }
        return scaled;
    }
}
