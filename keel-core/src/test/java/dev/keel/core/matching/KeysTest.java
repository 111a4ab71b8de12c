package dev.keel.core.matching;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeysTest {

    @Test
    void prefix_isOfTheNormalisedValue() {
        assertThat(Keys.prefix("Saint Louis", 4)).isEqualTo("sain");
        assertThat(Keys.prefix("Nome", 8)).isEqualTo("nome");
    }

    @Test
    void soundex_matchesTheReferenceCodes() {
        // the usual American Soundex examples
        assertThat(Keys.soundex("Robert")).isEqualTo("R163");
        assertThat(Keys.soundex("Rupert")).isEqualTo("R163");
        assertThat(Keys.soundex("Tymczak")).isEqualTo("T522");
        assertThat(Keys.soundex("123")).isEmpty();
    }

    @Test
    void doubleMetaphone_givesPrimaryAndAlternate() {
        // Philips' examples: Smith SM0 / XMT, Schmidt XMT / SMT
        assertThat(Keys.doubleMetaphone("Smith")).isEqualTo("SM0");
        assertThat(Keys.doubleMetaphoneAlternate("Smith")).isEqualTo("XMT");
        assertThat(Keys.doubleMetaphone("Schmidt")).isEqualTo("XMT");
        assertThat(Keys.doubleMetaphoneAlternate("Schmidt")).isEqualTo("SMT");
    }

    @Test
    void geohash_matchesPublishedExamples() {
        assertThat(Keys.geohash(new GeoPoint(57.64911, 10.40744), 11)).isEqualTo("u4pruydqqvj");
        assertThat(Keys.geohash(new GeoPoint(42.6, -5.6), 5)).isEqualTo("ezs42");
        assertThat(Keys.geohash(new GeoPoint(57.64911, 10.40744), 3)).isEqualTo("u4p");
    }
}
