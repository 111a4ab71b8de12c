package dev.keel.core.data;

import dev.keel.spi.data.DataEngineException;
import dev.keel.spi.data.SecretResolver;
import dev.keel.spi.data.ValueRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/** Resolves value references from environment variables and files; the values are never logged or stored. */
public final class EnvironmentSecrets implements SecretResolver {
    private final Map<String, String> environment;
    private final Path baseDirectory;

    /** Reads the process environment; relative file references resolve against {@code baseDirectory}. */
    public EnvironmentSecrets(Path baseDirectory) {
        this(System.getenv(), baseDirectory);
    }

    public EnvironmentSecrets(Map<String, String> environment, Path baseDirectory) {
        this.environment = Map.copyOf(environment);
        this.baseDirectory = Objects.requireNonNull(baseDirectory, "baseDirectory");
    }

    @Override
    public String resolve(ValueRef reference) {
        return switch (reference) {
            case ValueRef.Literal literal -> literal.value();
            case ValueRef.Env env -> {
                String value = environment.get(env.variable());
                if (value == null) {
                    throw new DataEngineException(DataEngineException.Kind.SOURCE, "",
                            "environment variable '" + env.variable() + "' is not set");
                }
                yield value;
            }
            case ValueRef.File file -> {
                Path path = baseDirectory.resolve(file.path());
                try {
                    yield Files.readString(path).stripTrailing();
                } catch (IOException e) {
                    throw new DataEngineException(DataEngineException.Kind.SOURCE, "", "cannot read credential file '" + path + "'",
                            e);
                }
            }
        };
    }
}
