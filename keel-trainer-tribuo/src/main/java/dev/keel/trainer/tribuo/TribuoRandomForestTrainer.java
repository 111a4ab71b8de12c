package dev.keel.trainer.tribuo;

import dev.keel.spi.Trainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.dtree.CARTClassificationTrainer;
import org.tribuo.classification.dtree.impurity.GiniIndex;
import org.tribuo.classification.ensemble.FullyWeightedVotingCombiner;
import org.tribuo.common.tree.RandomForestTrainer;
import org.tribuo.ensemble.BaggingTrainer;
import org.tribuo.ensemble.EnsembleModel;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * A random forest of CART classification trees (Gini impurity) trained with Tribuo and exported as ONNX; binary and
 * multi-class.
 *
 * <p>Parameters (all optional): {@code trees} (integer in [1, 10000], default 100), {@code max-depth} (integer in
 * [1, 64], default 12), {@code min-child-weight} (the least number of training rows a split may leave in a child, in
 * (0, 1000000], default 5), {@code feature-fraction} (the fraction of the features each split draws from, in (0, 1],
 * default 0.5; 1 gives bagged trees over all features), {@code seed} (any long, default the data's seed), {@code
 * positive-label} (the label whose held-out AUC is reported, default the last label in sorted order).
 *
 * <p>Features are rounded to float32, the type the exported model reads, before Tribuo sees them. Each tree is grown on
 * a bootstrap sample of the training split; the forest's probabilities are the mean of the
 * trees' leaf class distributions. Metrics on the held-out rows are those of the logistic trainer: {@code accuracy},
 * {@code log_loss} and {@code auc}.
 */
public final class TribuoRandomForestTrainer implements Trainer {
    /** The algorithm name this trainer answers to. */
    public static final String ALGORITHM = "random-forest";
    private static final LabelFactory LABELS = new LabelFactory();
    private static final float MIN_IMPURITY_DECREASE = 0.0f;

    /** Creates the trainer; it holds no state between runs. */
    public TribuoRandomForestTrainer() {
        TribuoLogging.quiet();
    }

    @Override
    public String algorithm() {
        return ALGORITHM;
    }

    @Override
    public TrainedModel train(TrainingData data, Map<String, String> parameters) {
        Fit fit = fit(data, parameters);
        return new TrainedModel(TribuoLogisticRegressionTrainer.FORMAT, fit.onnx(), fit.labels(), fit.metrics(), fit.parametersUsed());
    }

    /** One training run with everything it produced, for callers in this package that need the Tribuo model too. */
    record Fit(EnsembleModel<Label> model, Split split, List<String> labels, byte[] onnx, Map<String, Double> metrics,
               Map<String, String> parametersUsed) {
    }

    Fit fit(TrainingData data, Map<String, String> parameters) {
        ForestParameters used = ForestParameters.parse(parameters, data.seed());
        DataChecks.requireFiniteFeatures(data);
        DataChecks.requireFloat32Range(data);
        DataChecks.requireClassLabels(data);
        TreeSet<String> distinctLabels = new TreeSet<>(data.labels());
        String positiveLabel = used.positiveLabel().orElse(distinctLabels.last());
        if (!distinctLabels.contains(positiveLabel)) {
            throw new IllegalArgumentException("parameter '" + ForestParameters.POSITIVE_LABEL + "' must be one of "
                    + distinctLabels + ", got '" + positiveLabel + "'");
        }

        Split split = Split.stratified(data.labels(), data.testFraction(), data.seed());
        String[] names = data.featureNames().toArray(String[]::new);
        MutableDataset<Label> train = dataset(data, split.train(), names, "training split");

        CARTClassificationTrainer tree = new CARTClassificationTrainer(used.maxDepth(), (float) used.minChildWeight(),
                MIN_IMPURITY_DECREASE, (float) used.featureFraction(), false, new GiniIndex(), used.seed());
        BaggingTrainer<Label> forest = used.featureFraction() < 1
                ? new RandomForestTrainer<>(tree, new FullyWeightedVotingCombiner(), used.trees(), used.seed())
                : new BaggingTrainer<>(tree, new FullyWeightedVotingCombiner(), used.trees(), used.seed());
        EnsembleModel<Label> model = forest.train(train);
        List<String> labels = new ArrayList<>();
        for (int id = 0; id < model.getOutputIDInfo().size(); id++) {
            labels.add(model.getOutputIDInfo().getOutput(id).getLabel());
        }

        Map<String, Double> metrics = Map.of();
        if (!split.test().isEmpty()) {
            metrics = HeldOutMetrics.classification(model, dataset(data, split.test(), names, "held-out split"), positiveLabel);
        }
        labels = DataChecks.outputOrder(data, labels);
        byte[] onnx = TreeEnsembleExport.export(model, data.featureNames(), labels);
        return new Fit(model, split, List.copyOf(labels), onnx, metrics, used.describe(positiveLabel));
    }

    /**
     * The Tribuo example for one row: its values rounded to float32 (see {@link #float32}) under the caller's feature
     * names, zeros included (the trees treat an absent feature as 0 too, so either way a row takes the same branches).
     */
    static ArrayExample<Label> example(String label, String[] names, double[] row) {
        return new ArrayExample<>(new Label(label), names, float32(row));
    }

    /**
     * The row's values rounded to the nearest float32 and widened back. The exported model reads float32, so the trees
     * learn from the values they will be given: every split then lies strictly between two float32 values and its
     * threshold, rounded down to a float32, sends every float32 input the way Tribuo sends it.
     */
    static double[] float32(double[] row) {
        double[] rounded = new double[row.length];
        for (int column = 0; column < row.length; column++) {
            rounded[column] = (float) row[column];
        }
        return rounded;
    }

    private static MutableDataset<Label> dataset(TrainingData data, List<Integer> rows, String[] names, String description) {
        MutableDataset<Label> dataset = new MutableDataset<>(new SimpleDataSourceProvenance(description, LABELS), LABELS);
        for (int row : rows) {
            dataset.add(example(data.labels().get(row), names, data.features().get(row)));
        }
        return dataset;
    }
}
