/**
 * Probabilistic entity resolution in the Fellegi–Sunter sense, as Splink defines it.
 *
 * <p>A {@link dev.keel.core.matching.Comparison} turns the two values of one field into a level index: level 0 when
 * either side is missing (no evidence), then its {@link dev.keel.core.matching.ComparisonLevel}s in order, the first
 * that holds winning. A pair of records becomes a small {@code int[]} of level indices, one per comparison, and nothing
 * more is kept per pair. A {@link dev.keel.core.matching.MatchModel} holds an m and a u probability per level and a prior
 * λ; a pair's match weight is {@code log2(λ/(1-λ)) + Σ log2(m/u)} and its probability {@code 2^w / (1 + 2^w)}.
 * {@link dev.keel.core.matching.MatchTraining} estimates u from random pairs, m and λ by expectation–maximisation or
 * from labelled pairs; exact levels may be term-frequency adjusted so that agreeing on a rare value counts for more.
 * {@link dev.keel.core.matching.Clustering} links scored pairs into entities and
 * {@link dev.keel.core.matching.MatchMetrics} compares entities with the truth. {@link dev.keel.core.matching.Keys}
 * derives blocking keys. See {@code docs/matching.md} for the formulas.
 */
package dev.keel.core.matching;
