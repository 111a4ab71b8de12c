package dev.keel.core.data;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.security.Envelope;
import dev.keel.core.security.RewrapReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Dataset snapshot files on local disk, named by their SHA-256. Engines write into a per-attempt staging directory;
 * {@link #publish(Path)} fsyncs the file, hashes it and renames it atomically into place. Metadata is recorded only after
 * that, so a crash leaves at most an unreferenced complete file and a staging directory, both removed by {@link #recover()}.
 *
 * <p>With an encrypting {@link Envelope} a published file holds ciphertext (its name and recorded hash stay those of the
 * Parquet plaintext). Engines read Parquet by path, so {@link #open} decrypts such a file to a private copy in the staging
 * directory, readable by the owner only, that closing the {@link Snapshot} deletes.
 */
public final class SnapshotStore {
    private static final String READS = ".reads";
    private final Path root;
    private final Path staging;
    private final Path snapshots;
    private final Envelope envelope;

    /**
     * A file in its final place.
     *
     * @param bytes the size of the Parquet file (of the plaintext, when it is stored encrypted)
     */
    public record Published(String sha256, String location, long bytes) {
    }

    /**
     * A verified snapshot to read by path; close it when done.
     *
     * @param decrypted true when {@code path} is a decrypted copy, deleted on {@link #close()}
     */
    public record Snapshot(Path path, boolean decrypted) implements AutoCloseable {
        public Snapshot {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public void close() {
            if (decrypted) {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot delete the decrypted copy " + path, e);
                }
            }
        }
    }

    /** A store that writes plaintext snapshots (and reads plaintext only). */
    public SnapshotStore(Path root) {
        this(root, Envelope.plaintext());
    }

    /** A store that encrypts new snapshots when {@code envelope} has an active key, and reads both kinds. */
    public SnapshotStore(Path root, Envelope envelope) {
        this.envelope = Objects.requireNonNull(envelope, "envelope");
        this.root = Objects.requireNonNull(root, "root").toAbsolutePath();
        this.staging = this.root.resolve("staging");
        this.snapshots = this.root.resolve("snapshots");
        try {
            Files.createDirectories(staging);
            Files.createDirectories(snapshots);
        } catch (IOException e) {
            throw new KeelException(ErrorCode.INVALID_CONFIG, "cannot create the dataset directory '" + root + "': " + e.getMessage(),
                    e);
        }
    }

    /** A fresh, empty staging directory for one run attempt. */
    public Path newStaging(String name) {
        Path directory = staging.resolve(name);
        deleteTree(directory);
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return directory;
    }

    /** Removes a staging directory and everything in it. */
    public void discard(Path stagingDirectory) {
        if (!stagingDirectory.toAbsolutePath().startsWith(staging)) {
            throw new IllegalArgumentException("'" + stagingDirectory + "' is not under " + staging);
        }
        deleteTree(stagingDirectory);
    }

    /**
     * Fsyncs a staged file, hashes it and moves it atomically to its content-addressed place; when encrypting, an encrypted
     * copy is written and flushed next to it and moved instead, and the staged plaintext deleted.
     */
    public Published publish(Path stagedFile) {
        try {
            try (FileChannel channel = FileChannel.open(stagedFile, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            String sha256 = sha256(stagedFile);
            long bytes = Files.size(stagedFile);
            String location = "snapshots/" + sha256.substring(0, 2) + "/" + sha256 + ".parquet";
            Path target = root.resolve(location);
            Files.createDirectories(target.getParent());
            if (Files.exists(target) && holds(target, sha256)) {
                Files.delete(stagedFile);
            } else {
                Path source = envelope.encrypting() ? seal(stagedFile) : stagedFile;
                try {
                    Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    throw new KeelException(ErrorCode.INVALID_CONFIG, "the dataset directory '" + root
                            + "' does not support atomic renames; put it on a local file system", e);
                }
            }
            forceDirectory(target.getParent());
            return new Published(sha256, location, bytes);
        } catch (IOException e) {
            throw new KeelException(ErrorCode.INTERNAL, "cannot publish snapshot '" + stagedFile + "': " + e.getMessage(), e);
        }
    }

    /** Writes the encrypted form of a staged file next to it, flushed to disk, and deletes the plaintext. */
    private Path seal(Path stagedFile) throws IOException {
        Path sealed = stagedFile.resolveSibling(stagedFile.getFileName() + ".sealed");
        try (InputStream in = Files.newInputStream(stagedFile);
             OutputStream out = envelope.writer(Files.newOutputStream(sealed, StandardOpenOption.CREATE_NEW))) {
            in.transferTo(out);
        }
        try (FileChannel channel = FileChannel.open(sealed, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.delete(stagedFile);
        return sealed;
    }

    /** True when a published file's plaintext hashes to {@code sha256}. */
    private boolean holds(Path file, String sha256) throws IOException {
        try (InputStream in = envelope.open(file, "snapshot file '" + file + "'")) {
            return sha256(in).equals(sha256);
        } catch (KeelException e) {
            return false;
        }
    }

    /**
     * The verified snapshot at a published location: the file itself when it is plaintext, else a decrypted copy (mode 0600,
     * under the staging directory) whose plaintext was checked against the hash before it is handed out.
     *
     * @throws KeelException NOT_FOUND when the file is missing; INTEGRITY_FAILURE when its bytes do not match the hash or do not
     *     authenticate; UNAVAILABLE when it is encrypted under a key that is not configured
     */
    public Snapshot open(String location, String sha256) {
        Path file = root.resolve(location).normalize();
        if (!file.startsWith(snapshots) || !Files.exists(file)) {
            throw KeelException.notFound("snapshot file '" + location + "' is missing from " + root);
        }
        try {
            if (!Envelope.isEncrypted(file)) {
                requireHash(location, sha256, sha256(file));
                return new Snapshot(file, false);
            }
            Path reads = staging.resolve(READS);
            Files.createDirectories(reads);
            Path copy = reads.resolve(UUID.randomUUID() + ".parquet");
            try {
                createOwnerOnly(copy);
                String actual;
                try (InputStream in = envelope.open(file, "snapshot file '" + location + "'")) {
                    MessageDigest digest = digest();
                    try (OutputStream out = new java.security.DigestOutputStream(Files.newOutputStream(copy, StandardOpenOption.WRITE), digest)) {
                        in.transferTo(out);
                    }
                    actual = HexFormat.of().formatHex(digest.digest());
                }
                requireHash(location, sha256, actual);
                return new Snapshot(copy, true);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(copy);
                throw e;
            }
        } catch (IOException e) {
            throw new KeelException(ErrorCode.INTERNAL, "cannot read snapshot file '" + location + "': " + e.getMessage(), e);
        }
    }

    private static void requireHash(String location, String expected, String actual) {
        if (!actual.equals(expected)) {
            throw new KeelException(ErrorCode.INTEGRITY_FAILURE, "snapshot file '" + location + "' has SHA-256 " + actual
                    + " but its version records " + expected + "; it was altered and is not used");
        }
    }

    private static void createOwnerOnly(Path file) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
    }

    /**
     * Wraps the data key of every encrypted snapshot under the active key, each file replaced atomically while readers go on;
     * see {@link Envelope#rewrap}.
     *
     * @throws IllegalStateException when encryption is off
     */
    public RewrapReport rewrap() {
        return RewrapReport.walk(snapshots, staging, envelope, file -> file.getFileName().toString().endsWith(".parquet"));
    }

    /**
     * Clears every staging directory and deletes published files no version references (a crash between rename and metadata).
     *
     * @return the number of paths removed
     */
    public int recover(Predicate<String> referenced) {
        int removed = 0;
        try (Stream<Path> entries = Files.list(staging)) {
            for (Path entry : entries.toList()) {
                deleteTree(entry);
                removed++;
            }
            try (Stream<Path> files = Files.walk(snapshots)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    String name = file.getFileName().toString();
                    if (name.endsWith(".parquet") && !referenced.test(name.substring(0, name.length() - ".parquet".length()))) {
                        Files.delete(file);
                        removed++;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return removed;
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return sha256(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(InputStream in) throws IOException {
        MessageDigest digest = digest();
        byte[] buffer = new byte[1 << 16];
        for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
            digest.update(buffer, 0, read);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void forceDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException ignored) {
            // Some file systems cannot open directories for fsync; the rename is still atomic there.
        }
    }

    private static void deleteTree(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
