package dev.keel.trainer.tribuo;

import dev.keel.spi.Trainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * Multinomial logistic regression trained with Tribuo's SGD (AdaGrad, log loss) and exported as ONNX.
 *
 * <p>Parameters (all optional): {@code epochs} (integer in [1, 10000], default 10), {@code learning-rate}
 * (AdaGrad's initial rate, in (0, 100], default 1.0), {@code minibatch-size} (integer in [1, 65536], default 1),
 * {@code seed} (any long, default the data's seed), {@code positive-label} (the label whose held-out AUC is reported,
 * default the last label in sorted order; for two labels the AUC is the same either way).
 *
 * <p>Metrics on the held-out rows: {@code accuracy}, {@code log_loss} (natural log, probabilities clamped to
 * 1e-15) and {@code auc} (one-vs-rest for the positive label, when the held-out rows have both kinds). With a test
 * fraction of 0 there are no held-out rows and no metrics.
 */
public final class TribuoLogisticRegressionTrainer implements Trainer {
    /** The algorithm name this trainer answers to. */
    public static final String ALGORITHM = "logistic-regression";
    static final String FORMAT = "onnx";
    private static final LabelFactory LABELS = new LabelFactory();

    /** Creates the trainer; it holds no state between runs. */
    public TribuoLogisticRegressionTrainer() {
        TribuoLogging.quiet();
    }

    @Override
    public String algorithm() {
        return ALGORITHM;
    }

    @Override
    public TrainedModel train(TrainingData data, Map<String, String> parameters) {
        Fit fit = fit(data, parameters);
        return new TrainedModel(FORMAT, fit.onnx(), fit.labels(), fit.metrics(), fit.parametersUsed());
    }

    /** One training run with everything it produced, for callers in this package that need the Tribuo model too. */
    record Fit(LinearSGDModel model, Standardisation scaling, Split split, List<String> labels, byte[] onnx,
               Map<String, Double> metrics, Map<String, String> parametersUsed) {
    }

    Fit fit(TrainingData data, Map<String, String> parameters) {
        TrainingParameters used = TrainingParameters.parse(parameters, data.seed());
        DataChecks.requireFiniteFeatures(data);
        DataChecks.requireClassLabels(data);
        TreeSet<String> distinctLabels = new TreeSet<>(data.labels());
        String positiveLabel = used.positiveLabel().orElse(distinctLabels.last());
        if (!distinctLabels.contains(positiveLabel)) {
            throw new IllegalArgumentException("parameter '" + TrainingParameters.POSITIVE_LABEL + "' must be one of "
                    + distinctLabels + ", got '" + positiveLabel + "'");
        }

        Split split = Split.stratified(data.labels(), data.testFraction(), data.seed());
        int width = data.featureNames().size();
        Standardisation scaling = Standardisation.fit(data.features(), split.train(), width);
        String[] names = data.featureNames().toArray(String[]::new);
        MutableDataset<Label> train = dataset(data, split.train(), scaling, names, "training split");

        LinearSGDTrainer trainer = new LinearSGDTrainer(new LogMulticlass(), new AdaGrad(used.learningRate()), used.epochs(),
                -1, used.minibatchSize(), used.seed());
        LinearSGDModel model = trainer.train(train);
        List<String> labels = new ArrayList<>();
        for (int id = 0; id < model.getOutputIDInfo().size(); id++) {
            labels.add(model.getOutputIDInfo().getOutput(id).getLabel());
        }

        Map<String, Double> metrics = Map.of();
        if (!split.test().isEmpty()) {
            metrics = HeldOutMetrics.classification(model, dataset(data, split.test(), scaling, names, "held-out split"), positiveLabel);
        }
        List<String> order = DataChecks.outputOrder(data, labels);
        byte[] onnx = OnnxExport.export(model, data.featureNames(), scaling, labels, order);
        labels = order;
        return new Fit(model, scaling, split, List.copyOf(labels), onnx, metrics, used.describe(positiveLabel));
    }

    /** The Tribuo example for one row: standardised values under the caller's feature names. */
    static ArrayExample<Label> example(String label, String[] names, double[] scaledRow) {
        return new ArrayExample<>(new Label(label), names, scaledRow);
    }

    private static MutableDataset<Label> dataset(TrainingData data, List<Integer> rows, Standardisation scaling, String[] names,
                                                 String description) {
        MutableDataset<Label> dataset = new MutableDataset<>(new SimpleDataSourceProvenance(description, LABELS), LABELS);
        for (int row : rows) {
            dataset.add(example(data.labels().get(row), names, scaling.apply(data.features().get(row))));
        }
        return dataset;
    }
}
