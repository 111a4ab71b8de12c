package dev.keel.core.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.store.Database;
import dev.keel.core.testing.Concurrently;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestDatabases;
import dev.keel.core.testing.TestingClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

@OnEachStore
class AuditLogTest {
    @Parameter
    StoreKind kind;
    @TempDir
    Path directory;

    private TestDatabases.Opened store;
    private Database database;
    private final TestingClock clock = new TestingClock();
    private AuditLog audit;

    @BeforeEach
    void open() {
        store = TestDatabases.open(kind, directory);
        database = store.database();
        audit = new AuditLog(database, clock);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private AuditLog.Entry append(String action) {
        clock.advance(Duration.ofMillis(3));
        return audit.append("alice (tk_1)", action, Optional.of("default"), Optional.of("POST /v1/models"), "success", 201,
                Optional.of("req-" + action), Optional.empty());
    }

    @Test
    void append_chainsEachEntryToThePreviousHash() {
        AuditLog.Entry first = append("model.create");
        AuditLog.Entry second = append("version.register");

        assertThat(first.seq()).isEqualTo(1);
        assertThat(first.previousHash()).isEqualTo(AuditLog.GENESIS);
        assertThat(second.seq()).isEqualTo(2);
        assertThat(second.previousHash()).isEqualTo(first.hash());
        assertThat(audit.list(Optional.empty(), 10, Optional.empty())).extracting(AuditLog.Entry::seq).containsExactly(2L, 1L);
    }

    @Test
    void verify_intactChain() {
        IntStream.range(0, 5).forEach(i -> append("action-" + i));

        AuditLog.Verification verification = audit.verify();

        assertThat(verification.intact()).isTrue();
        assertThat(verification.entries()).isEqualTo(5);
        assertThat(verification.firstBrokenSeq()).isEmpty();
    }

    @Test
    void verify_emptyLog_isIntact() {
        assertThat(audit.verify().intact()).isTrue();
    }

    @Test
    void verify_reportsTheSeqOfAnEditedRow() {
        IntStream.range(0, 5).forEach(i -> append("action-" + i));

        database.update("UPDATE audit_log SET actor = ? WHERE seq = 3", "mallory (tk_2)");
        AuditLog.Verification verification = audit.verify();

        assertThat(verification.intact()).isFalse();
        assertThat(verification.firstBrokenSeq()).contains(3L);
        assertThat(verification.message()).contains("3");
    }

    @Test
    void verify_reportsAnEditedOutcome() {
        IntStream.range(0, 3).forEach(i -> append("action-" + i));

        database.update("UPDATE audit_log SET outcome = 'success', status = 200 WHERE seq = 2");

        assertThat(audit.verify().firstBrokenSeq()).contains(2L);
    }

    @Test
    void verify_reportsADeletedRow() {
        IntStream.range(0, 4).forEach(i -> append("action-" + i));

        database.update("DELETE FROM audit_log WHERE seq = 2");
        AuditLog.Verification verification = audit.verify();

        assertThat(verification.intact()).isFalse();
        assertThat(verification.firstBrokenSeq()).contains(2L);
    }

    @Test
    void verify_reportsARecomputedRowByTheBrokenLinkAfterIt() {
        IntStream.range(0, 4).forEach(i -> append("action-" + i));
        AuditLog.Entry second = audit.list(Optional.empty(), 10, Optional.empty()).stream().filter(e -> e.seq() == 2).findFirst().orElseThrow();
        AuditLog.Entry forged = new AuditLog.Entry(2, second.at(), "mallory", second.action(), second.project(), second.target(),
                second.outcome(), second.status(), second.requestId(), second.detail(), second.previousHash(), "");
        database.update("UPDATE audit_log SET actor = ?, hash = ? WHERE seq = 2", "mallory", AuditLog.hashOf(forged));

        assertThat(audit.verify().firstBrokenSeq()).contains(3L);
    }

    @Test
    void append_concurrently_keepsOneUnbrokenChain() throws Exception {
        Concurrently.run(20, i -> audit.append("writer-" + i, "concurrent", Optional.empty(), Optional.empty(), "success", 200,
                Optional.empty(), Optional.of("detail " + i)));

        AuditLog.Verification verification = audit.verify();

        assertThat(verification.intact()).as(verification.message()).isTrue();
        assertThat(verification.entries()).isEqualTo(20);
    }

    @Test
    void list_filtersByProjectAndPagesBySeq() {
        append("a");
        audit.append("bob", "b", Optional.of("other"), Optional.empty(), "denied", 403, Optional.empty(), Optional.of("no permission"));
        append("c");

        assertThat(audit.list(Optional.of("other"), 10, Optional.empty())).extracting(AuditLog.Entry::action).containsExactly("b");
        assertThat(audit.list(Optional.empty(), 10, Optional.of(3L))).extracting(AuditLog.Entry::seq).containsExactly(2L, 1L);
        assertThat(audit.list(Optional.empty(), 1, Optional.empty())).extracting(AuditLog.Entry::seq).containsExactly(3L);
    }
}
