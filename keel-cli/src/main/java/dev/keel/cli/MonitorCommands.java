package dev.keel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code keel monitor list|status|history|apply|evaluate|breaches|log-rate}. */
@Command(name = "monitor", description = "Declare monitors and read their state, results and breaches",
        subcommands = {MonitorCommands.ListMonitors.class, MonitorCommands.Status.class, MonitorCommands.History.class,
            MonitorCommands.Apply.class, MonitorCommands.Evaluate.class, MonitorCommands.Breaches.class, MonitorCommands.LogRate.class})
final class MonitorCommands {
    static final List<Output.Column> MONITOR_COLUMNS = List.of(Output.Column.field("ID", "id"),
            new Output.Column("NAME", node -> Output.text(node.path("spec").path("name"))),
            new Output.Column("MODEL", node -> Output.text(node.path("spec").path("model"))),
            new Output.Column("STATISTIC", node -> Output.text(node.path("spec").path("statistic"))),
            new Output.Column("FEATURES", node -> node.path("spec").path("features").isEmpty() ? "(all)"
                    : String.join(",", node.path("spec").path("features").valueStream().map(JsonNode::asText).toList())),
            new Output.Column("WINDOW", node -> Output.text(node.path("spec").path("window"))),
            new Output.Column("LIMIT", node -> Output.text(node.path("spec").path("limit"))),
            Output.Column.field("STATE", "state"), new Output.Column("VALUE", node -> number(node.path("lastValue"))),
            Output.Column.field("EVALUATED", "lastEvaluatedAt"));

    static final List<Output.Column> RESULT_COLUMNS = List.of(Output.Column.field("EVALUATED", "evaluatedAt"),
            Output.Column.field("STATE", "state"), new Output.Column("VALUE", node -> number(node.path("value"))),
            Output.Column.field("VERSION", "modelVersion"), Output.Column.field("ROWS", "sampleSize"),
            new Output.Column("DRIFTED", node -> node.path("detail").has("drifted") ? node.path("detail").path("drifted").toString() : "-"),
            new Output.Column("NOTE", node -> Output.text(node.path("detail").path("reason"))));

    static final List<Output.Column> BREACH_COLUMNS = List.of(Output.Column.field("DETECTED", "detectedAt"),
            Output.Column.field("MONITOR", "monitorName"), Output.Column.field("MODEL", "model"), Output.Column.field("VERSION", "modelVersion"),
            Output.Column.field("STATISTIC", "statistic"), Output.Column.field("TARGET", "target"),
            new Output.Column("VALUE", node -> number(node.path("value"))), Output.Column.field("LIMIT", "limit"));

    static String number(JsonNode node) {
        return node.isNumber() ? String.format(java.util.Locale.ROOT, "%.4g", node.asDouble()) : Output.text(node);
    }

    @Command(name = "list", description = "Monitors and their state")
    static final class ListMonitors implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Option(names = "--model", description = "Only monitors of this model")
        String model;

