package dev.keel.spi;

import java.io.InputStream;
import java.util.Optional;

/** Content-addressed storage of immutable artifacts (models, dataset snapshots), keyed by SHA-256. */
public interface ArtifactStore {
    /** Stores the stream's bytes atomically and returns their digest; storing the same bytes twice is a no-op. */
    ArtifactRef put(InputStream content);

    /**
     * Reads an artifact whole, verifying its digest.
     *
     * @throws ArtifactIntegrityException when the stored bytes no longer match the digest
     */
    Optional<byte[]> read(String sha256);

    /** True when an artifact with this digest is stored. */
    boolean contains(String sha256);

    /** The location of the artifact as a URI (a file path, an object key), for engines that read it directly. */
    Optional<java.net.URI> locate(String sha256);
}
