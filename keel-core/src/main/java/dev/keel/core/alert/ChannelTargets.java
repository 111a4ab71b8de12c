package dev.keel.core.alert;

import dev.keel.core.error.KeelException;
import dev.keel.spi.data.AccessPolicy;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Optional;

/** Refuses HTTP channels whose host is loopback, private or link-local unless {@code alerts.http.allow-private} is set. */
final class ChannelTargets {
    private final boolean allowPrivate;

    ChannelTargets(boolean allowPrivate) {
        this.allowPrivate = allowPrivate;
    }

    void check(Channel channel) {
        switch (channel) {
            case Channel.Webhook webhook -> check(channel.name(), webhook.url());
            case Channel.Slack slack -> check(channel.name(), slack.url());
            case Channel.Email email -> {
                // SMTP relays are commonly on the private network; they are an admin's choice, not a user's URL.
            }
        }
    }

    private void check(String name, URI url) {
        if (allowPrivate) {
            return;
        }
        String host = url.getHost();
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
                        + "; alert channels may reach public addresses only unless an admin sets alerts.http.allow-private");
            }
        }
    }
}