        @Override
        public Integer call() {
            JsonNode answer = client.client().get("/v1/monitors" + KeelClient.query(Map.of("model", Optional.ofNullable(model))));
            client.print(answer, () -> {
                Output.table(System.out, answer.path("monitors"), MONITOR_COLUMNS);
            });
            return 0;
        }
    }

    @Command(name = "status", description = "One monitor, its latest result and its breaches")
    static final class Status implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "MONITOR", description = "id or name")
        String monitor;

        @Override
        public Integer call() {
            KeelClient api = client.client();
            JsonNode shown = api.get("/v1/monitors/" + KeelClient.encode(monitor));
            JsonNode latest = api.get("/v1/monitors/" + KeelClient.encode(monitor) + "/results?limit=1").path("results");
            JsonNode breaches = api.get("/v1/breaches?monitor=" + KeelClient.encode(monitor) + "&limit=5").path("breaches");
            if (client.json()) {
                Output.json(System.out, dev.keel.core.json.Json.MAPPER.valueToTree(Map.of("monitor", shown, "latest", latest, "breaches", breaches)));
                return 0;
            }
            Output.table(System.out, List.of(shown), MONITOR_COLUMNS);
            if (!latest.isEmpty() && latest.get(0).path("detail").has("columns")) {
                System.out.println();
                System.out.println("latest result per target:");
                latest.get(0).path("detail").path("columns").properties().forEach(entry -> System.out.println("  " + entry.getKey() + ": "
                        + entry.getValue()));
            }
            System.out.println();
            System.out.println("breaches:");
            Output.table(System.out, breaches, BREACH_COLUMNS);
            return 0;
        }
    }

    @Command(name = "history", description = "A monitor's results over time, newest first")
    static final class History implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "MONITOR", description = "id or name")
        String monitor;

        @Option(names = "--limit", defaultValue = "20", description = "Most entries shown, newest first (default: 20)")
        int limit;

        @Override
        public Integer call() {
            JsonNode answer = client.client().get("/v1/monitors/" + KeelClient.encode(monitor) + "/results?limit=" + limit);
            client.print(answer, () -> {
                Output.table(System.out, answer.path("results"), RESULT_COLUMNS);
            });
            return 0;
        }
    }

    @Command(name = "apply", description = "Create or update the monitors declared in a YAML file (a list, or {monitors: [...]})")
    static final class Apply implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Option(names = {"-f", "--file"}, required = true, description = "YAML file of monitors")
        Path file;

        @Override
        public Integer call() throws IOException {
            JsonNode tree = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
            JsonNode list = tree != null && tree.isObject() && tree.has("monitors") ? tree.get("monitors") : tree;
            if (list == null || !list.isArray()) {
                throw new Main.UsageError(file + " must hold a list of monitors or a 'monitors:' list");
            }
            KeelClient api = client.client();
            for (JsonNode spec : list) {
                JsonNode created = api.post("/v1/monitors?replace=true", spec);
                System.out.println("monitor " + created.path("spec").path("name").asText() + " (" + created.path("id").asText() + ") on "
                        + created.path("spec").path("model").asText() + ": " + created.path("spec").path("statistic").asText());
            }
            return 0;
        }
    }

    @Command(name = "log-rate", description = "Show or set the share of an endpoint's predictions that is logged (0 to 1; kept across restarts)")
    static final class LogRate implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "ENDPOINT", description = "Endpoint whose prediction log rate is shown or set")
        String endpoint;

        @Parameters(index = "1", paramLabel = "RATE", arity = "0..1", description = "the new rate, e.g. 0.1; without it, the current one")
        Double rate;

        @Override
        public Integer call() {
            String path = "/v1/endpoints/" + KeelClient.encode(endpoint) + "/prediction-log";
            JsonNode answer = rate == null ? client.client().get(path) : client.client().put(path, Map.of("sampleRate", rate));
            client.print(answer, () -> {
                Output.table(System.out, List.of(answer), List.of(Output.Column.field("ENDPOINT", "endpoint"),
                        new Output.Column("SAMPLE RATE", node -> Output.text(node.path("sampleRate")))));
            });
            return 0;
        }
    }

    @Command(name = "evaluate", description = "Evaluate a monitor now")
    static final class Evaluate implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "MONITOR", description = "id or name")
        String monitor;

        @Override
        public Integer call() {
            JsonNode answer = client.client().post("/v1/monitors/" + KeelClient.encode(monitor) + "/evaluate", Map.of());
            client.print(answer, () -> {
                Output.table(System.out, List.of(answer), RESULT_COLUMNS);
            });
            return 0;
        }
    }

    @Command(name = "breaches", description = "Breach events, newest first")
    static final class Breaches implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Option(names = "--model", description = "Only breaches of this model")
        String model;

        @Option(names = "--limit", defaultValue = "20", description = "Most entries shown, newest first (default: 20)")
        int limit;

        @Override
        public Integer call() {
            JsonNode answer = client.client().get("/v1/breaches" + KeelClient.query(Map.of("model", Optional.ofNullable(model),
                    "limit", Optional.of(Integer.toString(limit)))));
            client.print(answer, () -> {
                Output.table(System.out, answer.path("breaches"), BREACH_COLUMNS);
            });
            return 0;
        }
    }
}
