/**
 * The in-JVM trainer plug-ins, trained with Tribuo and exported to ONNX: {@code logistic-regression},
 * {@code random-forest} and {@code linear-regression}.
 *
 * <p>Every exported model takes raw feature values in the order of {@code TrainingData.featureNames()} as one FP32 tensor
 * {@code features [N, F]}. The classifiers answer {@code probabilities [N, C]}, one column per label in the order of
 * {@code TrainedModel.labels()}; linear regression answers {@code prediction [N, 1]} in the target's units and has no
 * labels. The linear models standardise with the training split's mean and standard deviation and carry that scaling and
 * the column order in the graph. The forest is written as one {@code ai.onnx.ml TreeEnsembleClassifier}, because Tribuo
 * cannot export trees; see {@code docs/trainers.md} for how its thresholds keep float32 inputs on Tribuo's branches.
 */
package dev.keel.trainer.tribuo;
