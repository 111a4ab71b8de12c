package dev.keel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.data.PipelineService;
import dev.keel.spi.data.TableData;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The retraining part of the demo, on real data with a real shift: US flights of May 2001 train a delay model; June's flights
 * (16.4 % late in May, 21.1 % in June, Atlanta from 16.5 % to 32.4 %) arrive in the pipeline's inbox and through the endpoint;
 * their labels push the model's log loss over its predetermined limit; the breach becomes an incident whose policy sends the
 * model back to experimentation; Keel retrains on the fresh dataset, scores challenger and champion itself on the same
 * post-shift holdout, gates the challenger, rolls it out as a canary on live traffic, promotes it, alerts on-call and shows
 * the lineage.
 */
final class RetrainingDemo {
    static final String MODEL = "flight-delays";
    static final String ENDPOINT = "flights";
    static final String PIPELINE = "flights";
    static final String MONITOR = "flight-delays-log-loss";
    static final String POLICY = "flight-delays-back-to-lab";
    static final List<String> FEATURES = List.of("dep_hour", "distance", "day_of_week", "from_ord", "from_dfw", "from_atl", "from_lax", "from_phx",
            "from_stl", "from_dtw", "from_msp", "from_las", "from_den");
    /** The monitor's limit: the champion's own verified holdout log loss, plus this share. */
    static final double LIMIT_MARGIN = 0.10;
    private static final int TRAFFIC = 1_000;
    private static final int BATCH = 10;

    private final KeelClient api;
    private final String project;
    private final String channel;
    private final PrintStream out;
    private final Path inbox;
    private final PipelineService pipelines;
    private final List<String> received;
    private int step;

    private RetrainingDemo(KeelClient api, String project, String channel, PrintStream out, Path inbox, PipelineService pipelines,
                           List<String> received) {
        this.api = api;
        this.project = project;
        this.channel = channel;
        this.out = out;
        this.inbox = inbox;
        this.pipelines = pipelines;
        this.received = received;
    }

    /** Runs the steps; {@code inbox} is a pipelines' source root, {@code received} what the on-call receiver got so far. */
    static void run(KeelClient api, String project, String channel, PrintStream out, Path inbox, PipelineService pipelines,
                    List<String> received, String url, String token) {
        new RetrainingDemo(api, project, channel, out, inbox, pipelines, received).steps(url, token);
    }

