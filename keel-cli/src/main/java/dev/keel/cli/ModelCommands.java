package dev.keel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code keel model register|list|show|promote|rollback|history|lineage|sign|verify|keygen}. */
@Command(name = "model", description = "Work with the model registry", subcommands = {ModelCommands.Register.class, ModelCommands.ListModels.class,
    ModelCommands.Show.class, ModelCommands.Promote.class, ModelCommands.Rollback.class, ModelCommands.History.class, ModelCommands.LineageCommand.class,
    ModelCommands.Predictions.class, SigningCommands.Sign.class, SigningCommands.Verify.class, SigningCommands.Keygen.class})
final class ModelCommands {
    private ModelCommands() {
    }

    @Command(name = "register", description = "Register a new version of a model (creating the model if needed)")
    static final class Register implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", description = "Model name")
        String name;

        @Option(names = "--file", required = true, description = "The model artifact (ONNX)")
        Path file;

        @Option(names = "--project", defaultValue = "default", description = "Project of a new model (default: default)")
        String project;

        @Option(names = "--format", defaultValue = "onnx", description = "Artifact format (default: onnx)")
        String format;

        @Option(names = "--metric", description = "NAME=VALUE, repeatable")
        Map<String, Double> metrics = new LinkedHashMap<>();

        @Option(names = "--tag", description = "KEY=VALUE, repeatable")
        Map<String, String> tags = new LinkedHashMap<>();

        @Option(names = "--param", description = "Training parameter KEY=VALUE, repeatable")
        Map<String, String> parameters = new LinkedHashMap<>();

        @Option(names = "--features", description = "The feature schema: a JSON list of {name, type, min, max, allowed, sensitive}, or just "
                + "feature names (a JSON list of strings, or one name a line), which are taken as numbers")
        Path features;

        @Option(names = "--dataset-sha256", description = "SHA-256 of the training data, for lineage")
        String datasetSha256;

        @Option(names = "--dataset-uri", description = "Where the training data is, e.g. dataset:credit-g-features@1")
        String datasetUri;

        @Option(names = "--code-version", description = "Version of the training code, e.g. a git commit")
        String codeVersion;

        @Option(names = "--description", defaultValue = "", description = "Free text about the version (and a new model)")
        String description;

        @Option(names = "--gate", description = "Gate threshold for a new model, such as 'auc >= 0.75'; repeatable")
        List<String> gate = new ArrayList<>();

