package dev.keel.spi;

/** A stored artifact's bytes do not match its digest: it has been altered or damaged and must not be used. */
public class ArtifactIntegrityException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ArtifactIntegrityException(String message) {
        super(message);
    }
}
