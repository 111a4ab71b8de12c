package dev.keel.core.data;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Dataset snapshot files on local disk, named by their SHA-256. Engines write into a per-attempt staging directory;
 * {@link #publish(Path)} fsyncs the file, hashes it and renames it atomically into place. Metadata is recorded only after
 * that, so a crash leaves at most an unreferenced complete file and a staging directory, both removed by {@link #recover()}.
 */
public final class SnapshotStore {
    private final Path root;
    private final Path staging;
    private final Path snapshots;

    /** A file in its final place. */
    public record Published(String sha256, String location, long bytes) {
    }

    public SnapshotStore(Path root) {
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

    /** Fsyncs a staged file, hashes it and moves it atomically to its content-addressed place. */
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
            if (Files.exists(target) && sha256(target).equals(sha256)) {
                Files.delete(stagedFile);
            } else {
                try {
                    Files.move(stagedFile, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
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

    /** The absolute path of a published location, after checking its bytes still match the hash. */
    public Path open(String location, String sha256) {
        Path file = root.resolve(location).normalize();
        if (!file.startsWith(snapshots) || !Files.exists(file)) {
            throw KeelException.notFound("snapshot file '" + location + "' is missing from " + root);
        }
        String actual = sha256(file);
        if (!actual.equals(sha256)) {
            throw new KeelException(ErrorCode.INTEGRITY_FAILURE, "snapshot file '" + location + "' has SHA-256 " + actual
                    + " but its version records " + sha256 + "; it was altered and is not used");
        }
        return file;
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
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                digest.update(buffer, 0, read);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