        @Override
        public Integer call() throws IOException {
            byte[] artifact = Artifacts.read(file, format);
            JsonNode schema = features == null ? null : Artifacts.featureSchema(features);
            KeelClient api = client.client();
            boolean created = false;
            try {
                api.get("/v1/models/" + KeelClient.encode(name));
            } catch (KeelClient.ApiException e) {
                if (e.status() != 404) {
                    throw e;
                }
                api.post("/v1/models", Map.of("name", name, "project", project, "description", description,
                        "gate", Map.of("thresholds", gate, "aliases", List.of())));
                created = true;
            }
            Map<String, Object> metadata = new LinkedHashMap<>();
            metadata.put("format", format);
            metadata.put("metrics", metrics);
            metadata.put("tags", tags);
            metadata.put("description", description);
            if (schema != null) {
                metadata.put("features", schema);
            }
            Map<String, Object> lineage = new LinkedHashMap<>();
            Optional.ofNullable(datasetSha256).ifPresent(value -> lineage.put("datasetSha256", value));
            Optional.ofNullable(datasetUri).ifPresent(value -> lineage.put("datasetUri", value));
            Optional.ofNullable(codeVersion).ifPresent(value -> lineage.put("codeVersion", value));
            lineage.put("parameters", parameters);
            metadata.put("lineage", lineage);
            JsonNode version;
            try {
                version = api.upload("/v1/models/" + KeelClient.encode(name) + "/versions", artifact, metadata);
            } catch (KeelClient.ApiException e) {
                if (created) {
                    // The model was made for this version alone: take it back so that a refused upload leaves nothing behind.
                    api.delete("/v1/models/" + KeelClient.encode(name));
                }
                throw e;
            }
            client.print(version, () -> {
                System.out.println("registered " + name + " version " + version.path("version").asInt() + " (sha256 "
                        + version.path("artifact").path("sha256").asText() + ")");
            });
            return 0;
        }
    }

    @Command(name = "list", description = "List models")
    static final class ListModels implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Option(names = "--project", description = "Only models of this project")
        String project;

        @Override
        public Integer call() {
            JsonNode answer = client.client().get("/v1/models" + KeelClient.query(Map.of("project", Optional.ofNullable(project))));
            client.print(answer, () -> {
                Output.table(System.out, answer.path("models"), List.of(Output.Column.field("NAME", "name"), Output.Column.field("PROJECT", "project"),
                        Output.Column.field("LATEST", "latestVersion"), Output.Column.field("ALIASES", "aliases"),
                        new Output.Column("GATE", node -> String.join(", ", gate(node.path("gate"))))));
            });
            return 0;
        }
    }

    static List<String> gate(JsonNode gate) {
        List<String> thresholds = new ArrayList<>();
        for (JsonNode threshold : gate.path("thresholds")) {
            thresholds.add(threshold.path("metric").asText() + " " + threshold.path("operator").asText() + " " + threshold.path("value").asText());
        }
        return thresholds;
    }

    @Command(name = "show", description = "Show a model, or one version (number, alias or 'latest')")
    static final class Show implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", description = "Model name")
        String name;

        @Parameters(index = "1", arity = "0..1", description = "Version number, alias or 'latest'")
        String version;

        @Override
        public Integer call() {
            KeelClient api = client.client();
            if (version != null) {
                Output.json(System.out, api.get("/v1/models/" + KeelClient.encode(name) + "/versions/" + KeelClient.encode(version)));
                return 0;
            }
            JsonNode model = api.get("/v1/models/" + KeelClient.encode(name));
            if (client.json()) {
                Output.json(System.out, model);
                return 0;
            }
            System.out.println("model " + model.path("name").asText() + " (project " + model.path("project").asText() + ")");
            System.out.println("  gate:    " + String.join(", ", gate(model.path("gate"))));
            System.out.println("  aliases: " + model.path("aliases"));
            JsonNode versions = api.get("/v1/models/" + KeelClient.encode(name) + "/versions").path("versions");
            Output.table(System.out, versions, List.of(Output.Column.field("VERSION", "version"), Output.Column.field("CLAIMED METRICS", "metrics"),
                    new Output.Column("VERIFIED BY KEEL", node -> node.has("verifiedMetrics") ? node.path("verifiedMetrics").toString()
                            + (node.path("gatePassed").asBoolean() ? "" : " (gate failed)") : "-"),
                    new Output.Column("SHA256", node -> node.path("artifact").path("sha256").asText().substring(0, 12)),
                    Output.Column.field("CREATED", "createdAt"), Output.Column.field("BY", "createdBy")));
            return 0;
        }
    }

    @Command(name = "promote", description = "Point an alias at a version (the promotion gate must pass)")
    static final class Promote implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", description = "Model name")
        String name;

        @Parameters(index = "1", description = "Alias, e.g. champion")
        String alias;

        @Parameters(index = "2", description = "Version number")
        int version;

        @Option(names = "--reason", defaultValue = "", description = "Why, for the alias history")
        String reason;

        @Override
        public Integer call() {
            JsonNode event = client.client().post("/v1/models/" + KeelClient.encode(name) + "/aliases/" + KeelClient.encode(alias),
                    Map.of("version", version, "reason", reason));
            System.out.println(name + "@" + alias + ": " + Output.text(event.path("fromVersion")) + " -> " + Output.text(event.path("toVersion"))
                    + " (" + event.path("action").asText() + ")");
            return 0;
        }
    }

    @Command(name = "rollback", description = "Move an alias back to its previous holder")
    static final class Rollback implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", description = "Model name")
        String name;

        @Parameters(index = "1", description = "Alias, e.g. champion")
        String alias;

        @Option(names = "--reason", required = true, description = "Why, for the alias history")
        String reason;

        @Override
        public Integer call() {
            JsonNode event = client.client().post("/v1/models/" + KeelClient.encode(name) + "/aliases/" + KeelClient.encode(alias) + "/rollback",
                    Map.of("reason", reason));
            System.out.println(name + "@" + alias + " rolled back: " + Output.text(event.path("fromVersion")) + " -> "
                    + Output.text(event.path("toVersion")));
            return 0;
        }
    }

    @Command(name = "lineage", description = "Where a version came from: training run, trigger, dataset snapshot, pipeline run, sources")
    static final class LineageCommand implements Callable<Integer> {
        @Mixin
        ClientOptions client;
        @Parameters(index = "0", description = "Model name")
        String name;
        @Parameters(index = "1", description = "Version number")
        int version;

        @Override
        public Integer call() {
            JsonNode chain = client.client().get("/v1/models/" + KeelClient.encode(name) + "/versions/" + version + "/lineage");
            client.print(chain, () -> printLineage(chain));
            return 0;
        }
    }

    /** The lineage chain, one link a line, newest first. */
    static void printLineage(JsonNode chain) {
        JsonNode version = chain.path("version");
        System.out.println(version.path("model").asText() + ":" + version.path("version").asInt() + "  created " + version.path("createdAt").asText()
                + " by " + version.path("createdBy").asText());
        System.out.println("  claimed metrics:  " + version.path("claimedMetrics"));
        if (version.has("verifiedMetrics")) {
            System.out.println("  verified by Keel: " + version.path("verifiedMetrics") + (version.has("comparedWithVersion") ? " against version "
                    + version.path("comparedWithVersion").asInt() + " " + version.path("championMetrics") : "") + ", gate "
                    + (version.path("gatePassed").asBoolean() ? "passed" : "failed"));
        }
        JsonNode run = chain.path("trainingRun");
        if (!run.isMissingNode()) {
            System.out.println("  <- training run " + run.path("id").asText() + " (" + run.path("status").asText() + ", trainer "
                    + run.path("trainer").asText() + ")");
            System.out.println("     triggered by " + run.path("trigger").asText() + (run.path("triggerRef").asText().isEmpty() ? "" : " "
                    + run.path("triggerRef").asText()) + " (" + run.path("actor").asText() + ")");
        }
        JsonNode dataset = chain.path("dataset");
        if (!dataset.isMissingNode()) {
            System.out.println("  <- dataset " + dataset.path("name").asText(dataset.path("uri").asText()) + (dataset.has("version") ? "@"
                    + dataset.path("version").asInt() : "") + " sha256 " + dataset.path("sha256").asText() + (dataset.has("rows") ? ", "
                    + dataset.path("rows").asLong() + " rows" : ""));
        }
        JsonNode pipeline = chain.path("pipelineRun");
        if (!pipeline.isMissingNode()) {
            System.out.println("  <- pipeline " + pipeline.path("pipeline").asText() + " run " + pipeline.path("run").asText() + " ("
                    + pipeline.path("status").asText() + ", " + pipeline.path("startedAt").asText() + ")");
            pipeline.path("sources").fields().forEachRemaining(source -> System.out.println("  <- source " + source.getKey() + " fingerprint "
                    + source.getValue().asText()));
        }
        if (run.isMissingNode() && dataset.isMissingNode()) {
            System.out.println("  (uploaded by hand: no training run or dataset is recorded)");
        }
    }

    @Command(name = "history", description = "Alias history: who moved which alias, when, from, to, why")
    static final class History implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", description = "Model name")
        String name;

        @Option(names = "--alias", description = "Only moves of this alias")
        String alias;

        @Override
        public Integer call() {
            JsonNode answer = client.client().get("/v1/models/" + KeelClient.encode(name) + "/history"
                    + KeelClient.query(Map.of("alias", Optional.ofNullable(alias))));
            client.print(answer, () -> {
                Output.table(System.out, answer.path("events"), List.of(Output.Column.field("SEQ", "seq"), Output.Column.field("AT", "at"),
                        Output.Column.field("ALIAS", "alias"), Output.Column.field("ACTION", "action"), Output.Column.field("FROM", "fromVersion"),
                        Output.Column.field("TO", "toVersion"), Output.Column.field("BY", "actor"), Output.Column.field("REASON", "reason")));
            });
            return 0;
        }
    }

    @Command(name = "predictions", description = "The model's latest logged predictions, newest first; sensitive features are masked"
            + " unless the token holds SENSITIVE_READ (the steward role)")
    static final class Predictions implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", description = "Model name")
        String name;

        @Option(names = "--limit", description = "How many, at most 10000 (default 20)", defaultValue = "20")
        int limit;

        @Override
        public Integer call() {
            JsonNode answer = client.client().get("/v1/models/" + KeelClient.encode(name) + "/predictions?limit=" + limit);
            client.print(answer, () -> Output.table(System.out, answer.path("predictions"), List.of(Output.Column.field("TIME", "time"),
                    Output.Column.field("REQUEST", "requestId"), Output.Column.field("ENDPOINT", "endpoint"), Output.Column.field("VERSION", "version"),
                    new Output.Column("INPUTS", row -> row.path("inputs").toString()), new Output.Column("OUTPUTS", row -> row.path("outputs")
                            .toString()))));
            return 0;
        }
    }
}
