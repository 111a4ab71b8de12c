package dev.keel.core.alert;

import dev.keel.core.error.KeelException;
import dev.keel.spi.data.AccessPolicy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Refuses channels whose host is loopback, private or link-local unless {@code alerts.http.allow-private} is set; an email
 * channel may also name an SMTP relay an admin listed in {@code alerts.smtp.allowed-hosts}. Channels are made by operators
 * through the API, so without this a channel could make the server connect to any internal address and port.
 */
final class ChannelTargets {
    private final boolean allowPrivate;
    private final List<String> smtpAllowedHosts;

    ChannelTargets(boolean allowPrivate) {
        this(allowPrivate, List.of());
    }

    ChannelTargets(boolean allowPrivate, List<String> smtpAllowedHosts) {
        this.allowPrivate = allowPrivate;
        this.smtpAllowedHosts = List.copyOf(smtpAllowedHosts);
    }

    static ChannelTargets of(AlertsConfig config) {
        return new ChannelTargets(config.allowPrivateTargets(), config.smtpAllowedHosts());
    }

    void check(Channel channel) {
        switch (channel) {
            case Channel.Webhook webhook -> check(channel.name(), webhook.url().getHost(), "alerts.http.allow-private");
            case Channel.Slack slack -> check(channel.name(), slack.url().getHost(), "alerts.http.allow-private");
            case Channel.Email email -> {
                if (!smtpAllowedHosts.contains(email.host().toLowerCase(Locale.ROOT))) {
                    check(channel.name(), email.host(), "alerts.http.allow-private, or lists the relay in alerts.smtp.allowed-hosts");
                }
            }
        }
    }

    private void check(String name, String host, String remedy) {
        if (allowPrivate) {
            return;
        }
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(bare);
        } catch (UnknownHostException e) {
            return; // fails when sent, and is recorded then
        }
        for (InetAddress address : addresses) {
            Optional<String> kind = AccessPolicy.privateKind(address);
            if (kind.isPresent()) {
                throw KeelException.badRequest("channel '" + name + "': the host '" + bare + "' is " + kind.get()
                        + "; alert channels may reach public addresses only unless an admin sets " + remedy);
            }
        }
    }
}