    private void steps(String url, String token) {
        Path samples = locate().orElseThrow(() -> new IllegalStateException("cannot find examples/flights (run the demo from the repository)"));

        step("Real data with a real shift: US flights of May 2001 land in the pipeline's inbox (" + PIPELINE + ": the latest 30 days,"
                + " the model's 13 features and the label delayed = more than 15 minutes late)");
        copy(samples.resolve("flights-2001-05.parquet"));
        api.post("/v1/pipelines", Map.of("spec", pipeline()));
        JsonNode may = runPipeline();
        ok("dataset " + PIPELINE + " v" + may.path("version").asInt() + ": " + may.path("rows").asLong() + " flights of May, sha256 "
                + may.path("sha256").asText().substring(0, 16) + "...");

        step("Create model " + MODEL + " and apply its training spec: random forest, a seeded stratified holdout, a comparison gate against the"
                + " champion, automatic promotion through a canary rollout on endpoint " + ENDPOINT);
        api.post("/v1/models", Map.of("name", MODEL, "project", project, "description", "Will a flight be more than 15 minutes late?"));
        JsonNode spec = api.putText("/v1/training/specs", trainingSpec(), "application/yaml");
        ok("training spec v" + spec.path("version").asInt() + ": trainer " + spec.path("trainer").asText() + " on dataset " + spec.path("dataset").asText());

        step("keel train run " + MODEL + ": the first champion, trained on May and verified by Keel on May's holdout");
        JsonNode first = awaitRun(api.post("/v1/training/runs", Map.of("model", MODEL)).path("id").asText());
        TrainingCommands.describe(first);
        require(first.path("status").asText().equals("SUCCEEDED"), "the first training run ended " + first.path("status").asText() + ": "
                + first.path("message").asText());
        double championLogLoss = first.path("detail").path("verified_metrics").path("logloss").asDouble();
        double limit = Math.round(championLogLoss * (1 + LIMIT_MARGIN) * 1000) / 1000.0;

        step("Serve it as endpoint " + ENDPOINT + ", watch its log loss on labelled traffic (limit " + limit + " = its verified holdout log loss "
                + String.format(Locale.ROOT, "%.4f", championLogLoss) + " + 10 %), and a policy: a breach sends the model back to experimentation");
        api.post("/v1/endpoints", Map.of("name", ENDPOINT, "model", MODEL));
        Map<String, Object> monitor = new LinkedHashMap<>();
        monitor.put("name", MONITOR);
        monitor.put("model", MODEL);
        monitor.put("statistic", "log_loss");
        monitor.put("positive", "1");
        monitor.put("window", TRAFFIC + " predictions");
        monitor.put("limit", limit);
        api.post("/v1/monitors?replace=true", monitor);
        Map<String, Object> policy = new LinkedHashMap<>();
        policy.put("name", POLICY);
        policy.put("project", project);
        policy.put("description", "a breach of the delay model's limits: retrain it on the latest data and tell on-call");
        policy.put("when", Map.of("kind", "monitor.breached", "objects", Map.of("model", MODEL)));
        policy.put("actions", List.of(Map.of("retrain", Map.of()), Map.of("notify", Map.of("channel", channel))));
        api.put("/v1/policies", policy);
        ok("monitor " + MONITOR + " (log_loss <= " + limit + " over " + TRAFFIC + " predictions), policy " + POLICY + " (retrain, notify "
                + channel + ")");

        step("June arrives: the June file lands in the inbox and the pipeline runs again; the latest 30 days are now June");
        copy(samples.resolve("flights-2001-06.parquet"));
        JsonNode june = runPipeline();
        ok("dataset " + PIPELINE + " v" + june.path("version").asInt() + ": " + june.path("rows").asLong() + " flights of June");

        step("June's traffic: " + TRAFFIC + " flights spread over the month, scored by the champion; then their real outcomes arrive as labels"
                + " and the monitor evaluates");
        TableData all = pipelines.read(PIPELINE, june.path("version").asInt(), columns(), 100_000);
        List<Object[]> spread = new ArrayList<>();
        int every = Math.max(1, all.rows().size() / TRAFFIC);
        for (int i = 0; i < all.rows().size() && spread.size() < TRAFFIC; i += every) {
            spread.add(all.rows().get(i));
        }
        TableData rows = new TableData(all.columns(), all.types(), spread);
        List<String> ids = predict(rows);
        List<Map<String, Object>> labels = new ArrayList<>();
        int delayedAt = columns().indexOf("delayed");
        for (int i = 0; i < ids.size(); i++) {
            labels.add(Map.of("requestId", ids.get(i), "label", String.valueOf(((Number) rows.rows().get(i)[delayedAt]).intValue())));
        }
        api.post("/v1/labels", Map.of("labels", labels));
        Instant breachAt = Instant.now();
        JsonNode evaluated = api.post("/v1/monitors/" + MONITOR + "/evaluate", Map.of());
        ok("log loss on June " + MonitorCommands.number(evaluated.path("value")) + " over " + evaluated.path("sampleSize").asLong()
                + " labelled predictions: " + evaluated.path("state").asText());
        require(evaluated.path("state").asText().equals("breached"), "June's traffic should breach the limit: " + evaluated);

        step("The breach becomes an incident; policy " + POLICY + " retrains the model (one run, however many breaches) and notifies on-call");
        JsonNode run = await("the training run started by the policy", () -> {
            JsonNode runs = api.get("/v1/training/runs?model=" + MODEL).path("runs");
            for (JsonNode candidate : runs) {
                if (candidate.path("trigger").asText().equals("incident")) {
                    return candidate;
                }
            }
            return null;
        }, found -> true, Duration.ofSeconds(60));
        ok("training run " + run.path("id").asText() + " triggered by incident " + run.path("triggerRef").asText());
        JsonNode second = awaitRun(run.path("id").asText());

        step("Keel scored challenger and champion itself on the same post-shift holdout (June) and applied the gate");
        TrainingCommands.describe(second);
        require(second.path("status").asText().equals("SUCCEEDED"), "the challenger was not promoted: " + second.path("message").asText());
        JsonNode challengerMetrics = second.path("detail").path("verified_metrics");
        JsonNode championMetrics = second.path("detail").path("champion").path("metrics");
        ok(String.format(Locale.ROOT, "on June's holdout: log loss %.4f vs the champion's %.4f (%.1f %% lower), AUC %.4f vs %.4f",
                challengerMetrics.path("logloss").asDouble(), championMetrics.path("logloss").asDouble(),
                100 * (1 - challengerMetrics.path("logloss").asDouble() / championMetrics.path("logloss").asDouble()),
                challengerMetrics.path("auc").asDouble(), championMetrics.path("auc").asDouble()));

        String rollout = second.path("detail").path("promotion").path("rollout").asText();
        step("Progressive rollout " + rollout + ": version " + second.path("modelVersion").asInt() + " takes 25 % of " + ENDPOINT
                + "'s traffic while Keel watches its errors and latency");
        JsonNode done = await("the rollout to end", () -> {
            send(new TableData(rows.columns(), rows.types(), rows.rows().subList(0, Math.min(200, rows.rows().size()))));
            JsonNode state = api.get("/v1/rollouts/" + rollout);
            return state.path("status").asText().equals("RUNNING") ? null : state;
        }, state -> true, Duration.ofSeconds(120));
        ok("rollout " + done.path("status").asText().toLowerCase(Locale.ROOT) + ": " + done.path("reason").asText());
        require(done.path("status").asText().equals("PROMOTED"), "the rollout did not promote the challenger");
        JsonNode model = api.get("/v1/models/" + MODEL);
        Instant promotedAt = Instant.parse(done.path("finishedAt").asText());
        ok("champion is now version " + model.path("aliases").path("champion").asInt() + "; breach to promoted challenger took "
                + Duration.between(breachAt, promotedAt).toMillis() + " ms");

        step("On-call heard of it: the breach incident and the policy's notification reached the signed webhook");
        await("a notification about " + MODEL, () -> received.stream().anyMatch(body -> body.contains(MODEL)) ? api.get("/v1/models/" + MODEL) : null,
                found -> true, Duration.ofSeconds(30));
        long about = received.stream().filter(body -> body.contains(MODEL)).count();
        ok(about + " notification(s) about " + MODEL + " received");

        step("keel model lineage " + MODEL + " " + second.path("modelVersion").asInt() + ": version <- training run <- incident <- dataset"
                + " snapshot <- pipeline run <- sources");
        PrintStream original = System.out;
        try {
            System.setOut(out);
            int exit = Main.run(new String[] {"model", "lineage", "--url", url, "--token", token, MODEL,
                Integer.toString(second.path("modelVersion").asInt())});
            require(exit == 0, "keel model lineage exited with " + exit);
        } finally {
            System.setOut(original);
        }
    }

