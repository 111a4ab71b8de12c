package dev.keel.core.data;

import dev.keel.spi.data.ValueRef;
import java.util.Objects;

/**
 * A database an admin declared under {@code pipelines.connections.<name>}; pipeline specs refer to it by name, so authors
 * never hold its URL or credentials.
 *
 * @param password a reference to an environment variable or a file, or an empty literal for none
 */
public record JdbcConnection(String name, String url, String user, ValueRef password) {
    public JdbcConnection {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
    }

    @Override
    public String toString() {
        return "JdbcConnection[name=" + name + ", url=" + url + ", user=" + user + "]";
    }
}
