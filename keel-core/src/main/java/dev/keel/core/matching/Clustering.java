package dev.keel.core.matching;

import static dev.keel.core.error.KeelException.requireArgument;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Links scored pairs into entities.
 *
 * <p>By default: connected components (union–find) over the pairs whose probability is at least the threshold; a
 * cluster's id is the smallest record id in it, and a record in no linked pair is its own cluster.
 *
 * <ul>
 *   <li>{@link #breakingBridgesBelow(double)}: let G be the graph of the pairs kept by the threshold. An edge (a, b) of
 *       G is dropped when its weight is below the bridge weight and a and b have no common neighbour in G, so a weak
 *       link that no third record confirms does not merge two groups. The rule is applied once, on G as it was.</li>
 *   <li>{@link #crossSourceOnly(Map)}: a pair of two records of one source is never an edge (two records of one source
 *       can still end up in one cluster through records of another).</li>
 *   <li>{@link #oneToOne(Map)}: for linking two sources, pairs across sources at or above the threshold are taken in
 *       descending weight (ties by smaller left id, then right id) and kept when neither record is already linked; every
 *       cluster then has at most one record of each side. The bridge rule does not apply.</li>
 * </ul>
 */
public final class Clustering {

    private final double threshold;
    private final double bridgeWeight;
    private final Map<Long, String> sources;
    private final boolean oneToOne;

    private Clustering(double threshold, double bridgeWeight, Map<Long, String> sources, boolean oneToOne) {
        requireArgument(threshold >= 0 && threshold <= 1, "a clustering threshold is a probability in [0, 1] (got %s)", threshold);
        this.threshold = threshold;
        this.bridgeWeight = bridgeWeight;
        this.sources = sources;
        this.oneToOne = oneToOne;
    }

    /** Connected components over pairs with probability at least {@code threshold}. */
    public static Clustering connectedComponents(double threshold) {
        return new Clustering(threshold, Double.NEGATIVE_INFINITY, Map.of(), false);
    }

    /** This clustering, dropping unconfirmed edges whose weight is below {@code weight} (see the class description). */
    public Clustering breakingBridgesBelow(double weight) {
        requireArgument(!Double.isNaN(weight), "a bridge weight must be a number");
        return new Clustering(threshold, weight, sources, oneToOne);
    }

    /** This clustering, never linking two records of the same source; {@code sourceOfRecord} maps each record id to its source. */
    public Clustering crossSourceOnly(Map<Long, String> sourceOfRecord) {
        return new Clustering(threshold, bridgeWeight, Map.copyOf(sourceOfRecord), false);
    }

    /** One-to-one linking of two sources; {@code sourceOfRecord} maps each record id to its source. */
    public Clustering oneToOne(Map<Long, String> sourceOfRecord) {
        Map<Long, String> copy = Map.copyOf(sourceOfRecord);
        requireArgument(new HashSet<>(copy.values()).size() <= 2, "one-to-one linking takes two sources (got %s)", new TreeMap<>(countBySource(copy)));
        return new Clustering(threshold, bridgeWeight, copy, true);
    }

    private static Map<String, Long> countBySource(Map<Long, String> sources) {
        Map<String, Long> counts = new HashMap<>();
        sources.values().forEach(source -> counts.merge(source, 1L, Long::sum));
        return counts;
    }

    /**
     * Clusters and the links that made them.
     *
     * @param clusters the cluster id of every record
     * @param links the pairs kept as edges, in the order they were taken (one-to-one: by descending weight)
     */
    public record Result(Map<Long, Long> clusters, List<ScoredPair> links) {
        public Result {
            clusters = Map.copyOf(clusters);
            links = List.copyOf(links);
        }
    }

    /** The cluster id of every record in {@code records}; every pair's records must be among them. */
    public Map<Long, Long> cluster(Collection<Long> records, Iterable<ScoredPair> pairs) {
        return link(records, pairs).clusters();
    }

    /** The cluster id of every record in {@code records} and the pairs kept as links; every pair's records must be among them. */
    public Result link(Collection<Long> records, Iterable<ScoredPair> pairs) {
        Set<Long> known = new HashSet<>(records);
        List<ScoredPair> edges = new ArrayList<>();
        for (ScoredPair pair : pairs) {
            requireArgument(known.contains(pair.left()) && known.contains(pair.right()), "pair (%d, %d) names a record that is not being clustered",
                    pair.left(), pair.right());
            if (pair.probability() >= threshold && linkable(pair)) {
                edges.add(pair);
            }
        }
        UnionFind components = new UnionFind();
        records.forEach(components::add);
        List<ScoredPair> links = new ArrayList<>();
        if (oneToOne) {
            edges.sort(Comparator.comparingDouble(ScoredPair::weight).reversed()
                    .thenComparingLong(pair -> Math.min(pair.left(), pair.right()))
                    .thenComparingLong(pair -> Math.max(pair.left(), pair.right())));
            Set<Long> used = new HashSet<>();
            for (ScoredPair edge : edges) {
                if (!used.contains(edge.left()) && !used.contains(edge.right())) {
                    used.add(edge.left());
                    used.add(edge.right());
                    components.union(edge.left(), edge.right());
                    links.add(edge);
                }
            }
        } else {
            Map<Long, Set<Long>> neighbours = new HashMap<>();
            for (ScoredPair edge : edges) {
                neighbours.computeIfAbsent(edge.left(), id -> new HashSet<>()).add(edge.right());
                neighbours.computeIfAbsent(edge.right(), id -> new HashSet<>()).add(edge.left());
            }
            for (ScoredPair edge : edges) {
                if (edge.weight() >= bridgeWeight || haveCommonNeighbour(neighbours, edge.left(), edge.right())) {
                    components.union(edge.left(), edge.right());
                    links.add(edge);
                }
            }
        }
        Map<Long, Long> clusters = new HashMap<>();
        for (Long record : records) {
            clusters.put(record, components.smallest(record));
        }
        return new Result(clusters, links);
    }

    private boolean linkable(ScoredPair pair) {
        if (sources.isEmpty()) {
            return true;
        }
        String left = sources.get(pair.left());
        String right = sources.get(pair.right());
        requireArgument(left != null && right != null, "pair (%d, %d) names a record with no source", pair.left(), pair.right());
        return !left.equals(right);
    }

    private static boolean haveCommonNeighbour(Map<Long, Set<Long>> neighbours, long a, long b) {
        Set<Long> ofA = neighbours.get(a);
        Set<Long> ofB = neighbours.get(b);
        Set<Long> smaller = ofA.size() <= ofB.size() ? ofA : ofB;
        Set<Long> larger = smaller == ofA ? ofB : ofA;
        for (Long neighbour : smaller) {
            if (neighbour != a && neighbour != b && larger.contains(neighbour)) {
                return true;
            }
        }
        return false;
    }

    /** Union–find with path halving; each root remembers the smallest id of its set. */
    private static final class UnionFind {
        private final Map<Long, Long> parent = new HashMap<>();
        private final Map<Long, Long> smallest = new HashMap<>();

        void add(long id) {
            parent.putIfAbsent(id, id);
            smallest.putIfAbsent(id, id);
        }

        long find(long id) {
            long current = id;
            while (!Objects.equals(parent.get(current), current)) {
                long grandparent = parent.get(parent.get(current));
                parent.put(current, grandparent);
                current = grandparent;
            }
            return current;
        }

        void union(long a, long b) {
            long rootA = find(a);
            long rootB = find(b);
            if (rootA != rootB) {
                parent.put(rootB, rootA);
                smallest.put(rootA, Math.min(smallest.get(rootA), smallest.get(rootB)));
            }
        }

        long smallest(long id) {
            return smallest.get(find(id));
        }
    }
}
