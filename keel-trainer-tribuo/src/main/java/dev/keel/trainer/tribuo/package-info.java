/**
 * The in-JVM trainer plug-in: logistic regression trained with Tribuo and exported to ONNX.
 *
 * <p>Features are standardised with the mean and standard deviation of the training split; the exported model
 * carries that scaling and the column order itself, so callers send raw feature values in the order of
 * {@code TrainingData.featureNames()} as one FP32 tensor {@code features [N, F]} and read
 * {@code probabilities [N, C]}, one column per label in the order of {@code TrainedModel.labels()}.
 */
package dev.keel.trainer.tribuo;
