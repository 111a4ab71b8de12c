package dev.keel.core.alert;

import dev.keel.core.error.KeelException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Channels to and from JSON maps: the stored spec and the API's body. Secrets appear only as references; a Slack URL, which is
 * itself a credential, is stored but shown only as its scheme and host.
 */
public final class ChannelJson {
    private static final Set<String> WEBHOOK = Set.of("kind", "name", "url", "secret");
    private static final Set<String> SLACK = Set.of("kind", "name", "url");
    private static final Set<String> EMAIL = Set.of("kind", "name", "host", "port", "starttls", "username", "password", "from", "to");

    private ChannelJson() {
    }

    /** Reads a channel of a project from a JSON object; unknown fields and bad values fail naming the field. */
    public static Channel fromMap(String project, Map<String, ?> map) {
        String kind = string(map, "kind", null);
        String name = string(map, "name", null);
        return switch (kind) {
            case "webhook" -> {
                allowOnly(map, WEBHOOK);
                yield new Channel.Webhook(project, name, url(map), SecretRefs.parse("secret", string(map, "secret", null)));
            }
            case "slack" -> {
                allowOnly(map, SLACK);
                yield new Channel.Slack(project, name, url(map));
            }
            case "email" -> {
                allowOnly(map, EMAIL);
                String username = string(map, "username", "");
                Object port = map.get("port");
                KeelException.requireArgument(port == null || port instanceof Integer, "port must be an integer (got %s)", port);
                Object starttls = map.get("starttls");
                KeelException.requireArgument(starttls == null || starttls instanceof Boolean, "starttls must be true or false (got %s)",
                        starttls);
                Object to = map.get("to");
                KeelException.requireArgument(to instanceof List<?> list && list.stream().allMatch(String.class::isInstance),
                        "to must be a list of mail addresses");
                yield new Channel.Email(project, name, string(map, "host", null), port == null ? 587 : (Integer) port,
                        starttls == null || (Boolean) starttls, username,
                        username.isEmpty() ? Channel.Email.NO_PASSWORD : SecretRefs.parse("password", string(map, "password", null)),
                        string(map, "from", null), ((List<?>) to).stream().map(String.class::cast).toList());
            }
            default -> throw KeelException.badRequest("kind '" + kind + "' is not one of [webhook, slack, email]");
        };
    }

    /** The stored form: everything needed to send, secrets as references. */
    static Map<String, Object> toStored(Channel channel) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("kind", channel.kind());
        map.put("name", channel.name());
        switch (channel) {
            case Channel.Webhook webhook -> {
                map.put("url", webhook.url().toString());
                map.put("secret", SecretRefs.format(webhook.secret()));
            }
            case Channel.Slack slack -> map.put("url", slack.url().toString());
            case Channel.Email email -> putEmail(map, email);
        }
        return map;
    }

    /** The form the API returns: secret references are shown (they are not secrets), Slack URLs are cut to scheme and host. */
    public static Map<String, Object> toPublic(Channel channel) {
        Map<String, Object> map = toStored(channel);
        map.put("project", channel.project());
        if (channel instanceof Channel.Slack slack) {
            map.put("url", slack.url().getScheme() + "://" + slack.url().getHost() + "/…");
        }
        return map;
    }

    private static void putEmail(Map<String, Object> map, Channel.Email email) {
        map.put("host", email.host());
        map.put("port", email.port());
        map.put("starttls", email.requireStartTls());
        map.put("username", email.username());
        if (!email.username().isEmpty()) {
            map.put("password", SecretRefs.format(email.password()));
        }
        map.put("from", email.from());
        map.put("to", email.to());
    }

    private static URI url(Map<String, ?> map) {
        String text = string(map, "url", null);
        try {
            return new URI(text);
        } catch (java.net.URISyntaxException e) {
            throw KeelException.badRequest("url is not a valid URL: " + e.getReason());
        }
    }

    private static String string(Map<String, ?> map, String field, String fallback) {
        Object value = map.get(field);
        if (value == null) {
            if (fallback == null) {
                throw KeelException.badRequest(field + " is required");
            }
            return fallback;
        }
        if (!(value instanceof String text)) {
            throw KeelException.badRequest(field + " must be a string");
        }
        return text;
    }

    private static void allowOnly(Map<String, ?> map, Set<String> allowed) {
        for (String field : map.keySet()) {
            KeelException.requireArgument(allowed.contains(field), "field '%s' is not one of %s", field, allowed.stream().sorted().toList());
        }
    }
}
