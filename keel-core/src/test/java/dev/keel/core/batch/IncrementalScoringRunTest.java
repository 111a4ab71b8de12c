package dev.keel.core.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.error.KeelException;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestDatabases;
import dev.keel.core.testing.TestingClock;
import dev.keel.spi.data.ColumnType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

/**
 * Which rows incremental runs read: by watermark and by dataset changes, everything again when the model version moves, and the
 * same range on every attempt of a run. The inputs are held in memory here (the real inputs' selections have tests of their own);
 * the runs, their records and the destination tables are real, on SQLite and PostgreSQL.
 */
@OnEachStore
class IncrementalScoringRunTest {
    @Parameter
    StoreKind kind;

    @TempDir
    Path directory;

    private TestDatabases.Opened store;
    private TestDatabases.Opened reports;
    private TestingScoring.Models models;
    private MemoryInputs inputs;
    private TestingClock clock;
    private ScoringRun runs;

    @BeforeEach
    void open() {
        store = TestDatabases.open(kind, directory);
        reports = TestDatabases.open(kind, directory);
        models = new TestingScoring.Models();
        inputs = new MemoryInputs();
        clock = new TestingClock();
        runs = new ScoringRun(store.database(), models, inputs, ScoringSinks.tables(store.database(),
                new TestingScoring.Destinations(reports.database())), clock, Duration.ofSeconds(30));
    }

    @AfterEach
    void close() {
        store.close();
        reports.close();
    }

    /** Rows {@code id, f1, f2, updated}: versions of a dataset, filtered the way the real inputs filter them. */
    static final class MemoryInputs implements ScoringInputs {
        static final List<ScoringInput.Column> COLUMNS = List.of(new ScoringInput.Column("id", ColumnType.INTEGER, "BIGINT"),
                new ScoringInput.Column("f1", ColumnType.DOUBLE, "DOUBLE"), new ScoringInput.Column("f2", ColumnType.DOUBLE, "DOUBLE"),
                new ScoringInput.Column("updated", ColumnType.INTEGER, "BIGINT"));
        final Map<Integer, List<Object[]>> versions = new HashMap<>();
        final List<Selection> opened = new ArrayList<>();

        void publish(List<Object[]> rows) {
            versions.put(versions.size() + 1, List.copyOf(rows));
        }

        @Override
        public Pin pin(ScoringJobSpec.Input input, String project) {
            int version = ((ScoringJobSpec.DatasetInput) input).version();
            return new Pin(version == 0 ? versions.size() : version, "");
        }

        @Override
        public ScoringInput open(ScoringJobSpec.Input input, Pin pin, String project, Selection selection) {
            opened.add(selection);
            List<Object[]> rows = new ArrayList<>();
            for (Object[] row : versions.get(pin.datasetVersion())) {
                long updated = (Long) row[3];
                boolean inRange = selection.watermark().map(w -> w.above().map(a -> updated > Long.parseLong(a)).orElse(true)
                        && updated <= Long.parseLong(w.upTo())).orElse(true);
                boolean changed = selection.changedSince() == 0 || versions.get(selection.changedSince()).stream()
                        .noneMatch(old -> Arrays.equals(old, row));
                if (inRange && changed) {
                    rows.add(row);
                }
            }
            return new ScoringInput() {
                @Override
                public List<Column> columns() {
                    return COLUMNS;
                }

                @Override
                public Cursor rows(long firstRow) {
                    int[] at = {(int) firstRow};
                    return new Cursor() {
                        @Override
                        public List<Object[]> next(int max) {
                            List<Object[]> batch = rows.subList(Math.min(at[0], rows.size()), Math.min(at[0] + max, rows.size()));
                            at[0] += batch.size();
                            return batch;
                        }

                        @Override
                        public void close() {
                        }
                    };
                }

                @Override
                public java.util.OptionalLong count() {
                    return java.util.OptionalLong.of(rows.size());
                }
            };
        }

        @Override
        public Optional<String> highest(ScoringJobSpec.Input input, Pin pin, String project, String column) {
            return versions.get(pin.datasetVersion()).stream().map(row -> (Long) row[3]).max(Long::compare).map(String::valueOf);
        }
    }

    private static Object[] row(long id, long updated) {
        return new Object[] {id, id / 10.0, (double) (id % 7), updated};
    }

    private static List<Object[]> rows(long from, long to, long updated) {
        List<Object[]> rows = new ArrayList<>();
        for (long id = from; id < to; id++) {
            rows.add(row(id, updated));
        }
        return rows;
    }

    private ScoringJobSpec spec(String incremental) {
        return new ScoringJobSpecParser().parseOrThrow(String.format(Locale.ROOT, """
                name: nightly
                model: {name: credit, alias: champion}
                input: {dataset: applicants}
                keys: [id]
                outputs: {probabilities: true}
                destination: {kind: %s, connection: reports, table: scores, mode: upsert}
                incremental: %s
                chunk_size: 4
                """, kind.name().toLowerCase(Locale.ROOT), incremental));
    }

