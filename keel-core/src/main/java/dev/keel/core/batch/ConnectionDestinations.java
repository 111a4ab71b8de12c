package dev.keel.core.batch;

import dev.keel.core.data.JdbcConnection;
import dev.keel.spi.data.SecretResolver;
import dev.keel.core.error.KeelException;
import dev.keel.core.store.Database;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The databases an administrator declared under {@code pipelines.connections}, as scoring destinations: each opened on first use with
 * a small pool, its password resolved then, and kept open until {@link #close()}.
 */
public final class ConnectionDestinations implements ScoringDestinations, AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ConnectionDestinations.class);
    private final Map<String, JdbcConnection> declared;
    private final SecretResolver secrets;
    private final int poolSize;
    private final Map<String, Database> open = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public ConnectionDestinations(Map<String, JdbcConnection> declared, SecretResolver secrets, int poolSize) {
        this.declared = Map.copyOf(declared);
        this.secrets = Objects.requireNonNull(secrets, "secrets");
        KeelException.requireArgument(poolSize >= 1, "the pool size must be >= 1, got %d", poolSize);
        this.poolSize = poolSize;
    }

    @Override
    public Database database(String connection) {
        JdbcConnection found = declared.get(connection);
        if (found == null) {
            throw KeelException.notFound("no connection '" + (connection.length() > 63 ? connection.substring(0, 63) + "…" : connection)
                    + "' is declared; declared are " + declared.keySet().stream().sorted().toList() + " (pipelines.connections) and keel");
        }
        synchronized (this) {
            if (closed) {
                throw new KeelException(dev.keel.core.error.ErrorCode.UNAVAILABLE, "the server is shutting down");
            }
            return open.computeIfAbsent(connection, name -> Database.open(found.url(), found.user(), secrets.resolve(found.password()), poolSize));
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        open.forEach((name, database) -> {
            try {
                database.close();
            } catch (RuntimeException e) {
                LOG.warn("failed to close connection '{}'", name, e);
            }
        });
        open.clear();
    }
}
