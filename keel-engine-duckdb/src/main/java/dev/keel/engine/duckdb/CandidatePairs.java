package dev.keel.engine.duckdb;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Candidate pairs of a features table (one row per record: {@code rid}, {@code src}, key columns {@code k0}, {@code k1}, ...):
 * the pairs each blocking rule generates counted without joining (from the sizes of the key groups, by inclusion–exclusion
 * over the earlier rules), and the SQL that generates each rule's pairs, earlier rules' pairs excluded, in chunks.
 */
final class CandidatePairs {
    private final Execution execution;
    private final String features;
    private final LinkFields fields;
    private final int rules;
    private final boolean crossSource;
    private final Map<String, Long> pairCounts = new HashMap<>();

    /**
     * @param crossSource whether pairs of two records of one input are left out
     */
    CandidatePairs(Execution execution, String features, LinkFields fields, int rules, boolean crossSource) {
        this.execution = execution;
        this.features = features;
        this.fields = fields;
        this.rules = rules;
        this.crossSource = crossSource;
    }

    /** Pairs rule {@code rule} generates on its own. */
    long generated(int rule) throws SQLException {
        return pairsAgreeingOn(keySet(fields.ruleKeys(rule)));
    }

    /** Pairs rule {@code rule} generates that no earlier rule does: inclusion–exclusion over the subsets of earlier rules. */
    long compared(int rule) throws SQLException {
        long total = 0;
        int earlier = rule;
        for (long subset = 0; subset < (1L << earlier); subset++) {
            TreeSet<Integer> keys = keySet(fields.ruleKeys(rule));
            for (int other = 0; other < earlier; other++) {
                if ((subset & (1L << other)) != 0) {
                    keys.addAll(keySet(fields.ruleKeys(other)));
                }
            }
            long pairs = pairsAgreeingOn(keys);
            total += Long.bitCount(subset) % 2 == 0 ? pairs : -pairs;
        }
        return total;
    }

    private static TreeSet<Integer> keySet(int[] keys) {
        TreeSet<Integer> set = new TreeSet<>();
        Arrays.stream(keys).forEach(set::add);
        return set;
    }

    /** Unordered pairs of records whose keys in {@code keys} are all present and equal on both (of two inputs when so asked). */
    private long pairsAgreeingOn(TreeSet<Integer> keys) throws SQLException {
        String name = keys.toString();
        Long known = pairCounts.get(name);
        if (known != null) {
            return known;
        }
        String columns = keys.stream().map(key -> "k" + key).collect(Collectors.joining(", "));
        String present = keys.stream().map(key -> "k" + key + " IS NOT NULL").collect(Collectors.joining(" AND "));
        String sql;
        if (crossSource) {
            sql = "SELECT coalesce(sum((c * c - s) // 2), 0)::BIGINT FROM (SELECT sum(n) AS c, sum(n * n) AS s FROM (SELECT " + columns
                    + ", src, count(*) AS n FROM " + features + " WHERE " + present + " GROUP BY ALL) GROUP BY " + columns + ")";
        } else {
            sql = "SELECT coalesce(sum(n * (n - 1) // 2), 0)::BIGINT FROM (SELECT count(*) AS n FROM " + features + " WHERE " + present
                    + " GROUP BY " + columns + ")";
        }
        long pairs = execution.scalarLong(sql);
        pairCounts.put(name, pairs);
        return pairs;
    }

    /**
     * The SQL of chunk {@code chunk} of {@code chunks} of rule {@code rule}'s compared pairs: {@code a.rid, b.rid}, then the
     * selected columns. A chunk is the pairs whose first key hashes to it, so the chunks partition the rule's pairs.
     */
    String pairs(int rule, int chunk, int chunks, List<String> selected) {
        int[] keys = fields.ruleKeys(rule);
        List<String> on = new ArrayList<>();
        for (int key : keys) {
            on.add("a.k" + key + " = b.k" + key);
        }
        on.add("a.rid < b.rid");
        if (crossSource) {
            on.add("a.src <> b.src");
        }
        List<String> where = new ArrayList<>();
        for (int other = 0; other < rule; other++) {
            String agree = Arrays.stream(fields.ruleKeys(other)).mapToObj(key -> "a.k" + key + " = b.k" + key)
                    .collect(Collectors.joining(" AND "));
            where.add("NOT coalesce(" + agree + ", false)");
        }
        if (chunks > 1) {
            where.add("hash(a.k" + keys[0] + ") % " + chunks + " = " + chunk);
            where.add("hash(b.k" + keys[0] + ") % " + chunks + " = " + chunk);
        }
        return "SELECT a.rid, b.rid" + (selected.isEmpty() ? "" : ", " + String.join(", ", selected)) + " FROM " + features + " AS a JOIN "
                + features + " AS b ON " + String.join(" AND ", on) + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where));
    }

    /** Whether rule {@code rule}'s keys are present and equal on a pair {@code a, b}, as SQL. */
    String agree(int rule) {
        return "coalesce(" + Arrays.stream(fields.ruleKeys(rule)).mapToObj(key -> "a.k" + key + " = b.k" + key)
                .collect(Collectors.joining(" AND ")) + ", false)";
    }

    int rules() {
        return rules;
    }
}
