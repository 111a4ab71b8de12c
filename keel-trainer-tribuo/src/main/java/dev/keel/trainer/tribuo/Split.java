package dev.keel.trainer.tribuo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/** Row indices of the training and held-out parts, each in ascending order. */
record Split(List<Integer> train, List<Integer> test) {
    Split {
        train = List.copyOf(train);
        test = List.copyOf(test);
    }

    /**
     * Splits stratified by label: for each label in sorted order its rows are shuffled with one {@link Random} seeded
     * with {@code seed}, and {@code round(count * testFraction)} of them (but never all) are held out, so
     * every label keeps a training row. The same labels, fraction and
     * seed always give the same split.
     */
    static Split stratified(List<String> labels, double testFraction, long seed) {
        Map<String, List<Integer>> rowsByLabel = new TreeMap<>();
        for (int row = 0; row < labels.size(); row++) {
            rowsByLabel.computeIfAbsent(labels.get(row), label -> new ArrayList<>()).add(row);
        }
        Random random = new Random(seed);
        List<Integer> train = new ArrayList<>();
        List<Integer> test = new ArrayList<>();
        for (List<Integer> rows : rowsByLabel.values()) {
            Collections.shuffle(rows, random);
            int held = (int) Math.min(Math.round(rows.size() * testFraction), rows.size() - 1);
            test.addAll(rows.subList(0, held));
            train.addAll(rows.subList(held, rows.size()));
        }
        Collections.sort(train);
        Collections.sort(test);
        return new Split(train, test);
    }

    /**
     * Splits without regard to the labels, for regression: the row indices are shuffled with one {@link Random} seeded
     * with {@code seed}, and the first {@code round(count * testFraction)} of them (but never all) are held out.
     */
    static Split random(int rowCount, double testFraction, long seed) {
        List<Integer> rows = new ArrayList<>(rowCount);
        for (int row = 0; row < rowCount; row++) {
            rows.add(row);
        }
        Collections.shuffle(rows, new Random(seed));
        int held = (int) Math.min(Math.round(rowCount * testFraction), rowCount - 1);
        List<Integer> test = new ArrayList<>(rows.subList(0, held));
        List<Integer> train = new ArrayList<>(rows.subList(held, rowCount));
        Collections.sort(train);
        Collections.sort(test);
        return new Split(train, test);
    }
}
