package dev.keel.spi;

import java.util.Map;

/** A model loaded by a runtime and ready to score; thread-safe unless the runtime says otherwise. */
public interface LoadedModel extends AutoCloseable {
    /** The inputs and outputs of the model. */
    ModelSignature signature();

    /**
     * Scores a batch. Inputs are keyed by input name; the result holds every output the model produces, keyed by name.
     *
     * @throws ModelException when the runtime refuses the inputs or fails while scoring
     */
    Map<String, Tensor> predict(Map<String, Tensor> inputs);

    /** Releases native resources; the model cannot score afterwards. */
    @Override
    void close();
}
