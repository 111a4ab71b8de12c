package dev.keel.core.matching;

import static dev.keel.core.error.KeelException.requireArgument;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How the two values of one field are compared: an ordered list of levels, the first that holds wins.
 *
 * <p>Level index 0 is the null level, reached when either value is missing (absent or {@code null}); it carries no
 * evidence (Bayes factor 1). Index {@code i + 1} is {@code levels.get(i)}; the last level must be
 * {@link ComparisonLevel.Else}. With {@code termFrequencyAdjusted}, exact-match levels are scored against how common the
 * agreed value is (see {@link MatchModel}).
 *
 * @param name the comparison's name, unique within a model
 * @param field the record field compared
 * @param levels the non-null levels, strongest first, ending with {@link ComparisonLevel.Else}
 * @param termFrequencyAdjusted whether exact-match levels use the agreed value's frequency as their u
 */
public record Comparison(String name, String field, List<ComparisonLevel> levels, boolean termFrequencyAdjusted) {

    /** The index of the null level. */
    public static final int NULL_LEVEL = 0;

    public Comparison {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(field, "field");
        levels = List.copyOf(levels);
        requireArgument(!name.isBlank(), "a comparison needs a name");
        requireArgument(!levels.isEmpty() && levels.getLast() instanceof ComparisonLevel.Else,
                "comparison '%s' must end with an else level (got %s)", name, levels.stream().map(ComparisonLevel::label).toList());
        requireArgument(levels.stream().filter(l -> l instanceof ComparisonLevel.Else).count() == 1,
                "comparison '%s' has more than one else level", name);
        requireArgument(!termFrequencyAdjusted || levels.stream().anyMatch(ComparisonLevel::isExactMatch),
                "comparison '%s' is term-frequency adjusted but has no exact-match level", name);
    }

    /** A comparison of {@code field} named after it, without term-frequency adjustment. */
    public static Comparison of(String field, ComparisonLevel... levels) {
        return new Comparison(field, field, List.of(levels), false);
    }

    /** The same comparison with term-frequency adjustment on its exact-match levels. */
    public Comparison withTermFrequencies() {
        return new Comparison(name, field, levels, true);
    }

    /** Number of levels including the null level. */
    public int levelCount() {
        return levels.size() + 1;
    }

    /** The level at {@code index}; index 0 is the null level and has none. */
    public ComparisonLevel level(int index) {
        requireArgument(index >= 1 && index <= levels.size(), "comparison '%s' has levels 1..%d besides null (got %d)", name,
                levels.size(), index);
        return levels.get(index - 1);
    }

    /** A label per level index, {@code "null"} first. */
    public List<String> labels() {
        List<String> labels = new ArrayList<>(levelCount());
        labels.add("null");
        levels.forEach(level -> labels.add(level.label()));
        return labels;
    }

    /** The level index that two values fall in. */
    public int levelOf(Object left, Object right) {
        if (left == null || right == null) {
            return NULL_LEVEL;
        }
        for (int i = 0; i < levels.size(); i++) {
            if (levels.get(i).holds(left, right)) {
                return i + 1;
            }
        }
        throw new IllegalStateException("an else level always holds");
    }

    /** The level index that two records' values of {@link #field()} fall in. */
    public int levelOf(Map<String, ?> left, Map<String, ?> right) {
        return levelOf(left.get(field), right.get(field));
    }

    /** The key whose frequency scores an exact match on {@code value}: its normalised text. */
    static String termKey(Object value) {
        return Text.normalise(value.toString());
    }
}
