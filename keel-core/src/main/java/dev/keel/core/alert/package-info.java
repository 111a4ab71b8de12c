/**
 * Alerts: what Keel tells people when something went wrong, and how the message reaches them.
 *
 * <p>An {@link dev.keel.core.alert.Alert} says what happened, what automation already did and where the incident is. A
 * {@link dev.keel.core.alert.Channel} names a receiver: a JSON webhook signed with HMAC-SHA256, a Slack-compatible incoming
 * webhook, or email over SMTP. Secrets (the webhook signing secret, the SMTP password) are held only as references to an
 * environment variable or a file and resolved when a message is sent; they are never stored, returned or logged.
 *
 * <p>{@link dev.keel.core.alert.Deliveries} sends one message to one channel with retries (exponential backoff with jitter)
 * and records every attempt. {@link dev.keel.core.alert.AlertDispatcher} routes alerts to channels, groups them with
 * Prometheus Alertmanager's semantics ({@code group_by}, {@code group_wait}, {@code group_interval},
 * {@code repeat_interval}) and drops what a {@link dev.keel.core.alert.Silence} mutes. Time comes from an injected clock
 * and the dispatcher moves only when {@link dev.keel.core.alert.AlertDispatcher#tick()} is called, so tests drive it. See
 * {@code docs/alerts.md}.
 */
package dev.keel.core.alert;
