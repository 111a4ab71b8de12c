package dev.keel.trainer.tribuo;

import dev.keel.spi.Trainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tribuo.MutableDataset;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.sgd.linear.LinearSGDModel;
import org.tribuo.regression.sgd.linear.LinearSGDTrainer;
import org.tribuo.regression.sgd.objectives.SquaredLoss;

/**
 * Linear regression (least squares) trained with Tribuo's SGD (AdaGrad) and exported as ONNX; labels are decimal numbers.
 *
 * <p>Parameters (all optional): {@code epochs} (integer in [1, 10000], default 50), {@code learning-rate} (AdaGrad's
 * initial rate, in (0, 100], default 0.1), {@code minibatch-size} (integer in [1, 65536], default 1), {@code seed} (any
 * long, default the data's seed).
 *
 * <p>Features and target are standardised with the training split's mean and standard deviation; the exported model
 * undoes both, so it takes raw features and predicts in the target's units. Metrics on the held-out rows (a seeded random
 * split): {@code mae}, {@code rmse} and {@code r2}. With a test fraction of 0 there are no held-out rows and no metrics.
 */
public final class TribuoLinearRegressionTrainer implements Trainer {
    /** The algorithm name this trainer answers to. */
    public static final String ALGORITHM = "linear-regression";
    static final String TARGET = "target";
    private static final RegressionFactory REGRESSORS = new RegressionFactory();

    /** Creates the trainer; it holds no state between runs. */
    public TribuoLinearRegressionTrainer() {
        TribuoLogging.quiet();
    }

    @Override
    public String algorithm() {
        return ALGORITHM;
    }

    @Override
    public TrainedModel train(TrainingData data, Map<String, String> parameters) {
        Fit fit = fit(data, parameters);
        return new TrainedModel(TribuoLogisticRegressionTrainer.FORMAT, fit.onnx(), List.of(), fit.metrics(), fit.parametersUsed());
    }

    /**
     * One training run with everything it produced, for callers in this package that need the Tribuo model too.
     *
     * @param target the training targets' mean and scale; the model predicts {@code (y - mean) / scale}
     */
    record Fit(LinearSGDModel model, Standardisation scaling, Standardisation target, Split split, byte[] onnx,
               Map<String, Double> metrics, Map<String, String> parametersUsed) {
        /** The prediction in the target's units for one raw row. */
        double predict(String[] names, double[] row) {
            Regressor standardised = model.predict(example(0, names, scaling.apply(row))).getOutput();
            return standardised.getValues()[0] * target.scale()[0] + target.mean()[0];
        }
    }

    Fit fit(TrainingData data, Map<String, String> parameters) {
        RegressionParameters used = RegressionParameters.parse(parameters, data.seed());
        DataChecks.requireFiniteFeatures(data);
        DataChecks.requireFloat32Range(data);
        double[] targets = DataChecks.requireNumericLabels(data);

        Split split = Split.random(targets.length, data.testFraction(), data.seed());
        int width = data.featureNames().size();
        Standardisation scaling = Standardisation.fit(data.features(), split.train(), width);
        List<double[]> targetRows = new ArrayList<>(targets.length);
        for (double value : targets) {
            targetRows.add(new double[] {value});
        }
        Standardisation target = Standardisation.fit(targetRows, split.train(), 1);
        String[] names = data.featureNames().toArray(String[]::new);
        MutableDataset<Regressor> train = new MutableDataset<>(new SimpleDataSourceProvenance("training split", REGRESSORS), REGRESSORS);
        for (int row : split.train()) {
            train.add(example(target.apply(targetRows.get(row))[0], names, scaling.apply(data.features().get(row))));
        }

        LinearSGDTrainer trainer = new LinearSGDTrainer(new SquaredLoss(), new AdaGrad(used.learningRate()), used.epochs(), -1,
                used.minibatchSize(), used.seed());
        LinearSGDModel model = trainer.train(train);
        byte[] onnx = OnnxExport.exportRegression(model, data.featureNames(), scaling, target);
        Fit fit = new Fit(model, scaling, target, split, onnx, Map.of(), used.describe());
        if (split.test().isEmpty()) {
            return fit;
        }
        double[] actual = new double[split.test().size()];
        double[] predicted = new double[actual.length];
        for (int i = 0; i < actual.length; i++) {
            int row = split.test().get(i);
            actual[i] = targets[row];
            predicted[i] = fit.predict(names, data.features().get(row));
        }
        return new Fit(model, scaling, target, split, onnx, HeldOutMetrics.regression(actual, predicted), used.describe());
    }

    /** The Tribuo example for one row: standardised values under the caller's feature names, standardised target. */
    static ArrayExample<Regressor> example(double standardisedTarget, String[] names, double[] scaledRow) {
        return new ArrayExample<>(new Regressor(TARGET, standardisedTarget), names, scaledRow);
    }
}
