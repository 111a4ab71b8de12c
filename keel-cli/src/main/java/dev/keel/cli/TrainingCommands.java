package dev.keel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code keel train apply|run|list|show|cancel|log}. */
@Command(name = "train", description = "Retraining: training specs and runs", subcommands = {TrainingCommands.Apply.class, TrainingCommands.Run.class,
    TrainingCommands.ListRuns.class, TrainingCommands.Show.class, TrainingCommands.Cancel.class, TrainingCommands.Log.class})
final class TrainingCommands {
    private TrainingCommands() {
    }

    @Command(name = "apply", description = "Apply a model's training spec (YAML or JSON)")
    static final class Apply implements Callable<Integer> {
        @Mixin
        ClientOptions client;
        @Option(names = {"-f", "--file"}, required = true, description = "The spec file")
        Path file;

        @Override
        public Integer call() throws IOException {
            String text = Files.readString(file);
            String type = text.stripLeading().startsWith("{") ? "application/json" : "application/yaml";
            JsonNode answer = client.client().putText("/v1/training/specs", text, type);
            client.print(answer, () -> System.out.println("training spec of model " + answer.path("model").asText() + " version "
                    + answer.path("version").asInt() + ": trainer " + answer.path("trainer").asText() + " on dataset " + answer.path("dataset").asText()
                    + ", promotion " + answer.path("promotion").asText()));
            return 0;
        }
    }

    @Command(name = "run", description = "Start retraining a model (joins the run in flight when there is one)")
    static final class Run implements Callable<Integer> {
        @Mixin
        ClientOptions client;
        @Parameters(index = "0", description = "Model name")
        String model;
        @Option(names = "--wait", description = "Wait for the run to end and show it")
        boolean await;

        @Override
        public Integer call() throws InterruptedException {
            KeelClient api = client.client();
            JsonNode started = api.post("/v1/training/runs", Map.of("model", model));
            String id = started.path("id").asText();
            if (!await) {
                client.print(started, () -> System.out.println((started.path("created").asBoolean() ? "started" : "joined the run in flight:")
                        + " training run " + id + " (" + started.path("status").asText() + ")"));
                return 0;
            }
            JsonNode run = started;
            while (List.of("QUEUED", "RUNNING").contains(run.path("status").asText())) {
                Thread.sleep(250);
                run = api.get("/v1/training/runs/" + KeelClient.encode(id));
            }
            JsonNode ended = run;
            client.print(ended, () -> describe(ended));
            return ended.path("status").asText().equals("SUCCEEDED") ? 0 : 1;
        }
    }

    @Command(name = "list", description = "List the training runs of a model, newest first")
    static final class ListRuns implements Callable<Integer> {
        @Mixin
        ClientOptions client;
        @Parameters(index = "0", description = "Model name")
        String model;
        @Option(names = "--limit", defaultValue = "20", description = "How many (default 20)")
        int limit;

        @Override
        public Integer call() {
            JsonNode answer = client.client().get("/v1/training/runs" + KeelClient.query(Map.of("model", Optional.of(model), "limit",
                    Optional.of(Integer.toString(limit)))));
            client.print(answer, () -> Output.table(System.out, answer.path("runs"), List.of(Output.Column.field("ID", "id"),
                    Output.Column.field("STATUS", "status"), Output.Column.field("CODE", "code"), Output.Column.field("TRIGGER", "trigger"),
                    Output.Column.field("VERSION", "modelVersion"), Output.Column.field("CREATED", "createdAt"),
                    Output.Column.field("MS", "durationMillis"))));
            return 0;
        }
    }

    @Command(name = "show", description = "Show a training run: data, claimed and verified metrics, the gate's checks, the promotion")
    static final class Show implements Callable<Integer> {
        @Mixin
        ClientOptions client;
        @Parameters(index = "0", description = "Run id")
        String id;

        @Override
        public Integer call() {
            JsonNode run = client.client().get("/v1/training/runs/" + KeelClient.encode(id));
            client.print(run, () -> describe(run));
            return 0;
        }
    }

    @Command(name = "cancel", description = "Cancel a queued or running training run")
    static final class Cancel implements Callable<Integer> {
        @Mixin
        ClientOptions client;
        @Parameters(index = "0", description = "Run id")
        String id;

        @Override
        public Integer call() {
            JsonNode run = client.client().post("/v1/training/runs/" + KeelClient.encode(id) + "/cancel", Map.of());
            client.print(run, () -> System.out.println("training run " + id + ": " + run.path("status").asText()));
            return 0;
        }
    }

    @Command(name = "log", description = "Print a training run's log (live while it runs)")
    static final class Log implements Callable<Integer> {
        @Mixin
        ClientOptions client;
        @Parameters(index = "0", description = "Run id")
        String id;

        @Override
        public Integer call() {
            System.out.print(client.client().getText("/v1/training/runs/" + KeelClient.encode(id) + "/log"));
            return 0;
        }
    }

    /** A run in a few lines: outcome, data, the metrics apart (claimed by the trainer, verified by Keel), the gate's checks. */
    static void describe(JsonNode run) {
        JsonNode detail = run.path("detail");
        System.out.println("training run " + run.path("id").asText() + " of model " + run.path("model").asText() + ": " + run.path("status").asText()
                + (run.has("code") ? " (" + run.path("code").asText() + ")" : "") + (run.has("modelVersion") ? ", version "
                + run.path("modelVersion").asInt() : ""));
        if (run.has("message")) {
            System.out.println("  " + run.path("message").asText());
        }
        System.out.println("  trigger:  " + run.path("trigger").asText() + (run.path("triggerRef").asText().isEmpty() ? "" : " "
                + run.path("triggerRef").asText()) + " by " + run.path("actor").asText());
        JsonNode dataset = detail.path("dataset");
        if (!dataset.isMissingNode()) {
            System.out.println("  data:     " + dataset.path("name").asText() + "@" + dataset.path("version").asInt() + ", "
                    + dataset.path("train_rows").asInt() + " rows trained on, " + dataset.path("holdout_rows").asInt() + " held out");
        }
        if (detail.has("claimed_metrics")) {
            System.out.println("  claimed:  " + detail.path("claimed_metrics") + "   (by the trainer, not trusted)");
        }
        if (detail.has("verified_metrics")) {
            System.out.println("  verified: " + detail.path("verified_metrics") + "   (scored by Keel on the holdout)");
        }
        if (detail.has("champion")) {
            System.out.println("  champion: version " + detail.path("champion").path("version").asInt() + " " + detail.path("champion").path("metrics"));
        }
        for (JsonNode check : detail.path("verdict").path("checks")) {
            System.out.println("  " + String.format("%-7s", check.path("status").asText()) + " " + check.path("sentence").asText());
        }
        JsonNode promotion = detail.path("promotion");
        if (!promotion.isMissingNode()) {
            System.out.println("  promotion: " + promotion.path("state").asText() + (promotion.has("rollout") ? " (rollout "
                    + promotion.path("rollout").asText() + ")" : "") + (promotion.has("approval") ? " (approval " + promotion.path("approval").asText()
                    + ")" : "") + (promotion.has("reason") ? ": " + promotion.path("reason").asText() : ""));
        }
    }
}
