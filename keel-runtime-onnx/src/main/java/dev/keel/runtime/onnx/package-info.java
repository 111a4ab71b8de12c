/**
 * The ONNX Runtime implementation of {@link dev.keel.spi.ModelRuntime}.
 *
 * <p><b>Element types.</b> ONNX element types map to {@link dev.keel.spi.DataType} one to one (float16 as raw half-precision
 * bits in a {@code short[]}, string as {@code BYTES}). ONNX Runtime's Java API cannot create uint16, uint32 or uint64
 * tensors, so a model with such an input can be inspected and loaded but not fed; outputs of those types are read.
 * bfloat16, complex and float8 values are refused at inspection.
 *
 * <p><b>Non-tensor outputs.</b> A classifier converted with a ZipMap returns a sequence of maps, one map per row from class
 * label to probability. It is returned as two tensors: the output itself as an {@code FP32} (or {@code FP64}) tensor of
 * shape {@code [rows, classes]}, and {@code <output>:labels}, the class labels as an {@code INT64} or {@code BYTES} tensor of
 * shape {@code [classes]}. Columns follow the labels in ascending order (numeric for integer labels), which is the order
 * scikit-learn's {@code classes_} uses. The signature lists both; the first has kind {@code sequence<map<K,V>>}, the labels
 * kind {@code labels}. A lone map is treated as a sequence of one.
 *
 * <p><b>Concurrency.</b> A loaded model keeps {@link dev.keel.spi.RuntimeOptions#sessions()} independent sessions and lends
 * one to each call, so that as many threads score at once without sharing a session; further callers wait for a session.
 * One session per scoring thread with one intra-op thread each scales best on a busy server.
 */
package dev.keel.runtime.onnx;
