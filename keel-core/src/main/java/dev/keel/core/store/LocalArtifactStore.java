package dev.keel.core.store;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.security.Envelope;
import dev.keel.core.security.RewrapReport;
import dev.keel.spi.ArtifactIntegrityException;
import dev.keel.spi.ArtifactRef;
import dev.keel.spi.ArtifactStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;

/**
 * Artifacts as files named by their SHA-256 under a local directory ({@code ab/cd/abcd...}); written to a temporary file,
 * flushed to disk and renamed atomically, so a crash never leaves a partial artifact under its final name. With an
 * encrypting {@link Envelope} the files hold ciphertext; the name stays the SHA-256 of the plaintext, checked on every read.
 */
public final class LocalArtifactStore implements ArtifactStore {
    private final Path root;
    private final Path staging;
    private final Envelope envelope;

    /** A store that writes plaintext (and reads plaintext only). */
    public LocalArtifactStore(Path root) {
        this(root, Envelope.plaintext());
    }

    /** A store that encrypts new artifacts when {@code envelope} has an active key, and reads both kinds. */
    public LocalArtifactStore(Path root, Envelope envelope) {
        this.envelope = java.util.Objects.requireNonNull(envelope, "envelope");
        this.root = root.toAbsolutePath().normalize();
        this.staging = this.root.resolve("tmp");
        try {
            Files.createDirectories(staging);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create artifact directory " + staging, e);
        }
    }

    @Override
    public ArtifactRef put(InputStream content) {
        Path temporary = staging.resolve(UUID.randomUUID() + ".part");
        try {
            MessageDigest digest = sha256();
            long size;
            try (OutputStream out = new DigestOutputStream(envelope.writer(Files.newOutputStream(temporary, StandardOpenOption.CREATE_NEW)), digest)) {
                size = content.transferTo(out);
            }
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            String hash = HexFormat.of().formatHex(digest.digest());
            Path target = path(hash);
            if (Files.exists(target)) {
                Files.delete(temporary);
            } else {
                Files.createDirectories(target.getParent());
                try {
                    Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return new ArtifactRef(hash, size);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException ignored) {
                // best effort; the staging directory is swept on start
            }
            throw new UncheckedIOException("cannot store artifact: " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<byte[]> read(String sha256) {
        Path file = path(sha256);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        MessageDigest digest = sha256();
        byte[] bytes;
        try (InputStream in = envelope.open(file, "artifact " + sha256)) {
            bytes = new java.security.DigestInputStream(in, digest).readAllBytes();
        } catch (KeelException e) {
            if (e.code() == ErrorCode.INTEGRITY_FAILURE) {
                throw new ArtifactIntegrityException(e.getMessage());
            }
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read artifact " + sha256, e);
        }
        String actual = HexFormat.of().formatHex(digest.digest());
        if (!actual.equals(sha256)) {
            throw new ArtifactIntegrityException("artifact " + sha256 + " is damaged or altered: its bytes hash to " + actual
                    + "; it was not used");
        }
        return Optional.of(bytes);
    }

    @Override
    public boolean contains(String sha256) {
        return Files.exists(path(sha256));
    }

    /** The stored file; when it is encrypted it holds ciphertext, which only {@link #read} turns back into the artifact. */
    @Override
    public Optional<URI> locate(String sha256) {
        Path file = path(sha256);
        return Files.exists(file) ? Optional.of(file.toUri()) : Optional.empty();
    }

    /** Deletes temporary files left by a crash; call at start-up. */
    public void sweepStaging() {
        try (var files = Files.list(staging)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot sweep " + staging, e);
        }
    }

    /**
     * Wraps the data key of every encrypted artifact under the active key, one file at a time, each replaced atomically while
     * the store keeps serving; see {@link Envelope#rewrap}.
     *
     * @throws IllegalStateException when encryption is off
     */
    public RewrapReport rewrap() {
        return RewrapReport.walk(root, staging, envelope, file -> !file.startsWith(staging));
    }

    Path path(String sha256) {
        if (!sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("artifact id must be 64 lower-case hex digits, got '" + sha256 + "'");
        }
        return root.resolve(sha256.substring(0, 2)).resolve(sha256.substring(2, 4)).resolve(sha256);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
