package dev.keel.spi;

/** A plug-in that reads and runs models of one artifact format; found with {@link java.util.ServiceLoader}. */
public interface ModelRuntime {
    /** The artifact format this runtime reads, for example {@code onnx}. */
    String format();

    /**
     * Reads the signature of an artifact without keeping it loaded.
     *
     * @throws ModelException with {@code badInput} set when the bytes are not a model of this format
     */
    ModelSignature inspect(byte[] artifact);

    /** Loads an artifact for scoring. */
    LoadedModel load(byte[] artifact, RuntimeOptions options);
}
