package dev.keel.engine.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LinkageMonotoneTest {
    @Test
    void monotone_aRareLevelWhoseFactorFellBelowTheNextLevels_isRaisedToItAndTheLevelsStillSumToOne() {
        // Null level, exact, normalised (EM left it near 0), jaro-winkler, else.
        double[][] m = {{1.0, 0.5, 1e-9, 0.3, 0.2 - 1e-9}};
        double[][] u = {{1.0, 0.001, 0.0005, 0.002, 0.9965}};

        double[][] result = Linker.monotone(m, u);

        double[] factor = new double[5];
        for (int l = 1; l < 5; l++) {
            factor[l] = result[0][l] / u[0][l];
        }
        assertThat(factor[1]).isGreaterThanOrEqualTo(factor[2]);
        assertThat(factor[2]).isGreaterThanOrEqualTo(factor[3]);
        assertThat(factor[3]).isGreaterThanOrEqualTo(factor[4]);
        // The normalised level now carries the jaro-winkler level's evidence, not a veto.
        assertThat(factor[2]).isCloseTo(factor[3], within(1e-9));
        assertThat(result[0][1] + result[0][2] + result[0][3] + result[0][4]).isCloseTo(1.0, within(1e-12));
        assertThat(result[0][0]).isEqualTo(1.0);
    }

    @Test
    void monotone_levelsAlreadyInOrder_areLeftAlone() {
        double[][] m = {{1.0, 0.6, 0.3, 0.1}};
        double[][] u = {{1.0, 0.01, 0.09, 0.9}};

        double[][] result = Linker.monotone(m, u);

        assertThat(result[0]).containsExactly(new double[] {1.0, 0.6, 0.3, 0.1}, within(1e-12));
    }
}
