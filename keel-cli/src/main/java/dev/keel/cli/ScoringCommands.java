package dev.keel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code keel score apply|jobs|run|list|show|cancel|resume}. */
@Command(name = "score", description = "Batch scoring: scoring jobs and their runs", subcommands = {ScoringCommands.Apply.class,
    ScoringCommands.Jobs.class, ScoringCommands.Run.class, ScoringCommands.ListRuns.class, ScoringCommands.Show.class,
    ScoringCommands.Cancel.class, ScoringCommands.Resume.class})
final class ScoringCommands {
    private ScoringCommands() {
    }

    @Command(name = "apply", description = "Apply a scoring job's spec (YAML or JSON); an unchanged spec changes nothing")
    static final class Apply implements Callable<Integer> {
        @Mixin
        ClientOptions client;
        @Parameters(index = "0", description = "The spec file")
        Path file;

        @Override
        public Integer call() throws IOException {
            String text = Files.readString(file);
            String type = text.stripLeading().startsWith("{") ? "application/json" : "application/yaml";
            JsonNode answer = client.client().postText("/v1/scoring/jobs", text, type);
            client.print(answer, () -> System.out.println("scoring job " + answer.path("name").asText() + " version " + answer.path("version").asInt()
                    + (answer.path("changed").asBoolean() ? "" : " (unchanged)") + ": " + answer.path("model").asText() + " on "
                    + answer.path("input").asText() + " into " + answer.path("destination").asText()));
            return 0;
        }
    }

    @Command(name = "jobs", description = "List the scoring jobs of a project")
    static final class Jobs implements Callable<Integer> {
        @Mixin
        ClientOptions client;
        @Option(names = "--project", defaultValue = "default", description = "Project (default: default)")
        String project;

        @Override
        public Integer call() {
            JsonNode answer = client.client().get("/v1/scoring/jobs" + KeelClient.query(Map.of("project", Optional.of(project))));
            client.print(answer, () -> Output.table(System.out, answer.path("jobs"), List.of(Output.Column.field("NAME", "name"),
                    Output.Column.field("VERSION", "version"), Output.Column.field("MODEL", "model"), Output.Column.field("INPUT", "input"),
                    Output.Column.field("DESTINATION", "destination"), Output.Column.field("SCHEDULE", "schedule"),
                    Output.Column.field("AFTER", "after"), Output.Column.field("RETRIES", "retries"))));
            return 0;
        }
    }

    @Command(name = "run", description = "Start a run of a scoring job; with --wait, follow its progress on stderr until it ends")
    static final class Run implements Callable<Integer> {
        @Mixin
        ClientOptions client;
        @Parameters(index = "0", description = "Job name")
        String job;
        @Option(names = "--run-id", description = "The run's id, so that starting again after a lost answer starts nothing twice")
        String runId;
        @Option(names = "--wait", description = "Wait for the run to end, showing rows done of the total, rows/s and the time left")
        boolean await;
        @Option(names = "--progress-seconds", defaultValue = "5", hidden = true, description = "Seconds between progress lines when stderr"
                + " is not a terminal")
        int progressSeconds;

        @Override
        public Integer call() throws InterruptedException {
            KeelClient api = client.client();
            Map<String, Object> body = new LinkedHashMap<>();
            if (runId != null) {
                body.put("runId", runId);
            }
            JsonNode started = api.post("/v1/scoring/jobs/" + KeelClient.encode(job) + "/runs", body);
            if (!await) {
                client.print(started, () -> System.out.println("started scoring run " + started.path("id").asText() + " of job " + job + " ("
                        + started.path("status").asText() + ")"));
                return 0;
            }
            JsonNode ended = follow(api, started.path("id").asText(), System.err, terminal(), Duration.ofSeconds(Math.max(0, progressSeconds)));
            client.print(ended, () -> describe(ended));
            return ended.path("status").asText().equals("SUCCEEDED") ? 0 : 1;
        }
    }

