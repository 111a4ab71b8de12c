package dev.keel.core.matching;

import java.text.Normalizer;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** String normalisation and token sets shared by the levels and the keys. */
final class Text {

    private static final Pattern MARKS = Pattern.compile("\\p{M}+");
    private static final Pattern PUNCTUATION = Pattern.compile("[\\p{P}\\p{S}]+");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private Text() {
    }

    /** Lower case, accents stripped (NFD then combining marks removed), punctuation dropped, whitespace collapsed. */
    static String normalise(String value) {
        String decomposed = Normalizer.normalize(value, Normalizer.Form.NFD);
        String unaccented = MARKS.matcher(decomposed).replaceAll("");
        String lower = unaccented.toLowerCase(Locale.ROOT);
        String unpunctuated = PUNCTUATION.matcher(lower).replaceAll("");
        return WHITESPACE.matcher(unpunctuated).replaceAll(" ").strip();
    }

    /** The normalised value's tokens, sorted and joined by one space. */
    static String tokenSorted(String value) {
        String normalised = normalise(value);
        if (normalised.isEmpty()) {
            return normalised;
        }
        String[] tokens = normalised.split(" ");
        Arrays.sort(tokens);
        return String.join(" ", tokens);
    }

    /** The normalised value's whitespace tokens ({@code q == 0}) or its character q-grams ({@code q > 0}). */
    static Set<String> grams(String value, int q) {
        return gramsOfNormalised(normalise(value), q);
    }

    /** The tokens ({@code q == 0}) or character q-grams ({@code q > 0}) of an already normalised value. */
    static Set<String> gramsOfNormalised(String normalised, int q) {
        Set<String> grams = new LinkedHashSet<>();
        if (normalised.isEmpty()) {
            return grams;
        }
        if (q == 0) {
            grams.addAll(Arrays.asList(normalised.split(" ")));
        } else if (normalised.length() <= q) {
            grams.add(normalised);
        } else {
            for (int i = 0; i + q <= normalised.length(); i++) {
                grams.add(normalised.substring(i, i + q));
            }
        }
        return grams;
    }

    /** |A ∩ B| / |A ∪ B|, and 1 for two empty sets. */
    static double jaccard(Set<String> left, Set<String> right) {
        if (left.isEmpty() && right.isEmpty()) {
            return 1.0;
        }
        long common = left.stream().filter(right::contains).count();
        return (double) common / (left.size() + right.size() - common);
    }
}
