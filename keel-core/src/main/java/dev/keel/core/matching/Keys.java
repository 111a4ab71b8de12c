package dev.keel.core.matching;

import static dev.keel.core.error.KeelException.requireArgument;

import org.apache.commons.codec.language.DoubleMetaphone;
import org.apache.commons.codec.language.Soundex;

/**
 * Blocking keys: values under which records that might match share a key.
 *
 * <p>Soundex and Double Metaphone come from Commons Codec. Geohash is encoded here (no geohash library is among the
 * project's dependencies); it follows the public-domain algorithm: bits alternate longitude and latitude, starting with
 * longitude, each halving the current interval, five bits per base-32 character.
 */
public final class Keys {

    private static final String BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz";
    private static final Soundex SOUNDEX = new Soundex();
    private static final DoubleMetaphone METAPHONE = new DoubleMetaphone();

    private Keys() {
    }

    /** The value lower-cased, accents stripped, punctuation dropped and whitespace collapsed, as the text levels compare it. */
    public static String normalised(String value) {
        return Text.normalise(value);
    }

    /** The normalised value's tokens, sorted and joined by one space, as {@link ComparisonLevel.TokenSortedExact} compares them. */
    public static String sortedTokens(String value) {
        return Text.tokenSorted(value);
    }

    /** The first token of the normalised value ("" when it has none). */
    public static String firstToken(String value) {
        String normalised = Text.normalise(value);
        int space = normalised.indexOf(' ');
        return space < 0 ? normalised : normalised.substring(0, space);
    }

    /** The tokens ({@code q == 0}) or character q-grams ({@code q > 0}) of a value {@link #normalised} already normalised. */
    public static java.util.Set<String> grams(String normalised, int q) {
        return Text.gramsOfNormalised(normalised, q);
    }

    /** The first {@code length} characters of the normalised value (all of it when shorter). */
    public static String prefix(String value, int length) {
        requireArgument(length >= 1, "a prefix length must be >= 1 (got %s)", length);
        String normalised = Text.normalise(value);
        return normalised.length() <= length ? normalised : normalised.substring(0, length);
    }

    /** American Soundex of the normalised value with its spaces removed ("" when no letter is left). */
    public static String soundex(String value) {
        String letters = Text.normalise(value).replaceAll("[^a-z]", "");
        return letters.isEmpty() ? "" : SOUNDEX.soundex(letters);
    }

    /** The primary Double Metaphone key of the normalised value. */
    public static String doubleMetaphone(String value) {
        String key = METAPHONE.doubleMetaphone(Text.normalise(value), false);
        return key == null ? "" : key;
    }

    /** The alternate Double Metaphone key of the normalised value (often equal to the primary). */
    public static String doubleMetaphoneAlternate(String value) {
        String key = METAPHONE.doubleMetaphone(Text.normalise(value), true);
        return key == null ? "" : key;
    }

    /** The geohash cell of {@code point}, {@code precision} characters long (1..12). */
    public static String geohash(GeoPoint point, int precision) {
        requireArgument(precision >= 1 && precision <= 12, "a geohash precision must be in 1..12 (got %s)", precision);
        double[] latitude = {-90, 90};
        double[] longitude = {-180, 180};
        StringBuilder hash = new StringBuilder(precision);
        boolean evenBit = true;
        int bits = 0;
        int character = 0;
        while (hash.length() < precision) {
            double[] interval = evenBit ? longitude : latitude;
            double value = evenBit ? point.longitude() : point.latitude();
            double middle = (interval[0] + interval[1]) / 2;
            character <<= 1;
            if (value >= middle) {
                character |= 1;
                interval[0] = middle;
            } else {
                interval[1] = middle;
            }
            evenBit = !evenBit;
            if (++bits == 5) {
                hash.append(BASE32.charAt(character));
                bits = 0;
                character = 0;
            }
        }
        return hash.toString();
    }
}