    @Command(name = "list", description = "List scoring runs, newest first: of a job, or of a project")
    static final class ListRuns implements Callable<Integer> {
        @Mixin
        ClientOptions client;
        @Parameters(index = "0", arity = "0..1", description = "Job name (default: every job of the project)")
        String job;
        @Option(names = "--project", defaultValue = "default", description = "Project, when no job is named (default: default)")
        String project;
        @Option(names = "--limit", defaultValue = "20", description = "How many (default 20)")
        int limit;

        @Override
        public Integer call() {
            Map<String, Optional<String>> query = new LinkedHashMap<>();
            query.put(job == null ? "project" : "job", Optional.of(job == null ? project : job));
            query.put("limit", Optional.of(Integer.toString(limit)));
            JsonNode answer = client.client().get("/v1/scoring/runs" + KeelClient.query(query));
            client.print(answer, () -> Output.table(System.out, answer.path("runs"), List.of(Output.Column.field("ID", "id"),
                    Output.Column.field("JOB", "job"), Output.Column.field("STATUS", "status"),
                    new Output.Column("MODEL", run -> run.path("model").asText() + ":" + run.path("modelVersion").asInt()),
                    Output.Column.field("READ", "rowsRead"), Output.Column.field("WRITTEN", "rowsWritten"),
                    Output.Column.field("QUARANTINED", "rowsQuarantined"), Output.Column.field("CREATED", "createdAt"))));
            return 0;
        }
    }

    @Command(name = "show", description = "Show a scoring run: status, progress, model version, trigger and attempts")
    static final class Show implements Callable<Integer> {
        @Mixin
        ClientOptions client;
        @Parameters(index = "0", description = "Run id")
        String id;

        @Override
        public Integer call() {
            JsonNode run = client.client().get("/v1/scoring/runs/" + KeelClient.encode(id));
            client.print(run, () -> describe(run));
            return 0;
        }
    }

    @Command(name = "cancel", description = "Ask a scoring run to stop after its chunk; it can be resumed")
    static final class Cancel implements Callable<Integer> {
        @Mixin
        ClientOptions client;
        @Parameters(index = "0", description = "Run id")
        String id;

        @Override
        public Integer call() {
            JsonNode run = client.client().post("/v1/scoring/runs/" + KeelClient.encode(id) + "/cancel", Map.of());
            client.print(run, () -> System.out.println("scoring run " + id + ": " + run.path("status").asText()
                    + (run.path("cancelRequested").asBoolean() && run.path("status").asText().equals("RUNNING") ? " (stops after its chunk)" : "")));
            return 0;
        }
    }

    @Command(name = "resume", description = "Execute a failed or cancelled scoring run again from its last checkpoint")
    static final class Resume implements Callable<Integer> {
        @Mixin
        ClientOptions client;
        @Parameters(index = "0", description = "Run id")
        String id;
        @Option(names = "--wait", description = "Wait for the run to end, showing its progress on stderr")
        boolean await;

        @Override
        public Integer call() throws InterruptedException {
            KeelClient api = client.client();
            JsonNode run = api.post("/v1/scoring/runs/" + KeelClient.encode(id) + "/resume", Map.of());
            if (!await) {
                client.print(run, () -> System.out.println("scoring run " + id + ": " + run.path("status").asText()));
                return 0;
            }
            JsonNode ended = follow(api, id, System.err, terminal(), Duration.ofSeconds(5));
            client.print(ended, () -> describe(ended));
            return ended.path("status").asText().equals("SUCCEEDED") ? 0 : 1;
        }
    }

    /**
     * Polls a run until it has ended, drawing its progress on {@code err}: redrawn in place on a terminal, a line every {@code every}
     * otherwise (and one at the end).
     */
    static JsonNode follow(KeelClient api, String id, PrintStream err, boolean terminal, Duration every) throws InterruptedException {
        long lastLine = 0;
        JsonNode run = api.get("/v1/scoring/runs/" + KeelClient.encode(id));
        while (true) {
            boolean ended = !run.path("inProgress").asBoolean();
            if (terminal) {
                err.print("\r" + progress(run) + "\u001b[K");
                if (ended) {
                    err.println();
                }
            } else if (ended || System.nanoTime() - lastLine >= every.toNanos()) {
                err.println(progress(run));
                lastLine = System.nanoTime();
            }
            err.flush();
            if (ended) {
                return run;
            }
            Thread.sleep(250);
            run = api.get("/v1/scoring/runs/" + KeelClient.encode(id));
        }
    }

