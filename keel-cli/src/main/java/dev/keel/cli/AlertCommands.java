package dev.keel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code keel alert channel add|list|test|deliveries|delete}. */
@Command(name = "alert", description = "Manage alerts", subcommands = {AlertCommands.Channels.class})
final class AlertCommands {
    private static final List<Output.Column> ATTEMPTS = List.of(Output.Column.field("AT", "at"), Output.Column.field("ATTEMPT", "attempt"),
            Output.Column.field("STATUS", "status"), Output.Column.field("CODE", "code"), Output.Column.field("ALERT", "alertKey"),
            Output.Column.field("ERROR", "error"));

    @Command(name = "channel", description = "Manage alert channels (webhook, Slack-compatible, email)",
            subcommands = {Add.class, ListChannels.class, Test.class, Deliveries.class, Delete.class})
    static final class Channels {
    }

    /** Exactly one kind of channel. */
    static final class Kind {
        @Option(names = "--webhook", description = "A JSON webhook URL; each body is signed with HMAC-SHA256 (needs --secret)")
        String webhook;
        @Option(names = "--slack", description = "A Slack-compatible incoming webhook URL")
        String slack;
        @Option(names = "--smtp-host", description = "An SMTP server; mail is sent with STARTTLS (needs --from and --to)")
        String smtpHost;
    }

    @Command(name = "add", description = "Add an alert channel; secrets are given as env:NAME or file:path references, never as values")
    static final class Add implements Callable<Integer> {
        @Mixin
        ClientOptions client;
        @Parameters(index = "0", description = "Channel name (unique across projects)")
        String name;
        @Option(names = "--project", required = true, description = "The project whose alerts the channel receives")
        String project;
        @ArgGroup(exclusive = true, multiplicity = "1")
        Kind kind;
        @Option(names = "--secret", description = "Webhook signing secret reference: env:NAME or file:path")
        String secret;
        @Option(names = "--smtp-port", defaultValue = "587", description = "SMTP port (default 587)")
        int port;
        @Option(names = "--no-starttls-required", negatable = false,
                description = "Send in clear text when the server offers no STARTTLS (default: refuse)")
        boolean starttlsOptional;
        @Option(names = "--username", defaultValue = "", description = "SMTP login; none when empty")
        String username;
        @Option(names = "--password", description = "SMTP password reference: env:NAME or file:path")
        String password;
        @Option(names = "--from", description = "Sender address")
        String from;
        @Option(names = "--to", split = ",", description = "Recipient addresses, comma-separated")
        List<String> to;

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("project", project);
            body.put("name", name);
            if (kind.webhook != null) {
                body.put("kind", "webhook");
                body.put("url", kind.webhook);
                body.put("secret", secret == null ? "" : secret);
            } else if (kind.slack != null) {
                body.put("kind", "slack");
                body.put("url", kind.slack);
            } else {
                body.put("kind", "email");
                body.put("host", kind.smtpHost);
                body.put("port", port);
                body.put("starttls", !starttlsOptional);
                body.put("username", username);
                if (password != null) {
                    body.put("password", password);
                }
                body.put("from", from == null ? "" : from);
                body.put("to", to == null ? List.of() : to);
            }
            JsonNode answer = client.client().post("/v1/alert-channels", body);
            client.print(answer, () -> {
                System.out.println(answer.path("kind").asText() + " channel " + name + " added to project " + project);
            });
            return 0;
        }
    }

    @Command(name = "list", description = "List a project's alert channels")
    static final class ListChannels implements Callable<Integer> {
        @Mixin
        ClientOptions client;
        @Option(names = "--project", required = true, description = "Project")
        String project;

        @Override
        public Integer call() {
            JsonNode answer = client.client().get("/v1/alert-channels?project=" + KeelClient.encode(project));
            client.print(answer, () -> {
                Output.table(System.out, answer.path("channels"), List.of(Output.Column.field("NAME", "name"),
                        Output.Column.field("KIND", "kind"), Output.Column.field("URL", "url"), Output.Column.field("HOST", "host")));
            });
            return 0;
        }
    }

    @Command(name = "test", description = "Send a test alert to a channel now and show every attempt; exits 1 when it was not delivered")
    static final class Test implements Callable<Integer> {
        @Mixin
        ClientOptions client;
        @Parameters(index = "0", description = "Channel name")
        String name;

        @Override
        public Integer call() {
            JsonNode answer = client.client().post("/v1/alert-channels/" + KeelClient.encode(name) + "/test", Map.of());
            client.print(answer, () -> {
                Output.table(System.out, answer.path("attempts"), ATTEMPTS);
                System.out.println(answer.path("delivered").asBoolean() ? "delivered" : "NOT delivered");
            });
            return answer.path("delivered").asBoolean() ? 0 : 1;
        }
    }

    @Command(name = "deliveries", description = "Show a channel's most recent delivery attempts")
    static final class Deliveries implements Callable<Integer> {
        @Mixin
        ClientOptions client;
        @Parameters(index = "0", description = "Channel name")
        String name;
        @Option(names = "--limit", defaultValue = "50", description = "How many (default 50)")
        int limit;

        @Override
        public Integer call() {
            JsonNode answer = client.client().get("/v1/alert-channels/" + KeelClient.encode(name) + "/deliveries?limit=" + limit);
            client.print(answer, () -> {
                Output.table(System.out, answer.path("deliveries"), ATTEMPTS);
            });
            return 0;
        }
    }

    @Command(name = "delete", description = "Delete an alert channel; its delivery records stay")
    static final class Delete implements Callable<Integer> {
        @Mixin
        ClientOptions client;
        @Parameters(index = "0", description = "Channel name")
        String name;

        @Override
        public Integer call() {
            client.client().delete("/v1/alert-channels/" + KeelClient.encode(name));
            System.out.println("channel " + name + " deleted");
            return 0;
        }
    }
}