    private Map<Long, String> table() {
        Map<Long, String> rows = new HashMap<>();
        reports.database().query("SELECT id, run_id, model_version FROM scores", row -> rows.put(row.getLong(1), row.getString(2) + "@v"
                + row.getInt(3)));
        return rows;
    }

    @Test
    void watermark_readsOnlyRowsAboveTheLastSucceededRun_andEverythingWhenTheModelMoves() {
        inputs.publish(rows(0, 10, 100));
        ScoringRun.Outcome first = runs.execute(spec("{watermark: updated}"), "r1");
        assertThat(first.run().rowsRead()).isEqualTo(10);
        assertThat(first.run().rowsTotal()).hasValue(10);
        assertThat(first.run().watermark()).contains(new ScoringInputs.Watermark("updated", Optional.empty(), "100"));

        List<Object[]> second = new ArrayList<>(rows(0, 10, 100));
        second.set(3, row(3, 105));
        second.addAll(rows(10, 13, 110));
        inputs.publish(second);
        ScoringRun.Outcome next = runs.execute(spec("{watermark: updated}"), "r2");
        assertThat(next.run().rowsRead()).isEqualTo(4);
        assertThat(next.run().watermark()).contains(new ScoringInputs.Watermark("updated", Optional.of("100"), "110"));
        assertThat(table()).hasSize(13).containsEntry(3L, "r2@v1").containsEntry(12L, "r2@v1").containsEntry(0L, "r1@v1");

        ScoringRun.Outcome nothing = runs.execute(spec("{watermark: updated}"), "r3");
        assertThat(nothing.run().status()).isEqualTo(BatchRun.Status.SUCCEEDED);
        assertThat(nothing.chunksWritten()).isZero();
        assertThat(nothing.run().watermark()).contains(new ScoringInputs.Watermark("updated", Optional.of("110"), "110"));

        models.champion = 2;
        ScoringRun.Outcome moved = runs.execute(spec("{watermark: updated}"), "r4");
        assertThat(moved.run().rowsRead()).as("a new model version scores every row again").isEqualTo(13);
        assertThat(table().values()).containsOnly("r4@v2");

        models.champion = 1;
        ScoringRun.Outcome kept = runs.execute(spec("{watermark: updated, rescore_on_model_change: false}"), "r5");
        assertThat(kept.run().rowsRead()).as("the model moved back, but rescoring on a move is off").isZero();
    }

    @Test
    void changes_readOnlyRowsTheLastScoredVersionDoesNotHold() {
        inputs.publish(rows(0, 10, 100));
        assertThat(runs.execute(spec("{changes: true}"), "r1").run().rowsRead()).isEqualTo(10);

        List<Object[]> second = new ArrayList<>(rows(0, 10, 100));
        second.set(2, new Object[] {2L, 9.5, 2.0, 100L});
        second.set(7, new Object[] {7L, 0.7, 6.0, 100L});
        second.addAll(rows(10, 12, 100));
        inputs.publish(second);
        ScoringRun.Outcome changed = runs.execute(spec("{changes: true}"), "r2");
        assertThat(changed.run().changedSince()).isEqualTo(1);
        assertThat(changed.run().datasetVersion()).isEqualTo(2);
        assertThat(changed.run().rowsRead()).isEqualTo(4);
        assertThat(table()).containsEntry(2L, "r2@v1").containsEntry(7L, "r2@v1").containsEntry(11L, "r2@v1").containsEntry(5L, "r1@v1");

        assertThat(runs.execute(spec("{changes: true}"), "r3").run().rowsRead()).as("the same version again: nothing new").isZero();
    }

    @Test
    void aResumedIncrementalRun_readsTheRangeItStartedWith_evenWhenNewRowsArrived() {
        inputs.publish(rows(0, 10, 100));
        runs.execute(spec("{watermark: updated}"), "r1");
        List<Object[]> more = new ArrayList<>(rows(0, 10, 100));
        more.addAll(rows(10, 20, 200));
        inputs.publish(more);
        models.failOnCall = 1 + 3 + 1;

        assertThatThrownBy(() -> runs.execute(spec("{watermark: updated}"), "r2")).isInstanceOf(KeelException.class);
        // Rows land in the very input the run pinned (as in a database table) while it is down.
        List<Object[]> evenMore = new ArrayList<>(more);
        evenMore.addAll(rows(20, 25, 300));
        inputs.versions.put(2, List.copyOf(evenMore));
        ScoringRun.Outcome resumed = runs.execute(spec("{watermark: updated}"), "r2");

        assertThat(resumed.run().status()).isEqualTo(BatchRun.Status.SUCCEEDED);
        assertThat(resumed.run().rowsRead()).isEqualTo(10);
        assertThat(resumed.run().watermark()).contains(new ScoringInputs.Watermark("updated", Optional.of("100"), "200"));
        assertThat(inputs.opened.getLast()).isEqualTo(inputs.opened.get(inputs.opened.size() - 2));
        assertThat(table()).hasSize(20);
        assertThat(runs.execute(spec("{watermark: updated}"), "r3").run().rowsRead()).isEqualTo(5);
    }
}
