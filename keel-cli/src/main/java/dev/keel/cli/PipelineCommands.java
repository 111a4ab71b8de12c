package dev.keel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.data.PipelineSpecParser;
import dev.keel.core.data.SpecError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code keel pipeline validate|register|run|run-show|list|history|schedule}. */
@Command(name = "pipeline", description = "Declarative data pipelines: validate, register, run, run-show, list, history, schedule",
        subcommands = {PipelineCommands.Validate.class, PipelineCommands.Register.class, PipelineCommands.Run.class,
            PipelineCommands.RunShow.class, PipelineCommands.ListPipelines.class, PipelineCommands.History.class, PipelineCommands.Schedule.class})
final class PipelineCommands {
    private PipelineCommands() {
    }

    @Command(name = "validate", description = "Check a spec; prints every error with its path in the file (exit 1 when invalid)")
    static final class Validate implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", description = "The spec file (YAML)")
        Path file;

        @Option(names = "--local", description = "Check here, without a server (installed engines are not checked)")
        boolean local;

        @Override
        public Integer call() throws IOException {
            String spec = Files.readString(file);
            List<SpecError> errors;
            if (local) {
                errors = new PipelineSpecParser().parse(spec).errors();
            } else {
                JsonNode answer = client.client().post("/v1/pipelines/validate", Map.of("spec", spec));
                errors = new java.util.ArrayList<>();
                for (JsonNode error : answer.path("errors")) {
                    errors.add(new SpecError(error.path("path").asText(), error.path("message").asText()));
                }
            }
            if (errors.isEmpty()) {
                System.out.println(file + ": valid");
                return 0;
            }
            errors.forEach(error -> System.out.println(file + ": " + error));
            return 1;
        }
    }

    @Command(name = "register", description = "Store a spec as its pipeline's next version (unchanged text keeps the version)")
    static final class Register implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", description = "The spec file (YAML)")
        Path file;

        @Override
        public Integer call() throws IOException {
            JsonNode version = client.client().post("/v1/pipelines", Map.of("spec", Files.readString(file)));
            client.print(version, () -> {
                System.out.println("pipeline " + version.path("pipeline").asText() + " version " + version.path("version").asInt()
                        + " in project " + version.path("project").asText());
            });
            return 0;
        }
    }

    @Command(name = "run", description = "Start a run of a pipeline; with --wait, follow it to its end and print its status and row"
            + " accounting (exit 1 when it failed)")
    static final class Run implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", description = "Pipeline name, or a spec file to register first")
        String target;

        @Option(names = "--wait", description = "Follow the run until it ends; exit 1 unless it succeeded")
        boolean follow;

        @Override
        public Integer call() throws IOException {
            Path file = Path.of(target);
            String name = Files.isRegularFile(file)
                    ? client.client().post("/v1/pipelines", Map.of("spec", Files.readString(file))).path("pipeline").asText() : target;
            JsonNode run = client.client().post("/v1/pipelines/" + KeelClient.encode(name) + "/runs?trigger=cli", Map.of());
            if (!follow) {
                client.print(run, () -> {
                    System.out.println("run " + run.path("id").asText() + " " + run.path("status").asText() + "; follow it with"
                            + " `keel pipeline history " + name + "` or GET /v1/pipeline-runs/" + run.path("id").asText());
                });
                return 0;
            }
            JsonNode ended = await(client.client(), run, client.json() ? line -> { } : System.out::println);
            client.print(ended, () -> printRun(ended, System.out));
            return ended.path("status").asText().equals("SUCCEEDED") ? 0 : 1;
        }
    }

    @Command(name = "run-show", description = "One run: its status, row accounting, datasets and, per linkage step, blocking counts,"
            + " model and evaluation")
    static final class RunShow implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", description = "Run id")
        String id;

        @Override
        public Integer call() {
            JsonNode run = client.client().get("/v1/pipeline-runs/" + KeelClient.encode(id));
            client.print(run, () -> printRun(run, System.out));
            return 0;
        }
    }

    /** A run's status, books, datasets, linkage reports and error. */
    static void printRun(JsonNode run, java.io.PrintStream out) {
        JsonNode books = run.path("accounting");
        out.println("run " + run.path("id").asText() + " " + run.path("status").asText() + ": "
                + books.path("rowsIn") + " in, " + books.path("rowsOut") + " out, " + books.path("quarantined")
                + " quarantined, " + books.path("merged") + " merged, " + books.path("filtered") + " filtered");
        run.path("datasets").forEach(dataset -> out.println("  published " + dataset.asText()));
        run.path("unchanged").forEach(dataset -> out.println("  unchanged " + dataset.asText()
                + " (same content as the latest version)"));
        run.path("linkage").forEach(report -> printLinkage(report, out));
        if (run.hasNonNull("error")) {
            out.println("  error: " + run.path("error").asText());
        }
    }

    /** One linkage step's report: counts per blocking rule, pairs, links, clusters, the model and the evaluation. */
    static void printLinkage(JsonNode report, java.io.PrintStream out) {
        out.println("  linkage " + report.path("step").asText() + ": " + report.path("records").asLong() + " records, "
                + report.path("candidatePairs").asLong() + " candidate pairs, " + report.path("links").asLong() + " links, "
                + report.path("clusters").asLong() + " clusters");
        report.path("rules").forEach(rule -> out.println("    rule " + rule.path("rule").asText() + ": " + rule.path("generated").asLong()
                + " generated, " + rule.path("compared").asLong() + " compared"));
        JsonNode model = report.path("model");
        String training = model.path("training").asText().equals("em")
                ? "EM " + model.path("iterations").asInt() + " iterations" + (model.path("converged").asBoolean() ? " (converged)"
                : " (not converged)") : "m from " + model.path("training").asText();
        out.println("    model: λ " + significant(model.path("lambda")) + ", " + training + ", u from "
                + model.path("uPairs").asLong() + " random pairs");
        JsonNode evaluation = report.path("evaluation");
        if (evaluation.isObject()) {
            out.println("    evaluation (" + evaluation.path("against").asText() + "): pairwise P " + number(evaluation.path("pairwisePrecision"))
                    + " R " + number(evaluation.path("pairwiseRecall")) + " F1 " + number(evaluation.path("pairwiseF1")) + "; B-cubed P "
                    + number(evaluation.path("bcubedPrecision")) + " R " + number(evaluation.path("bcubedRecall")) + " F1 "
                    + number(evaluation.path("bcubedF1")) + " (" + evaluation.path("truePairs").asLong() + " true pairs, "
                    + evaluation.path("predictedPairs").asLong() + " predicted)");
            JsonNode curve = evaluation.path("curve");
            if (!curve.isEmpty()) {
                out.println("    precision/recall over the labelled pairs (pairs with p >= threshold counted as matches):");
                int step = Math.max(1, (curve.size() + CURVE_POINTS - 1) / CURVE_POINTS);
                for (int index = 0; index < curve.size(); index += step) {
                    printPoint(curve.get(index), out);
                }
                if ((curve.size() - 1) % step != 0) {
                    printPoint(curve.get(curve.size() - 1), out);
                }
            }
        }
    }

    /** Points of a precision/recall curve printed, spread over its thresholds. */
    static final int CURVE_POINTS = 10;

    private static void printPoint(JsonNode point, java.io.PrintStream out) {
        out.println("      threshold " + significant(point.path("threshold")) + ": precision " + number(point.path("precision"))
                + ", recall " + number(point.path("recall")));
    }

    /** A share with three decimals. */
    private static String number(JsonNode value) {
        double number = decimal(value);
        return Double.isFinite(number) ? String.format(java.util.Locale.ROOT, "%.3f", number) : String.valueOf(number);
    }

    /** A number to four significant digits, without trailing zeros. */
    private static String significant(JsonNode value) {
        double number = decimal(value);
        return Double.isFinite(number) ? new java.math.BigDecimal(number).round(new java.math.MathContext(4)).stripTrailingZeros()
                .toPlainString() : String.valueOf(number);
    }

    /** A number as stored; non-finite values arrive as the strings NaN, Infinity and -Infinity. */
    private static double decimal(JsonNode value) {
        if (value.isNumber()) {
            return value.asDouble();
        }
        try {
            return Double.parseDouble(value.asText("NaN"));
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** How often {@link #await} asks for the run. */
    static final java.time.Duration POLL = java.time.Duration.ofMillis(500);

    /**
     * Follows a run until it has ended, polling {@code GET /v1/pipeline-runs/{id}}; reports each change of status or attempt.
     *
     * @param run the answer of {@code POST /v1/pipelines/{pipeline}/runs}
     * @return the ended run
     */
    static JsonNode await(KeelClient api, JsonNode run, java.util.function.Consumer<String> progress) {
        String id = run.path("id").asText();
        String seen = "";
        JsonNode current = run;
        while (current.path("status").asText().equals("RUNNING")) {
            String state = "run " + id + " RUNNING, attempt " + Math.max(1, current.path("attempts").asInt());
            if (!state.equals(seen)) {
                progress.accept(state);
                seen = state;
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KeelClient.ApiException(0, "INTERRUPTED", "interrupted while following run " + id);
            }
            current = api.get("/v1/pipeline-runs/" + KeelClient.encode(id));
        }
        return current;
    }

    @Command(name = "list", description = "List pipelines (latest versions)")
    static final class ListPipelines implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Override
        public Integer call() {
            JsonNode answer = client.client().get("/v1/pipelines");
            client.print(answer, () -> {
                Output.table(System.out, answer.path("pipelines"), List.of(Output.Column.field("PIPELINE", "pipeline"),
                        Output.Column.field("PROJECT", "project"), Output.Column.field("VERSION", "version"), Output.Column.field("CREATED", "createdAt")));
            });
            return 0;
        }
    }

    @Command(name = "history", description = "A pipeline's latest runs with status, timings and row accounting")
    static final class History implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", description = "Pipeline name")
        String name;

        @Option(names = "--limit", defaultValue = "20", description = "How many runs (default 20)")
        int limit;

        @Override
        public Integer call() {
            JsonNode answer = client.client().get("/v1/pipelines/" + KeelClient.encode(name) + "/runs?limit=" + limit);
            client.print(answer, () -> {
                Output.table(System.out, answer.path("runs"), List.of(Output.Column.field("RUN", "id"),
                        Output.Column.field("STATUS", "status"), Output.Column.field("TRIGGER", "trigger"),
                        Output.Column.field("STARTED", "startedAt"), Output.Column.field("ATTEMPTS", "attempts"),
                        new Output.Column("IN", run -> Output.text(run.path("accounting").path("rowsIn"))),
                        new Output.Column("OUT", run -> Output.text(run.path("accounting").path("rowsOut"))),
                        new Output.Column("QUARANTINED", run -> Output.text(run.path("accounting").path("quarantined"))),
                        new Output.Column("MERGED", run -> Output.text(run.path("accounting").path("merged"))),
                        Output.Column.field("ERROR", "error")));
            });
            return 0;
        }
    }

    @Command(name = "schedule", description = "A pipeline's cron schedule: show, pause, resume, delete",
            subcommands = {Schedule.Show.class, Schedule.Pause.class, Schedule.Resume.class, Schedule.Delete.class})
    static final class Schedule {
        private Schedule() {
        }

        /** Prints a schedule answer. */
        static int print(ClientOptions client, JsonNode schedule) {
            client.print(schedule, () -> {
                System.out.println("pipeline " + schedule.path("pipeline").asText() + " schedule " + schedule.path("cron") + ": "
                        + schedule.path("status").asText() + " since " + schedule.path("since").asText()
                        + (schedule.path("changedBy").asText().isEmpty() ? "" : " (by " + schedule.path("changedBy").asText() + ")"));
            });
            return 0;
        }

        @Command(name = "show", description = "The cron expressions and whether they fire (active, paused or deleted)")
        static final class Show implements Callable<Integer> {
            @Mixin
            ClientOptions client;

            @Parameters(index = "0", description = "Pipeline name")
            String name;

            @Override
            public Integer call() {
                return print(client, client.client().get("/v1/pipelines/" + KeelClient.encode(name) + "/schedule"));
            }
        }

        @Command(name = "pause", description = "Stop the schedule from firing until resumed")
        static final class Pause implements Callable<Integer> {
            @Mixin
            ClientOptions client;

            @Parameters(index = "0", description = "Pipeline name")
            String name;

            @Override
            public Integer call() {
                return print(client, client.client().post("/v1/pipelines/" + KeelClient.encode(name) + "/schedule/pause", Map.of()));
            }
        }

        @Command(name = "resume", description = "Let a paused schedule fire again from its next slot")
        static final class Resume implements Callable<Integer> {
            @Mixin
            ClientOptions client;

            @Parameters(index = "0", description = "Pipeline name")
            String name;

            @Override
            public Integer call() {
                return print(client, client.client().post("/v1/pipelines/" + KeelClient.encode(name) + "/schedule/resume", Map.of()));
            }
        }

        @Command(name = "delete", description = "Delete the schedule until a new spec version declares one")
        static final class Delete implements Callable<Integer> {
            @Mixin
            ClientOptions client;

            @Parameters(index = "0", description = "Pipeline name")
            String name;

            @Override
            public Integer call() {
                return print(client, client.client().delete("/v1/pipelines/" + KeelClient.encode(name) + "/schedule"));
            }
        }
    }
}
