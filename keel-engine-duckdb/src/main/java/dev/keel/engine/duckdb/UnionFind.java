package dev.keel.engine.duckdb;

import java.util.HashMap;
import java.util.Map;

/** Disjoint sets over row ids; each cluster is represented by its smallest id. */
final class UnionFind {
    private final Map<Long, Long> parent = new HashMap<>();

    long find(long id) {
        long root = id;
        while (true) {
            Long next = parent.get(root);
            if (next == null || next == root) {
                break;
            }
            root = next;
        }
        long current = id;
        while (current != root) {
            long next = parent.get(current);
            parent.put(current, root);
            current = next;
        }
        return root;
    }

    void union(long left, long right) {
        long a = find(left);
        long b = find(right);
        if (a != b) {
            parent.put(Math.max(a, b), Math.min(a, b));
            parent.putIfAbsent(Math.min(a, b), Math.min(a, b));
        }
    }

    /** Every id seen, mapped to its cluster's smallest id. */
    Map<Long, Long> clusters() {
        Map<Long, Long> clusters = new HashMap<>();
        for (Long id : parent.keySet()) {
            clusters.put(id, find(id));
        }
        return clusters;
    }
}
