package dev.keel.core.alert;

import dev.keel.spi.data.SecretResolver;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;

/** Sends webhook (signed JSON) and Slack-compatible ({@code {"text": ...}}) notifications over HTTP; redirects are not followed. */
final class HttpAlertSender implements AlertSender {
    private final HttpClient client;
    private final Duration timeout;
    private final SecretResolver secrets;
    private final ChannelTargets targets;
    private final Clock clock;

    HttpAlertSender(HttpClient client, Duration timeout, SecretResolver secrets, ChannelTargets targets, Clock clock) {
        this.client = client;
        this.timeout = timeout;
        this.secrets = secrets;
        this.targets = targets;
        this.clock = clock;
    }

    static HttpClient client(Duration timeout) {
        return HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public SendResult send(Channel channel, Notification notification) {
        try {
            // Checked again at send time: a name may resolve elsewhere now than when the channel was added.
            targets.check(channel);
        } catch (RuntimeException e) {
            return SendResult.failed(0, "", e.getMessage(), false);
        }
        return switch (channel) {
            case Channel.Webhook webhook -> webhook(webhook, notification);
            case Channel.Slack slack -> post(slack.url(), AlertJson.slackBody(notification).getBytes(StandardCharsets.UTF_8), null, 0);
            case Channel.Email email -> SendResult.failed(0, "", "channel '" + email.name() + "' is an email channel", false);
        };
    }

    private SendResult webhook(Channel.Webhook webhook, Notification notification) {
        String secret;
        try {
            secret = secrets.resolve(webhook.secret());
        } catch (RuntimeException e) {
            return SendResult.failed(0, "", "the signing secret " + SecretRefs.format(webhook.secret()) + " cannot be read", true);
        }
        byte[] body = AlertJson.webhookBody(notification).getBytes(StandardCharsets.UTF_8);
        long seconds = clock.instant().getEpochSecond();
        return post(webhook.url(), body, WebhookSignature.sign(secret, seconds, body), seconds);
    }

    private SendResult post(URI url, byte[] body, String signature, long seconds) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(timeout).header("Content-Type", "application/json")
                .header("User-Agent", "keel-alerts").POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (signature != null) {
            request.header(WebhookSignature.TIMESTAMP_HEADER, Long.toString(seconds)).header(WebhookSignature.SIGNATURE_HEADER, signature);
        }
        try {
            HttpResponse<Void> response = client.send(request.build(), HttpResponse.BodyHandlers.discarding());
            int status = response.statusCode();
            if (status / 100 == 2) {
                return SendResult.delivered(status, "");
            }
            boolean retryable = status / 100 != 4 || status == 408 || status == 429;
            return SendResult.failed(status, "", "the receiver answered HTTP " + status, retryable);
        } catch (IOException e) {
            return SendResult.failed(0, "", "cannot reach " + url.getScheme() + "://" + url.getAuthority() + ": " + e, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return SendResult.failed(0, "", "interrupted while sending", false);
        }
    }
}
