package dev.keel.core.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.spi.data.TableData;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How a dataset's rows become training rows, and Keel's seeded stratified holdout. */
class TrainingRowsTest {
    private static final TrainingSpecParser PARSER = new TrainingSpecParser();

    private static TrainingSpec spec(String classes) {
        return PARSER.parseOrThrow("""
                model: risk
                dataset: applications
                target: outcome
                classes: %s
                features: [age, amount]
                trainer: logistic-regression
                gate: {slices: [{column: region, metric: auc}]}
                """.formatted(classes));
    }

    private static TableData table(List<Object[]> rows) {
        return new TableData(List.of("age", "amount", "outcome", "region"), List.of("BIGINT", "DOUBLE", "BIGINT", "VARCHAR"), rows);
    }

    @Test
    void wholeNumbersAreClasses_missingValuesAreLeftOutAndCounted_slicesCarried() {
        List<Object[]> rows = new ArrayList<>();
        rows.add(new Object[] {30L, 1200.5, 1L, "north"});
        rows.add(new Object[] {41, 900, 0.0, "south"});
        rows.add(new Object[] {null, 100.0, 1L, "south"});
        rows.add(new Object[] {50L, 10.0, null, "east"});
        rows.add(new Object[] {22L, new BigDecimal("12.50"), new BigDecimal("1.0"), null});
        rows.add(new Object[] {true, "3.5", 0, "west"});

        TrainingRows training = TrainingRows.of(table(rows), spec("[\"0\", \"1\"]"));

        assertThat(training.labels()).containsExactly("1", "0", "1", "0");
        assertThat(training.dropped()).isEqualTo(2);
        assertThat(training.features().get(0)).containsExactly(30.0, 1200.5);
        assertThat(training.features().get(3)).containsExactly(1.0, 3.5);
        assertThat(training.slices().get("region")).containsExactly("north", "south", "(null)", "west");
    }

    @Test
    void unknownClasses_nonNumbers_infinities_andMissingColumnsFailTheRun() {
        TrainingSpec spec = spec("[\"0\", \"1\"]");
        List<Object[]> unknown = new ArrayList<>();
        unknown.add(new Object[] {30L, 1.0, 7L, "n"});
        assertThatThrownBy(() -> TrainingRows.of(table(unknown), spec)).hasMessageContaining("'7' (1 rows)");
        List<Object[]> text = new ArrayList<>();
        text.add(new Object[] {"thirty", 1.0, 1L, "n"});
        assertThatThrownBy(() -> TrainingRows.of(table(text), spec)).hasMessageContaining("column 'age' is not numeric");
        List<Object[]> infinite = new ArrayList<>();
        infinite.add(new Object[] {30L, Double.POSITIVE_INFINITY, 1L, "n"});
        assertThatThrownBy(() -> TrainingRows.of(table(infinite), spec)).hasMessageContaining("infinite");
        TableData narrow = new TableData(List.of("age", "outcome"), List.of("BIGINT", "BIGINT"), List.<Object[]>of());
        assertThatThrownBy(() -> TrainingRows.of(narrow, spec)).hasMessageContaining("has no column 'amount'");
    }

    @Test
    void theHoldout_isSeeded_stratified_andDisjoint() {
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            rows.add(new Object[] {(long) i, (double) i, i % 10 < 3 ? 1L : 0L, "r"});
        }
        TrainingRows all = TrainingRows.of(table(rows), spec("[\"0\", \"1\"]"));

        List<List<Integer>> split = all.split(0.2, 7, true);
        List<List<Integer>> again = all.split(0.2, 7, true);
        List<List<Integer>> other = all.split(0.2, 8, true);

        assertThat(split).isEqualTo(again);
        assertThat(split.get(1)).isNotEqualTo(other.get(1));
        assertThat(split.get(1)).hasSize(200);
        assertThat(split.get(1).stream().filter(i -> all.labels().get(i).equals("1")).count()).isEqualTo(60);
        Set<Integer> union = new HashSet<>(split.get(0));
        union.addAll(split.get(1));
        assertThat(union).hasSize(1000);
        assertThat(split.get(0)).doesNotContainAnyElementsOf(split.get(1));
    }
}
