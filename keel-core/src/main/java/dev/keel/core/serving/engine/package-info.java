/**
 * The scoring engine of online serving: a fixed set of scoring threads behind one bounded queue, with adaptive
 * micro-batching.
 *
 * <p><b>Threads.</b> {@link dev.keel.core.serving.engine.ScoringPool} runs one scoring thread per core by default. Load
 * models with as many sessions as there are scoring threads and one intra-op thread each: that held steadiest under load.
 *
 * <p><b>Batching.</b> A scoring thread that takes a request also takes every queued request for the same loaded model whose
 * inputs line up (same names, types and trailing dimensions), up to {@code max-batch-rows} rows, scores them in one call and
 * splits the outputs back by rows. At low load nothing is queued and a request is scored alone at once; under load the queue
 * fills and batches grow by themselves. With {@code max-delay} above zero a thread also waits for more requests, until the
 * oldest in the batch has waited that long or the batch is full. Only models whose inputs and outputs all have a dynamic
 * leading dimension are batched; if a batch fails or its outputs cannot be split, each request is scored again alone, so
 * a batched answer is always the unbatched one.
 *
 * <p><b>Overload and deadlines.</b> A full queue rejects at once with {@link
 * dev.keel.core.serving.engine.ScoringOverloadedException} and a retry-after hint; a request may carry a timeout, after
 * which its future fails with {@link dev.keel.core.serving.engine.ScoringTimeoutException} and the request is dropped if
 * still queued. Nothing here knows HTTP or the registry; metrics go to a {@link
 * dev.keel.core.serving.engine.ScoringMetrics}.
 */
package dev.keel.core.serving.engine;
