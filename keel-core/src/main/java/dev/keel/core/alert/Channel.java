package dev.keel.core.alert;

import dev.keel.core.error.KeelException;
import dev.keel.spi.data.ValueRef;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A receiver of alerts, belonging to a project; its name is unique across projects. Secrets are references
 * ({@code env:NAME} or {@code file:path}), never values.
 */
public sealed interface Channel {
    /** Channel names: like other Keel names, lower case, starting with a letter. */
    Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,62}");
    /** A loose check of one mail address; the SMTP server has the last word. */
    Pattern ADDRESS = Pattern.compile("[^@\\s<>\"]+@[^@\\s<>\"]+");

    /** The project the channel belongs to. */
    String project();

    /** The channel's name, unique across projects. */
    String name();

    /** The kind as written in JSON: {@code webhook}, {@code slack} or {@code email}. */
    default String kind() {
        return switch (this) {
            case Webhook webhook -> "webhook";
            case Slack slack -> "slack";
            case Email email -> "email";
        };
    }

    /** A generic JSON webhook; each body is signed with HMAC-SHA256 under the referenced secret. */
    record Webhook(String project, String name, URI url, ValueRef secret) implements Channel {
        public Webhook {
            requireName(project, name);
            requireHttpUrl(name, url);
            requireReference(name, "secret", secret);
        }
    }

    /** A Slack-compatible incoming webhook; the URL is itself the credential, so it is never returned by the API either. */
    record Slack(String project, String name, URI url) implements Channel {
        public Slack {
            requireName(project, name);
            requireHttpUrl(name, url);
        }
    }

    /**
     * Email over SMTP.
     *
     * @param requireStartTls when true, a server that does not offer STARTTLS is refused instead of spoken to in clear text
     * @param username empty for a server without authentication
     * @param password the password's reference; ignored when there is no username
     */
    record Email(String project, String name, String host, int port, boolean requireStartTls, String username, ValueRef password,
                 String from, List<String> to) implements Channel {
        /** The password of a channel without login: empty, and never read. */
        public static final ValueRef NO_PASSWORD = new ValueRef.Literal("");

        public Email {
            requireName(project, name);
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(from, "from");
            KeelException.requireArgument(!host.isBlank(), "channel '%s': smtp host must not be blank", name);
            KeelException.requireArgument(port >= 1 && port <= 65_535, "channel '%s': smtp port %d is not between 1 and 65535", name, port);
            if (!username.isEmpty()) {
                requireReference(name, "password", password);
            }
            KeelException.requireArgument(ADDRESS.matcher(from).matches(), "channel '%s': from '%s' is not a mail address", name, from);
            to = List.copyOf(to);
            KeelException.requireArgument(!to.isEmpty(), "channel '%s': to must list at least one address", name);
            for (String address : to) {
                KeelException.requireArgument(ADDRESS.matcher(address).matches(), "channel '%s': to address '%s' is not a mail address",
                        name, address);
            }
        }
    }

    private static void requireName(String project, String name) {
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(name, "name");
        KeelException.requireArgument(!project.isBlank(), "channel project must not be blank");
        KeelException.requireArgument(NAME.matcher(name).matches(), "channel name '%s' must match %s", name, NAME.pattern());
    }

    private static void requireHttpUrl(String name, URI url) {
        Objects.requireNonNull(url, "url");
        String scheme = Objects.requireNonNullElse(url.getScheme(), "").toLowerCase(Locale.ROOT);
        KeelException.requireArgument(scheme.equals("http") || scheme.equals("https"),
                "channel '%s': url scheme '%s' is not http or https", name, scheme);
        KeelException.requireArgument(url.getHost() != null && !url.getHost().isEmpty(), "channel '%s': url has no host", name);
    }

    private static void requireReference(String name, String field, ValueRef reference) {
        Objects.requireNonNull(reference, field);
        KeelException.requireArgument(!(reference instanceof ValueRef.Literal),
                "channel '%s': %s must be a reference (env:NAME or file:path), not a literal value", name, field);
    }
}