    private String pipeline() {
        StringBuilder hubs = new StringBuilder();
        for (String feature : FEATURES.subList(3, FEATURES.size())) {
            String airport = feature.substring("from_".length()).toUpperCase(Locale.ROOT);
            hubs.append("        CAST(origin = '").append(airport).append("' AS DOUBLE) AS ").append(feature).append(",\n");
        }
        return """
                pipeline: %s
                project: %s
                description: The latest 30 days of flights with the delay model's features and label.
                sources:
                  - {name: flights, type: parquet, path: '%s'}
                steps:
                  - name: recent
                    type: sql
                    inputs: [flights]
                    query: |
                      SELECT
                        hour(date) + minute(date) / 60.0 AS dep_hour,
                        CAST(distance AS DOUBLE) AS distance,
                        CAST(dayofweek(date) AS DOUBLE) AS day_of_week,
                %s        origin,
                        CAST(delay > 15 AS INTEGER) AS delayed
                      FROM flights
                      WHERE date > (SELECT max(date) FROM flights) - INTERVAL 30 DAY
                outputs:
                  - {dataset: %s, from: recent}
                """.formatted(PIPELINE, project, inbox.resolve("flights-2001-*.parquet").toString().replace("'", "''"), hubs, PIPELINE);
    }

    private String trainingSpec() {
        return """
                model: %s
                project: %s
                description: retrained on the latest 30 days whenever the model leaves its limits
                dataset: %s
                version: latest
                target: delayed
                classes: ["0", "1"]
                positive: "1"
                features: %s
                trainer: random-forest
                parameters: {trees: 60, max-depth: 8, seed: 1}
                holdout: {fraction: 0.25, seed: 7}
                gate:
                  rules: ["auc >= 0.6", "logloss <= champion.logloss", "auc >= champion.auc - 0.01"]
                  min_holdout_rows: 500
                  slices: [{column: origin, metric: logloss, tolerance: 0.05, min_rows: 150}]
                  max_latency_p99: 50ms
                  max_model_size: 20mib
                  bootstrap: {metric: logloss, resamples: 500, confidence: 0.9, seed: 1, min_difference: 0}
                promotion:
                  mode: auto
                  rollout: {endpoint: %s, percent: 25, requests: 100, duration: 5m, max_error_rate: 0.01, max_latency_p99: 500ms}
                """.formatted(MODEL, project, PIPELINE, FEATURES, ENDPOINT);
    }

