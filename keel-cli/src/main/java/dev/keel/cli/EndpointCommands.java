package dev.keel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code keel endpoint create|list|show|delete|predict}. */
@Command(name = "endpoint", description = "Serve models under named endpoints", subcommands = {EndpointCommands.Create.class,
    EndpointCommands.ListEndpoints.class, EndpointCommands.Show.class, EndpointCommands.Delete.class, EndpointCommands.Predict.class})
final class EndpointCommands {
    private EndpointCommands() {
    }

    /** A route target: a version number or an alias. */
    static final class Target {
        @Option(names = "--canary-version", description = "Version that takes the canary share")
        Integer version;

        @Option(names = "--canary-alias", description = "Alias that takes the canary share")
        String alias;
    }

    @Command(name = "create", description = "Create an endpoint serving a model alias, e.g. credit-risk -> credit@champion")
    static final class Create implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", description = "Endpoint name")
        String name;

        @Option(names = "--model", required = true, description = "Registered model to serve")
        String model;

        @Option(names = "--alias", defaultValue = "champion", description = "Alias, version number or 'latest' (default: champion)")
        String alias;

        @ArgGroup(exclusive = true)
        Target canary;

        @Option(names = "--canary-percent", description = "Share of traffic for the canary, 0-100")
        Double canaryPercent;

        @Option(names = "--shadow-alias", description = "Alias mirrored as a shadow (its answers are recorded, never returned)")
        String shadowAlias;

        @Option(names = "--shadow-version", description = "Version mirrored as a shadow")
        Integer shadowVersion;

        @Option(names = "--no-batching", description = "Score every request alone")
        boolean noBatching;

        @Option(names = "--max-batch-size", description = "Most rows in one batched call (default 32)")
        Integer maxBatchSize;

        @Option(names = "--max-delay-ms", description = "How long a batch may wait for more requests (default 0)")
        Long maxDelay;

        @Option(names = "--max-concurrency", description = "Requests scored at once (default 64)")
        Integer maxConcurrency;

        @Option(names = "--queue", description = "Requests that may wait; beyond them 429 (default 256)")
        Integer queue;

        @Option(names = "--timeout-ms", description = "Time a request may take (default 2000)")
        Long timeout;

        @Option(names = "--fallback", description = "none, previous-version or default-response")
        String fallback;

        @Option(names = "--default-response", description = "JSON outputs of one row for --fallback default-response")
        String defaultResponse;

        @Override
        public Integer call() throws IOException {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("model", model);
            body.put("alias", alias);
            if (canary != null || canaryPercent != null) {
                Map<String, Object> route = new LinkedHashMap<>();
                if (canary != null) {
                    Optional.ofNullable(canary.version).ifPresent(value -> route.put("version", value));
                    Optional.ofNullable(canary.alias).ifPresent(value -> route.put("alias", value));
                }
                Optional.ofNullable(canaryPercent).ifPresent(value -> route.put("percent", value));
                body.put("canary", route);
            }
            if (shadowAlias != null || shadowVersion != null) {
                Map<String, Object> shadow = new LinkedHashMap<>();
                Optional.ofNullable(shadowAlias).ifPresent(value -> shadow.put("alias", value));
                Optional.ofNullable(shadowVersion).ifPresent(value -> shadow.put("version", value));
                body.put("shadow", shadow);
            }
            Map<String, Object> batching = new LinkedHashMap<>();
            if (noBatching) {
                batching.put("enabled", false);
            }
            Optional.ofNullable(maxBatchSize).ifPresent(value -> batching.put("maxBatchSize", value));
            Optional.ofNullable(maxDelay).ifPresent(value -> batching.put("maxDelayMillis", value));
            if (!batching.isEmpty()) {
                body.put("batching", batching);
            }
            Optional.ofNullable(maxConcurrency).ifPresent(value -> body.put("maxConcurrency", value));
            Optional.ofNullable(queue).ifPresent(value -> body.put("queue", value));
            Optional.ofNullable(timeout).ifPresent(value -> body.put("timeoutMillis", value));
            if (fallback != null) {
                Map<String, Object> mode = new LinkedHashMap<>();
                mode.put("mode", fallback);
                if (defaultResponse != null) {
                    mode.put("response", Json.MAPPER.readTree(defaultResponse));
                }
                body.put("fallback", mode);
            }
            JsonNode created = client.client().post("/v1/endpoints", body);
            client.print(created, () -> {
                System.out.println("endpoint " + name + " serves " + model + "@" + alias + " (routes " + created.path("routes") + ")");
            });
            return 0;
        }
    }

    @Command(name = "list", description = "List endpoints")
    static final class ListEndpoints implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Option(names = "--project", description = "Only endpoints of this project")
        String project;

        @Override
        public Integer call() {
            JsonNode answer = client.client().get("/v1/endpoints" + KeelClient.query(Map.of("project", Optional.ofNullable(project))));
            client.print(answer, () -> {
                Output.table(System.out, answer.path("endpoints"), List.of(Output.Column.field("NAME", "name"),
                        Output.Column.field("PROJECT", "project"),
                        new Output.Column("MODEL", node -> node.path("config").path("model").asText() + "@" + node.path("config").path("alias").asText()),
                        Output.Column.field("ROUTES", "routes"), Output.Column.field("SERVING", "serving")));
            });
            return 0;
        }
    }

    @Command(name = "show", description = "Show an endpoint with its routes and statistics")
    static final class Show implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", description = "Endpoint name")
        String name;

        @Override
        public Integer call() {
            KeelClient api = client.client();
            Output.json(System.out, api.get("/v1/endpoints/" + KeelClient.encode(name)));
            if (!client.json()) {
                System.out.println("statistics:");
                Output.json(System.out, api.get("/v1/endpoints/" + KeelClient.encode(name) + "/stats"));
            }
            return 0;
        }
    }

    @Command(name = "delete", description = "Delete an endpoint; requests in flight finish")
    static final class Delete implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", description = "Endpoint name")
        String name;

        @Override
        public Integer call() {
            client.client().delete("/v1/endpoints/" + KeelClient.encode(name));
            System.out.println("deleted endpoint " + name);
            return 0;
        }
    }

    @Command(name = "predict", description = "Score records: --data '{\"instances\": [{...}]}' or --file records.json")
    static final class Predict implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", description = "Endpoint name")
        String name;

        @Option(names = "--data", description = "The JSON body")
        String data;

        @Option(names = "--file", description = "A file holding the JSON body")
        Path file;

        @Override
        public Integer call() throws IOException {
            String text = data != null ? data : file != null ? Files.readString(file) : null;
            if (text == null) {
                throw new Main.UsageError("give the body with --data or --file");
            }
            com.fasterxml.jackson.databind.JsonNode body;
            try {
                body = Json.MAPPER.readTree(text);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new Main.UsageError("the body given with " + (data != null ? "--data" : "--file") + " is not JSON: "
                        + Json.describeFailure(e) + "; expected such as {\"instances\": [{\"age\": 35}]}");
            }
            if (body == null || !body.isObject()) {
                throw new Main.UsageError("the body must be a JSON object such as {\"instances\": [{\"age\": 35}]}");
            }
            Output.json(System.out, client.client().post("/v1/endpoints/" + KeelClient.encode(name) + "/predict", body));
            return 0;
        }
    }
}
