package dev.keel.core.matching;

import static dev.keel.core.error.KeelException.requireArgument;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * A Fellegi–Sunter model: per comparison level an m probability (the level's share among true matches) and a u
 * probability (its share among non-matches), and a prior λ, the probability that two records drawn at random match.
 *
 * <p>A pair's match weight is {@code w = log2(λ / (1 - λ)) + Σ_k log2(m_k / u_k)} over the level each comparison k
 * falls in, the null level adding 0; its match probability is {@code 2^w / (1 + 2^w)}. When comparison k is
 * term-frequency adjusted and the pair falls in an exact-match level on value v, {@code u_k} is replaced by
 * {@code max(floor, tf(v))}, the share of records whose normalised value is v (both sides of an exact or normalised-exact
 * match share that key); a value never counted keeps the level's u. Index 0 of each comparison's m and u is the null level
 * and is held at 1. Instances are immutable; the {@code with*} methods return changed copies.
 */
public final class MatchModel {

    private final List<Comparison> comparisons;
    private final double lambda;
    private final double[][] m;
    private final double[][] u;
    private final Map<String, TermFrequencies> termFrequencies;

    private MatchModel(List<Comparison> comparisons, double lambda, double[][] m, double[][] u, Map<String, TermFrequencies> termFrequencies) {
        this.comparisons = List.copyOf(comparisons);
        requireArgument(!this.comparisons.isEmpty(), "a match model needs at least one comparison");
        Set<String> names = new HashSet<>();
        for (Comparison comparison : this.comparisons) {
            requireArgument(names.add(comparison.name()), "comparison name '%s' is used twice", comparison.name());
        }
        requireArgument(lambda > 0 && lambda < 1, "the prior λ must be in (0, 1) (got %s)", lambda);
        this.lambda = lambda;
        this.m = checked("m", m);
        this.u = checked("u", u);
        this.termFrequencies = Map.copyOf(termFrequencies);
    }

    /** A model with the given probabilities; {@code m[k][l]} and {@code u[k][l]} for comparison k, level l (index 0 ignored). */
    public static MatchModel of(List<Comparison> comparisons, double lambda, double[][] m, double[][] u) {
        return new MatchModel(comparisons, lambda, m, u, Map.of());
    }

    /**
     * A starting point for training: λ = 0.0001 (Splink's default), u uniform over each comparison's non-null levels, and
     * m halving from the strongest level down: level i of k gets {@code 2^(k-i) / (2^k - 1)}.
     */
    public static MatchModel untrained(List<Comparison> comparisons) {
        double[][] m = new double[comparisons.size()][];
        double[][] u = new double[comparisons.size()][];
        for (int k = 0; k < comparisons.size(); k++) {
            int levels = comparisons.get(k).levels().size();
            m[k] = new double[levels + 1];
            u[k] = new double[levels + 1];
            double total = Math.pow(2, levels) - 1;
            for (int l = 1; l <= levels; l++) {
                m[k][l] = Math.pow(2, levels - l) / total;
                u[k][l] = 1.0 / levels;
            }
        }
        return of(comparisons, 0.0001, m, u);
    }

    private double[][] checked(String which, double[][] probabilities) {
        requireArgument(probabilities.length == comparisons.size(), "%s has %d rows for %d comparisons", which, probabilities.length,
                comparisons.size());
        double[][] copy = new double[probabilities.length][];
        for (int k = 0; k < probabilities.length; k++) {
            Comparison comparison = comparisons.get(k);
            requireArgument(probabilities[k].length == comparison.levelCount(), "%s for comparison '%s' has %d values for %d levels (null included)",
                    which, comparison.name(), probabilities[k].length, comparison.levelCount());
            copy[k] = probabilities[k].clone();
            copy[k][Comparison.NULL_LEVEL] = 1.0;
            for (int l = 1; l < copy[k].length; l++) {
                double p = copy[k][l];
                requireArgument(p > 0 && p <= 1, "%s of comparison '%s' level %d ('%s') must be in (0, 1] (got %s)", which, comparison.name(), l,
                        comparison.level(l).label(), p);
            }
        }
        return copy;
    }

    /** The comparisons, in the order of a level vector. */
    public List<Comparison> comparisons() {
        return comparisons;
    }

    /** The prior probability that two records drawn at random match. */
    public double lambda() {
        return lambda;
    }

    /** m of comparison k, level l. */
    public double m(int comparison, int level) {
        return m[comparison][level];
    }

    /** u of comparison k, level l. */
    public double u(int comparison, int level) {
        return u[comparison][level];
    }

    /** A copy of all m probabilities. */
    public double[][] m() {
        return deepCopy(m);
    }

    /** A copy of all u probabilities. */
    public double[][] u() {
        return deepCopy(u);
    }

    /** The term frequencies of a comparison, by comparison name, when it is adjusted and they were given. */
    public Map<String, TermFrequencies> termFrequencies() {
        return termFrequencies;
    }

    /** This model with another prior. */
    public MatchModel withLambda(double newLambda) {
        return new MatchModel(comparisons, newLambda, m, u, termFrequencies);
    }

    /** This model with other m probabilities. */
    public MatchModel withM(double[][] newM) {
        return new MatchModel(comparisons, lambda, newM, u, termFrequencies);
    }

    /** This model with other u probabilities. */
    public MatchModel withU(double[][] newU) {
        return new MatchModel(comparisons, lambda, m, newU, termFrequencies);
    }

    /** This model with the term frequencies of every term-frequency-adjusted comparison counted over {@code records}. */
    public MatchModel withTermFrequencies(Iterable<? extends Map<String, ?>> records) {
        Map<String, TermFrequencies> counted = new HashMap<>();
        for (Comparison comparison : comparisons) {
            if (comparison.termFrequencyAdjusted()) {
                counted.put(comparison.name(), TermFrequencies.count(comparison.field(), records));
            }
        }
        return new MatchModel(comparisons, lambda, m, u, counted);
    }

    /** This model with the given term frequencies for one term-frequency-adjusted comparison. */
    public MatchModel withTermFrequencies(String comparison, TermFrequencies frequencies) {
        int k = indexOf(comparison);
        requireArgument(comparisons.get(k).termFrequencyAdjusted(), "comparison '%s' is not term-frequency adjusted", comparison);
        requireArgument(frequencies.field().equals(comparisons.get(k).field()), "comparison '%s' compares field '%s'; the frequencies count '%s'",
                comparison, comparisons.get(k).field(), frequencies.field());
        Map<String, TermFrequencies> changed = new HashMap<>(termFrequencies);
        changed.put(comparison, frequencies);
        return new MatchModel(comparisons, lambda, m, u, changed);
    }

    private int indexOf(String name) {
        for (int k = 0; k < comparisons.size(); k++) {
            if (comparisons.get(k).name().equals(name)) {
                return k;
            }
        }
        throw dev.keel.core.error.KeelException.notFound("the model has no comparison '" + name + "'; it has "
                + comparisons.stream().map(Comparison::name).toList());
    }

    /** The level vector of a pair: one level index per comparison. */
    public int[] levels(Map<String, ?> left, Map<String, ?> right) {
        int[] levels = new int[comparisons.size()];
        for (int k = 0; k < levels.length; k++) {
            levels[k] = comparisons.get(k).levelOf(left, right);
        }
        return levels;
    }

    /** log2(λ / (1 - λ)). */
    public double priorWeight() {
        return log2(lambda / (1 - lambda));
    }

    /** The match weight of a level vector, without term-frequency adjustment. */
    public double weight(int[] levels) {
        requireArgument(levels.length == comparisons.size(), "a level vector needs %d entries (got %d)", comparisons.size(), levels.length);
        double weight = priorWeight();
        for (int k = 0; k < levels.length; k++) {
            weight += log2(m[k][levels[k]] / u[k][levels[k]]);
        }
        return weight;
    }

    /** The match weight of a pair of records, term-frequency adjusted where the model says so. */
    public double weight(Map<String, ?> left, Map<String, ?> right) {
        return explain(left, right).matchWeight();
    }

    /** The match probability of a pair of records. */
    public double probability(Map<String, ?> left, Map<String, ?> right) {
        return probability(weight(left, right));
    }

    /** 2^w / (1 + 2^w), computed without overflow. */
    public static double probability(double weight) {
        return 1.0 / (1.0 + Math.pow(2, -weight));
    }

    /** Each comparison's level, m, u and weight for a pair, and the total. */
    public PairExplanation explain(Map<String, ?> left, Map<String, ?> right) {
        double total = priorWeight();
        List<PairExplanation.Term> terms = new ArrayList<>(comparisons.size());
        for (int k = 0; k < comparisons.size(); k++) {
            Comparison comparison = comparisons.get(k);
            int level = comparison.levelOf(left, right);
            double levelU = u[k][level];
            boolean adjusted = false;
            if (level != Comparison.NULL_LEVEL && comparison.termFrequencyAdjusted() && comparison.level(level).isExactMatch()) {
                OptionalDouble share = termShare(comparison, left.get(comparison.field()));
                if (share.isPresent()) {
                    levelU = share.getAsDouble();
                    adjusted = true;
                }
            }
            double weight = log2(m[k][level] / levelU);
            total += weight;
            terms.add(new PairExplanation.Term(comparison.name(), level, comparison.labels().get(level), m[k][level], levelU, weight, adjusted));
        }
        return new PairExplanation(priorWeight(), terms, total, probability(total));
    }

    private OptionalDouble termShare(Comparison comparison, Object left) {
        TermFrequencies frequencies = termFrequencies.get(comparison.name());
        // an exact or normalised-exact match means both sides have the same normalised key
        return frequencies == null ? OptionalDouble.empty() : frequencies.share(left);
    }

    static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }

    private static double[][] deepCopy(double[][] values) {
        double[][] copy = new double[values.length][];
        for (int i = 0; i < values.length; i++) {
            copy[i] = values[i].clone();
        }
        return copy;
    }
}