    private static List<String> columns() {
        List<String> columns = new ArrayList<>(FEATURES);
        columns.add("delayed");
        return columns;
    }

    /** Scores the rows through Keel's predict API, ten a call, and waits until the prediction log has them; a request id per row. */
    private List<String> predict(TableData rows) {
        List<String> ids = send(rows);
        awaitLog(rows.rows().size());
        return ids;
    }

    /** Scores the rows through Keel's predict API, ten a call; a request id per row. */
    private List<String> send(TableData rows) {
        List<String> ids = new ArrayList<>();
        for (int from = 0; from < rows.rows().size(); from += BATCH) {
            List<Object[]> chunk = rows.rows().subList(from, Math.min(rows.rows().size(), from + BATCH));
            List<Map<String, Object>> instances = new ArrayList<>();
            for (Object[] row : chunk) {
                Map<String, Object> instance = new LinkedHashMap<>();
                for (int i = 0; i < FEATURES.size(); i++) {
                    instance.put(FEATURES.get(i), ((Number) row[i]).doubleValue());
                }
                instances.add(instance);
            }
            JsonNode answer = api.post("/v1/endpoints/" + ENDPOINT + "/predict", Map.of("instances", instances));
            String requestId = answer.path("requestId").asText();
            for (int row = 0; row < chunk.size(); row++) {
                ids.add(chunk.size() == 1 ? requestId : requestId + "/" + row);
            }
        }
        return ids;
    }

    private void awaitLog(int count) {
        await("the prediction log", () -> {
            JsonNode stats = api.get("/v1/predictions/log/stats");
            return stats.path("queued").asLong() == 0 && stats.path("written").asLong() >= stats.path("accepted").asLong() ? stats : null;
        }, found -> true, Duration.ofSeconds(30));
    }

    private JsonNode runPipeline() {
        JsonNode run = PipelineCommands.await(api, api.post("/v1/pipelines/" + PIPELINE + "/runs?wait=120", Map.of()), line -> { });
        require(run.path("status").asText().equals("SUCCEEDED"), "the pipeline run ended " + run.path("status").asText() + ": "
                + run.path("error").asText());
        return api.get("/v1/datasets/" + PIPELINE + "/versions/0");
    }

    private JsonNode awaitRun(String id) {
        return await("training run " + id, () -> {
            JsonNode run = api.get("/v1/training/runs/" + id);
            return List.of("QUEUED", "RUNNING").contains(run.path("status").asText()) ? null : run;
        }, found -> true, Duration.ofMinutes(5));
    }

    private void copy(Path file) {
        try {
            Files.copy(file, inbox.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Optional<Path> locate() {
        for (Path base = Path.of("").toAbsolutePath(); base != null; base = base.getParent()) {
            Path candidate = base.resolve("examples").resolve("flights");
            if (Files.isRegularFile(candidate.resolve("flights-2001-05.parquet"))) {
                return Optional.of(candidate);
            }
        }
        Optional<String> home = Optional.ofNullable(System.getenv("KEEL_HOME"));
        return home.map(dir -> Path.of(dir, "examples", "flights")).filter(dir -> Files.isRegularFile(dir.resolve("flights-2001-05.parquet")));
    }

    private static JsonNode await(String what, Supplier<JsonNode> poll, Predicate<JsonNode> done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode value = poll.get();
            if (value != null && done.test(value)) {
                return value;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what);
            }
        }
        throw new IllegalStateException("timed out waiting for " + what);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }

    private void step(String title) {
        step++;
        out.println();
        out.println("[retrain " + step + "] " + title);
    }

    private void ok(String message) {
        out.println("    ok: " + message);
    }
}
