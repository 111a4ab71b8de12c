package dev.keel.core.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.store.Database;
import dev.keel.core.testing.Concurrently;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestDatabases;
import dev.keel.core.testing.TestingClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
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
    private final byte[] key = key(1);
    private AuditCheckpoints checkpoints;
    private AuditLog audit;

    @BeforeEach
    void open() {
        store = TestDatabases.open(kind, directory);
        database = store.database();
        checkpoints = AuditCheckpoints.open(directory.resolve("audit").resolve("checkpoints.jsonl"),
                directory.resolve("keys").resolve("audit-signing.key"));
        audit = new AuditLog(database, clock, key, checkpoints);
    }

    @AfterEach
    void close() {
        audit.close();
        store.close();
    }

    private static byte[] key(int fill) {
        byte[] bytes = new byte[32];
        Arrays.fill(bytes, (byte) fill);
        return bytes;
    }

    private AuditLog.Entry append(String action) {
        clock.advance(Duration.ofMillis(3));
        return audit.append("alice (tk_1)", action, Optional.of("default"), Optional.of("POST /v1/models"), "success", 201,
                Optional.of("req-" + action), Optional.empty());
    }

    private void appendAndCheckpoint(int count) {
        IntStream.range(0, count).forEach(i -> append("action-" + i));
        assertThat(audit.checkpoint()).isPresent();
    }

    /** The log as an auditor without the checkpoint file would see it, which is how it was verified before checkpoints. */
    private AuditLog withoutCheckpoints() {
        return new AuditLog(database, clock, key, AuditCheckpoints.open(directory.resolve("elsewhere").resolve("none.jsonl"),
                directory.resolve("elsewhere").resolve("signing.key")));
    }

    private AuditLog.Entry stored(long seq) {
        return audit.list(Optional.empty(), 1000, Optional.empty()).stream().filter(entry -> entry.seq() == seq).findFirst().orElseThrow();
    }

    @Test
    void append_chainsEachEntryToThePreviousHashUnderTheKey() {
        AuditLog.Entry first = append("model.create");
        AuditLog.Entry second = append("version.register");

        assertThat(first.seq()).isEqualTo(1);
        assertThat(first.previousHash()).isEqualTo(AuditLog.GENESIS);
        assertThat(first.scheme()).isEqualTo("hmac-sha256:" + audit.keyId());
        assertThat(audit.keyId()).hasSize(16).isEqualTo(AuditChain.keyId(key));
        assertThat(first.hash()).isNotEqualTo(AuditChain.legacyHash(first));
        assertThat(second.seq()).isEqualTo(2);
        assertThat(second.previousHash()).isEqualTo(first.hash());
        assertThat(audit.list(Optional.empty(), 10, Optional.empty())).extracting(AuditLog.Entry::seq).containsExactly(2L, 1L);
        assertThat(stored(1)).isEqualTo(first);
    }

    @Test
    void verify_intactChain_reportsWhatWasChecked() {
        appendAndCheckpoint(5);
        IntStream.range(0, 2).forEach(i -> append("late-" + i));

        AuditLog.Verification verification = audit.verify();

        assertThat(verification.intact()).as(verification.message()).isTrue();
        assertThat(verification.finding()).isEqualTo(AuditLog.Finding.INTACT);
        assertThat(verification.entries()).isEqualTo(7);
        assertThat(verification.firstSeq()).contains(1L);
        assertThat(verification.lastSeq()).contains(7L);
        assertThat(verification.firstBrokenSeq()).isEmpty();
        assertThat(verification.keyId()).isEqualTo(audit.keyId());
        assertThat(verification.checkpointsChecked()).isEqualTo(1);
        assertThat(verification.latestCheckpoint()).hasValueSatisfying(checkpoint -> assertThat(checkpoint.seq()).isEqualTo(5));
        assertThat(verification.entriesAfterCheckpoint()).isEqualTo(2);
        assertThat(verification.message()).contains("7 entries (seq 1-7), chain intact", "checkpoint at seq 5",
                "2 entries after it are not yet covered");
    }

    @Test
    void verify_emptyLog_isIntact() {
        assertThat(audit.verify().intact()).isTrue();
        assertThat(audit.verify().message()).contains("no checkpoint yet");
    }

    @Test
    void verify_reportsTheSeqOfAnEditedRow() {
        IntStream.range(0, 5).forEach(i -> append("action-" + i));

        database.update("UPDATE audit_log SET actor = ? WHERE seq = 3", "mallory (tk_2)");
        AuditLog.Verification verification = audit.verify();

        assertThat(verification.intact()).isFalse();
        assertThat(verification.finding()).isEqualTo(AuditLog.Finding.TAMPERED);
        assertThat(verification.firstBrokenSeq()).contains(3L);
        assertThat(verification.message()).contains("entry 3 was altered");
    }

    @Test
    void verify_reportsAnEditedOutcome() {
        IntStream.range(0, 3).forEach(i -> append("action-" + i));

        database.update("UPDATE audit_log SET outcome = 'success', status = 200 WHERE seq = 2");

        assertThat(audit.verify().firstBrokenSeq()).contains(2L);
    }

    @Test
    void verify_nullChangedToEmpty_isDetected_thoughTheOldHashCouldNotTellThemApart() {
        IntStream.range(0, 3).forEach(i -> append("action-" + i));
        AuditLog.Entry second = stored(2);
        assertThat(second.detail()).isEmpty();
        AuditLog.Entry blanked = new AuditLog.Entry(2, second.at(), second.actor(), second.action(), second.project(), second.target(),
                second.outcome(), second.status(), second.requestId(), Optional.of(""), second.previousHash(), second.hash(), second.scheme());
        assertThat(AuditChain.legacyHash(blanked)).as("the old canonical form").isEqualTo(AuditChain.legacyHash(second));

        database.update("UPDATE audit_log SET detail = '' WHERE seq = 2");
        AuditLog.Verification verification = audit.verify();

        assertThat(verification.intact()).isFalse();
        assertThat(verification.firstBrokenSeq()).contains(2L);
    }

    @Test
    void verify_reportsADeletedRow() {
        IntStream.range(0, 4).forEach(i -> append("action-" + i));

        database.update("DELETE FROM audit_log WHERE seq = 2");
        AuditLog.Verification verification = audit.verify();

        assertThat(verification.intact()).isFalse();
        assertThat(verification.firstBrokenSeq()).contains(2L);
        assertThat(verification.message()).contains("entry 2 is missing");
    }

    @Test
    void verify_lastRowsDeleted_isReportedAsTruncationNamingTheCheckpoint() {
        appendAndCheckpoint(6);

        database.update("DELETE FROM audit_log WHERE seq > 3");
        AuditLog.Verification withoutCheckpoint = withoutCheckpoints().verify();
        AuditLog.Verification verification = audit.verify();

        assertThat(withoutCheckpoint.intact()).as("the chain alone cannot show a cut end").isTrue();
        assertThat(verification.intact()).isFalse();
        assertThat(verification.finding()).isEqualTo(AuditLog.Finding.TRUNCATED);
        assertThat(verification.firstBrokenSeq()).contains(4L);
        assertThat(verification.message()).contains("ends at entry 3", "up to seq 6", "entries 4 to 6 were deleted");
    }

    @Test
    void verify_everyRowDeleted_isNotIntact() {
        appendAndCheckpoint(4);

        database.update("DELETE FROM audit_log");
        AuditLog.Verification withoutCheckpoint = withoutCheckpoints().verify();
        AuditLog.Verification verification = audit.verify();

        assertThat(withoutCheckpoint.intact()).isTrue();
        assertThat(verification.intact()).isFalse();
        assertThat(verification.finding()).isEqualTo(AuditLog.Finding.TRUNCATED);
        assertThat(verification.message()).contains("holds no entries", "up to seq 4");
    }

    @Test
    void verify_rowRewrittenAndChainRecomputedWithPlainSha256_isDetected() {
        appendAndCheckpoint(4);

        // what an attacker with the store but not the key can do: rewrite entry 2 and recompute every hash from there on
        String previous = stored(1).hash();
        for (long seq = 2; seq <= 4; seq++) {
            AuditLog.Entry original = stored(seq);
            AuditLog.Entry forged = new AuditLog.Entry(seq, original.at(), seq == 2 ? "mallory" : original.actor(), original.action(),
                    original.project(), original.target(), original.outcome(), original.status(), original.requestId(), original.detail(),
                    previous, "", original.scheme());
            String hash = AuditChain.legacyHash(forged);
            database.update("UPDATE audit_log SET actor = ?, previous_hash = ?, hash = ? WHERE seq = ?", forged.actor(), previous, hash, seq);
            previous = hash;
        }
        AuditLog.Verification verification = audit.verify();

        assertThat(verification.intact()).isFalse();
        assertThat(verification.finding()).isEqualTo(AuditLog.Finding.TAMPERED);
        assertThat(verification.firstBrokenSeq()).contains(2L);
    }

    @Test
    void verify_wholeChainDowngradedToTheLegacyScheme_isDetectedByTheCheckpoint() {
        appendAndCheckpoint(3);

        String previous = AuditLog.GENESIS;
        for (long seq = 1; seq <= 3; seq++) {
            AuditLog.Entry original = stored(seq);
            AuditLog.Entry forged = new AuditLog.Entry(seq, original.at(), "mallory", original.action(), original.project(),
                    original.target(), original.outcome(), original.status(), original.requestId(), original.detail(), previous, "", "sha256");
            String hash = AuditChain.legacyHash(forged);
            database.update("UPDATE audit_log SET actor = ?, previous_hash = ?, hash = ?, chain_scheme = 'sha256' WHERE seq = ?",
                    forged.actor(), previous, hash, seq);
            previous = hash;
        }
        AuditLog.Verification withoutCheckpoint = withoutCheckpoints().verify();
        AuditLog.Verification verification = audit.verify();

        assertThat(withoutCheckpoint.intact()).as("a legacy chain verifies on its own").isTrue();
        assertThat(verification.intact()).isFalse();
        assertThat(verification.finding()).isEqualTo(AuditLog.Finding.TAMPERED);
        assertThat(verification.firstBrokenSeq()).contains(3L);
        assertThat(verification.message()).contains("does not match the checkpoint");
    }

    @Test
    void verify_legacyEntryAfterKeyedOnes_isDetected() {
        IntStream.range(0, 3).forEach(i -> append("action-" + i));
        AuditLog.Entry third = stored(3);
        AuditLog.Entry forged = new AuditLog.Entry(3, third.at(), "mallory", third.action(), third.project(), third.target(),
                third.outcome(), third.status(), third.requestId(), third.detail(), third.previousHash(), "", "sha256");
        database.update("UPDATE audit_log SET actor = 'mallory', hash = ?, chain_scheme = 'sha256' WHERE seq = 3", AuditChain.legacyHash(forged));

        AuditLog.Verification verification = audit.verify();

        assertThat(verification.firstBrokenSeq()).contains(3L);
        assertThat(verification.message()).contains("legacy");
    }

    @Test
    void verify_legacyPrefixFromBeforeKeyedChaining_verifiesWithTheOldFunction() {
        String previous = AuditLog.GENESIS;
        for (long seq = 1; seq <= 2; seq++) {
            AuditLog.Entry old = new AuditLog.Entry(seq, clock.instant(), "bob", "model.create", Optional.empty(), Optional.empty(), "success",
                    201, Optional.empty(), Optional.empty(), previous, "", "sha256");
            String hash = AuditChain.legacyHash(old);
            database.update("INSERT INTO audit_log (seq, at, actor, action, outcome, status, previous_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    seq, clock.instant(), "bob", "model.create", "success", 201, previous, hash);
            previous = hash;
        }
        appendAndCheckpoint(2);

        AuditLog.Verification verification = audit.verify();

        assertThat(verification.intact()).as(verification.message()).isTrue();
        assertThat(verification.legacyEntries()).isEqualTo(2);
        assertThat(verification.entries()).isEqualTo(4);
        assertThat(stored(3).previousHash()).isEqualTo(stored(2).hash());
        assertThat(verification.message()).contains("the first 2 chained with plain SHA-256");
        assertThat(AuditLog.hasKeyedEntries(database)).isTrue();

        database.update("UPDATE audit_log SET actor = 'eve' WHERE seq = 1");
        assertThat(audit.verify().firstBrokenSeq()).contains(1L);
    }

    private String insertLegacy(long seq, String previous, String actor) {
        AuditLog.Entry old = new AuditLog.Entry(seq, clock.instant(), actor, "model.create", Optional.empty(), Optional.empty(), "success",
                201, Optional.empty(), Optional.empty(), previous, "", "sha256");
        String hash = AuditChain.legacyHash(old);
        database.update("INSERT INTO audit_log (seq, at, actor, action, outcome, status, previous_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                seq, clock.instant(), actor, "model.create", "success", 201, previous, hash);
        return hash;
    }

    @Test
    void legacyEntryAddedAfterACheckpoint_isNotSigned_andIsReported() {
        String head = insertLegacy(2, insertLegacy(1, AuditLog.GENESIS, "bob"), "bob");
        assertThat(audit.checkpoint()).hasValueSatisfying(checkpoint -> assertThat(checkpoint.legacyEntries()).isEqualTo(2));

        insertLegacy(3, head, "mallory");
        AuditLog.Verification verification = audit.verify();

        assertThat(audit.checkpoint()).isEmpty();
        assertThat(verification.intact()).isFalse();
        assertThat(verification.finding()).isEqualTo(AuditLog.Finding.TAMPERED);
        assertThat(verification.message()).contains("3 legacy", "checkpoints say 2");
    }

    @Test
    void verify_forgedCheckpointLine_isDetected() throws Exception {
        appendAndCheckpoint(3);
        AuditCheckpoints.Checkpoint real = checkpoints.read().checkpoints().getLast();
        AuditCheckpoints.Checkpoint forged = new AuditCheckpoints.Checkpoint(1, stored(1).hash(), real.keyId(), 0,
                real.at().plusSeconds(60), real.signingKeyId(), real.signature());
        Files.writeString(checkpoints.file(), AuditCheckpoints.line(forged) + "\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);

        AuditLog.Verification verification = audit.verify();

        assertThat(verification.intact()).isFalse();
        assertThat(verification.finding()).isEqualTo(AuditLog.Finding.CHECKPOINT_INVALID);
        assertThat(verification.message()).contains("invalid signature");
        assertThat(verification.checkpointsChecked()).isEqualTo(2);
        assertThat(verification.latestCheckpoint()).hasValueSatisfying(checkpoint -> assertThat(checkpoint.seq()).isEqualTo(3));
    }

    @Test
    void verify_underAnotherAuditKey_reportsAKeyMismatchNotTampering() {
        appendAndCheckpoint(3);

        AuditLog.Verification verification = new AuditLog(database, clock, key(2), checkpoints).verify();

        assertThat(verification.intact()).isFalse();
        assertThat(verification.finding()).isEqualTo(AuditLog.Finding.KEY_MISMATCH);
        assertThat(verification.message()).contains("the audit key differs from the one the log was written with");
        assertThat(verification.keyId()).isEqualTo(AuditChain.keyId(key(2)));
    }

    @Test
    void checkpoint_isNotWrittenOverATamperedChain() {
        appendAndCheckpoint(2);
        append("more");
        database.update("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3");

        assertThat(audit.checkpoint()).isEmpty();
        assertThat(checkpoints.read().checkpoints()).hasSize(1);
    }

    @Test
    void checkpoint_onlyWhenTheHeadMoved() {
        assertThat(audit.checkpoint()).hasValueSatisfying(checkpoint -> assertThat(checkpoint.seq()).isZero());
        assertThat(audit.checkpoint()).isEmpty();
        append("one");
        assertThat(audit.checkpoint()).hasValueSatisfying(checkpoint -> {
            assertThat(checkpoint.seq()).isEqualTo(1);
            assertThat(checkpoint.hash()).isEqualTo(stored(1).hash());
            assertThat(checkpoints.signatureValid(checkpoint)).isTrue();
        });
    }

    @Test
    void checkpoints_atStartEveryNEntriesAndOnClose() throws Exception {
        audit.startCheckpoints(Duration.ofHours(1), 3);
        assertThat(checkpoints.read().checkpoints()).extracting(AuditCheckpoints.Checkpoint::seq).containsExactly(0L);

        IntStream.range(0, 4).forEach(i -> append("action-" + i));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (checkpoints.read().checkpoints().size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        List<Long> afterThree = checkpoints.read().checkpoints().stream().map(AuditCheckpoints.Checkpoint::seq).toList();
        audit.close();

        assertThat(afterThree).hasSize(2).first().isEqualTo(0L);
        assertThat(afterThree.get(1)).isBetween(3L, 4L);
        assertThat(checkpoints.read().checkpoints()).last().satisfies(checkpoint -> assertThat(checkpoint.seq()).isEqualTo(4));
    }

    @Test
    void checkpoints_atAFixedCadence() throws Exception {
        audit.startCheckpoints(Duration.ofMillis(50), 0);
        append("one");

        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (checkpoints.read().checkpoints().size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }

        assertThat(checkpoints.read().checkpoints()).extracting(AuditCheckpoints.Checkpoint::seq).containsExactly(0L, 1L);
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
    void list_filtersByProjectOrProjectsAndPagesBySeq() {
        append("a");
        audit.append("bob", "b", Optional.of("other"), Optional.empty(), "denied", 403, Optional.empty(), Optional.of("no permission"));
        append("c");
        audit.append("keel", "d", Optional.empty(), Optional.empty(), "success", 200, Optional.empty(), Optional.empty());

        assertThat(audit.list(Optional.of("other"), 10, Optional.empty())).extracting(AuditLog.Entry::action).containsExactly("b");
        assertThat(audit.list(Optional.empty(), 10, Optional.of(3L))).extracting(AuditLog.Entry::seq).containsExactly(2L, 1L);
        assertThat(audit.list(Optional.empty(), 1, Optional.empty())).extracting(AuditLog.Entry::seq).containsExactly(4L);
        assertThat(audit.listOf(Set.of("default", "other"), 10, Optional.empty())).extracting(AuditLog.Entry::seq).containsExactly(3L, 2L, 1L);
        assertThat(audit.listOf(Set.of(), 10, Optional.empty())).isEmpty();
    }
}
