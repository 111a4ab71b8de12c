package dev.keel.trainer.tribuo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtException;
import dev.keel.spi.Trainer;
import dev.keel.spi.Trainer.TrainedModel;
import dev.keel.spi.Trainer.TrainingData;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A caller that names the order of the probability columns ({@link TrainingData#classes()}) gets it, whatever order Tribuo
 * numbered the labels in: the same model scored in both orders gives the same probability per class, in ONNX Runtime.
 */
class ClassOrderTest {
    private static final long SEED = 42;

    @Test
    void logisticRegression_andRandomForest_putTheColumnsInTheCallersOrder() throws OrtException {
        for (Trainer trainer : List.of(new TribuoLogisticRegressionTrainer(), new TribuoRandomForestTrainer())) {
            TrainingData data = CreditData.load(0.3, SEED);
            Map<String, String> parameters = trainer.algorithm().equals("random-forest") ? Map.of("trees", "10") : Map.of();
            TrainedModel natural = trainer.train(data, parameters);
            List<String> reversed = List.of(natural.labels().get(1), natural.labels().get(0));
            TrainedModel ordered = trainer.train(withClasses(data, reversed), parameters);

            assertThat(ordered.labels()).as(trainer.algorithm()).isEqualTo(reversed);
            float[][] rows = TestingOnnx.floatRows(data);
            float[][] first = TestingOnnx.score(natural.artifact(), "probabilities", rows);
            float[][] second = TestingOnnx.score(ordered.artifact(), "probabilities", rows);
            for (int row = 0; row < rows.length; row++) {
                assertThat(second[row][0]).as(trainer.algorithm() + " row " + row).isEqualTo(first[row][1]);
                assertThat(second[row][1]).as(trainer.algorithm() + " row " + row).isEqualTo(first[row][0]);
            }
        }
    }

    @Test
    void aClassWithoutRows_orALabelOutsideTheClasses_isRefused() {
        TrainingData data = CreditData.load(0.3, SEED);
        Trainer trainer = new TribuoRandomForestTrainer();

        assertThatThrownBy(() -> trainer.train(withClasses(data, List.of("good", "bad", "unknown")), Map.of("trees", "3")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'unknown' has no training rows");
        assertThatThrownBy(() -> new TribuoLogisticRegressionTrainer().train(withClasses(data, List.of("good")), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'bad' is not one of the classes");
    }

    private static TrainingData withClasses(TrainingData data, List<String> classes) {
        return new TrainingData(data.featureNames(), data.features(), data.labels(), data.testFraction(), data.seed(), classes);
    }
}