    /** One line: a bar when the total is known, rows done of the total, the rate and the time left. */
    static String progress(JsonNode run) {
        long read = run.path("rowsRead").asLong();
        StringBuilder line = new StringBuilder();
        if (run.has("rowsTotal") && run.path("rowsTotal").asLong() > 0) {
            long total = run.path("rowsTotal").asLong();
            int width = 24;
            int filled = (int) Math.min(width, read * width / total);
            line.append('[').append("#".repeat(filled)).append("-".repeat(width - filled)).append("] ");
            line.append(String.format(Locale.ROOT, "%,d/%,d rows %3d%%", read, total, read * 100 / total));
        } else {
            line.append(String.format(Locale.ROOT, "%,d rows", read));
        }
        if (run.has("rowsPerSecond")) {
            line.append(String.format(Locale.ROOT, "  %,.0f rows/s", run.path("rowsPerSecond").asDouble()));
        }
        if (run.has("etaSeconds")) {
            line.append("  ETA ").append(duration(run.path("etaSeconds").asLong()));
        }
        if (run.path("rowsQuarantined").asLong() > 0) {
            line.append(String.format(Locale.ROOT, "  %,d quarantined", run.path("rowsQuarantined").asLong()));
        }
        line.append("  ").append(run.path("retryPending").asBoolean() ? "FAILED, retrying" : run.path("status").asText());
        return line.toString();
    }

    private static String duration(long seconds) {
        if (seconds >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds % 3600 / 60);
        }
        return seconds >= 60 ? String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60) : seconds + "s";
    }

    /** A run in a few lines. */
    static void describe(JsonNode run) {
        System.out.println("scoring run " + run.path("id").asText() + " of job " + run.path("job").asText() + ": " + run.path("status").asText()
                + ", model " + run.path("model").asText() + ":" + run.path("modelVersion").asInt());
        if (run.has("message")) {
            System.out.println("  " + run.path("message").asText());
        }
        System.out.println("  input:    " + run.path("input").asText() + (run.has("datasetVersion") ? " version " + run.path("datasetVersion").asInt()
                : ""));
        System.out.println("  rows:     " + run.path("rowsRead").asLong() + " read" + (run.has("rowsTotal") ? " of " + run.path("rowsTotal").asLong()
                : "") + ", " + run.path("rowsWritten").asLong() + " written, " + run.path("rowsQuarantined").asLong() + " quarantined, in "
                + run.path("chunks").asInt() + " chunks");
        if (run.has("rowsPerSecond")) {
            System.out.println("  rate:     " + String.format(Locale.ROOT, "%,.0f rows/s", run.path("rowsPerSecond").asDouble())
                    + (run.has("etaSeconds") ? ", " + duration(run.path("etaSeconds").asLong()) + " left" : ""));
        }
        JsonNode watermark = run.path("watermark");
        if (!watermark.isMissingNode()) {
            System.out.println("  watermark: " + watermark.path("column").asText() + " in (" + (watermark.has("above") ? watermark.path("above").asText()
                    : "-") + ", " + watermark.path("upTo").asText() + "]");
        }
        if (run.has("trigger")) {
            System.out.println("  trigger:  " + run.path("trigger").asText() + (run.has("triggerRef") ? " " + run.path("triggerRef").asText() : "")
                    + " by " + run.path("actor").asText() + ", attempt " + run.path("attempts").asInt());
        }
        System.out.println("  created:  " + run.path("createdAt").asText() + (run.has("finishedAt") ? ", finished " + run.path("finishedAt").asText()
                : ""));
    }

    /** Whether stderr is likely a terminal: a console exists and (on JDK 22 and later, which can tell) it is a terminal. */
    private static boolean terminal() {
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
