package dev.keel.spi.data;

/** Turns a value reference into its value at run time, so credentials never sit in a spec. */
@FunctionalInterface
public interface SecretResolver {
    /**
     * Resolves a reference.
     *
     * @throws DataEngineException of kind SOURCE when the variable or file is missing
     */
    String resolve(ValueRef reference);
}
