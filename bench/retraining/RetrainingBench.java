import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One pass of the retraining loop of RetrainingDemo against a running Keel server, over HTTP only: May's file into the
 * pipeline's inbox, the training spec, the first champion, endpoint, log-loss monitor (limit = the champion's verified holdout
 * log loss + 10 %) and a retrain policy; then June's file, June's traffic and labels, the monitor's evaluation (T0 = when it
 * answers 'breached'), the incident's training run and its canary rollout, fed with traffic until it promotes
 * (T1 = the rollout's finishedAt). Appends one tab-separated line of results to OUT.
 * Usage: java -cp "keel-cli/target/lib/*" RetrainingBench.java URL TOKEN INBOX SAMPLES_DIR SIZE REPEAT TRAFFIC OUT
 */
public class RetrainingBench {
    static final String PROJECT = "bench";
    static final String MODEL = "flight-delays";
    static final String ENDPOINT = "flights";
    static final String PIPELINE = "flights";
    static final String MONITOR = "flight-delays-log-loss";
    static final List<String> FEATURES = List.of("dep_hour", "distance", "day_of_week", "from_ord", "from_dfw", "from_atl", "from_lax", "from_phx",
            "from_stl", "from_dtw", "from_msp", "from_las", "from_den");
    static final int BATCH = 10;
    static final ObjectMapper JSON = new ObjectMapper();

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    final String url;
    final String token;

    RetrainingBench(String url, String token) {
        this.url = url;
        this.token = token;
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String token = args[1];
        Path inbox = Path.of(args[2]);
        Path samples = Path.of(args[3]);
        String size = args[4];
        int repeat = Integer.parseInt(args[5]);
        int traffic = Integer.parseInt(args[6]);
        Path out = Path.of(args[7]);
        new RetrainingBench(url, token).run(inbox, samples, size, repeat, traffic, out);
    }

    void run(Path inbox, Path samples, String size, int repeat, int traffic, Path out) throws Exception {
        post("/v1/projects", Map.of("name", PROJECT));
        Files.copy(samples.resolve("flights-2001-05.parquet"), inbox.resolve("flights-2001-05.parquet"), StandardCopyOption.REPLACE_EXISTING);
        post("/v1/pipelines", Map.of("spec", pipeline(inbox)));
        JsonNode may = runPipeline();
        say("May: dataset v%d, %d flights", may.path("version").asInt(), may.path("rows").asLong());

        post("/v1/models", Map.of("name", MODEL, "project", PROJECT, "description", "Will a flight be more than 15 minutes late?"));
        send("PUT", "/v1/training/specs", trainingSpec(), "application/yaml");
        JsonNode first = awaitRun(post("/v1/training/runs", Map.of("model", MODEL)).path("id").asText());
        require(first.path("status").asText().equals("SUCCEEDED"), "the first run ended " + first.path("status").asText() + ": " + first.path("message"));
        Map<String, Instant> firstLog = logTimes(first.path("id").asText());
        double championLogLoss = first.path("detail").path("verified_metrics").path("logloss").asDouble();
        double limit = Math.round(championLogLoss * 1.10 * 1000) / 1000.0;
        say("first champion: May holdout logloss %.4f, AUC %.4f; training %d ms", championLogLoss,
                first.path("detail").path("verified_metrics").path("auc").asDouble(), millis(firstLog.get("train"), firstLog.get("trained")));

        post("/v1/endpoints", Map.of("name", ENDPOINT, "model", MODEL));
        Map<String, Object> monitor = new LinkedHashMap<>();
        monitor.put("name", MONITOR);
        monitor.put("model", MODEL);
        monitor.put("statistic", "log_loss");
        monitor.put("positive", "1");
        monitor.put("window", traffic + " predictions");
        monitor.put("limit", limit);
        post("/v1/monitors?replace=true", monitor);
        Map<String, Object> policy = new LinkedHashMap<>();
        policy.put("name", "flight-delays-back-to-lab");
        policy.put("project", PROJECT);
        policy.put("description", "a breach of the delay model's limits: retrain it on the latest data");
        policy.put("when", Map.of("kind", "monitor.breached", "objects", Map.of("model", MODEL)));
        policy.put("actions", List.of(Map.of("retrain", Map.of())));
        send("PUT", "/v1/policies", JSON.writeValueAsString(policy), "application/json");

        Files.copy(samples.resolve("flights-2001-06.parquet"), inbox.resolve("flights-2001-06.parquet"), StandardCopyOption.REPLACE_EXISTING);
        JsonNode june = runPipeline();
        say("June: dataset v%d, %d flights", june.path("version").asInt(), june.path("rows").asLong());

        List<double[]> rows = juneTraffic(inbox, traffic);
        List<String> ids = predict(rows);
        awaitLog();
        List<Map<String, Object>> labels = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            labels.add(Map.of("requestId", ids.get(i), "label", String.valueOf((int) rows.get(i)[FEATURES.size()])));
        }
        post("/v1/labels", Map.of("labels", labels));
        JsonNode evaluated = post("/v1/monitors/" + MONITOR + "/evaluate", Map.of());
        Instant breachAt = Instant.now();
        say("monitor: log loss %s over %d labelled predictions (limit %.3f): %s", evaluated.path("value").asText(),
                evaluated.path("sampleSize").asLong(), limit, evaluated.path("state").asText());
        require(evaluated.path("state").asText().equals("breached"), "June's traffic did not breach the limit: " + evaluated);

        JsonNode triggered = await("the incident's training run", () -> {
            for (JsonNode candidate : get("/v1/training/runs?model=" + MODEL).path("runs")) {
                if (candidate.path("trigger").asText().equals("incident")) {
                    return candidate;
                }
            }
            return null;
        }, Duration.ofSeconds(120), 20);
        String runId = triggered.path("id").asText();
        // once the run has started the rollout and ended, the canary needs requests: call the endpoint until the rollout ends
        int calls = 0;
        JsonNode second = null;
        JsonNode done = null;
        long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
        int cursor = 0;
        while (System.nanoTime() < deadline) {
            if (second == null) {
                JsonNode state = get("/v1/training/runs/" + runId);
                if (!List.of("QUEUED", "RUNNING").contains(state.path("status").asText())) {
                    second = state;
                    require(second.path("status").asText().equals("SUCCEEDED"), "the challenger's run ended " + second.path("status").asText()
                            + ": " + second.path("message").asText());
                } else {
                    Thread.sleep(50);
                    continue;
                }
            }
            String rollout = second.path("detail").path("promotion").path("rollout").asText();
            for (int i = 0; i < 20; i++, calls++) {
                predictBatch(rows.subList(cursor, cursor + BATCH));
                cursor = (cursor + BATCH) % (rows.size() - BATCH);
            }
            JsonNode state = get("/v1/rollouts/" + rollout);
            if (!state.path("status").asText().equals("RUNNING")) {
                done = state;
                break;
            }
        }
        require(done != null, "the rollout did not end within 30 minutes");
        require(done.path("status").asText().equals("PROMOTED"), "the rollout ended " + done.path("status").asText() + ": " + done.path("reason").asText());
        Instant promotedAt = Instant.parse(done.path("finishedAt").asText());

        Map<String, Instant> log = logTimes(runId);
        Instant started = Instant.parse(second.path("startedAt").asText());
        Instant rolloutStarted = Instant.parse(done.path("startedAt").asText());
        JsonNode challenger = second.path("detail").path("verified_metrics");
        JsonNode champion = second.path("detail").path("champion").path("metrics");
        JsonNode dataset = second.path("detail").path("dataset");
        long total = millis(breachAt, promotedAt);
        long toStart = millis(breachAt, started);
        long read = millis(started, log.get("train"));
        long train = millis(log.get("train"), log.get("trained"));
        long evaluate = millis(log.get("trained"), log.get("gate"));
        long register = millis(log.get("gate"), rolloutStarted);
        long canary = millis(rolloutStarted, promotedAt);
        say("breach -> promoted %d ms: to run start %d, read %d, train %d, evaluate + gate %d, register + rollout start %d, rollout %d"
                + " (%d predict calls of %d after the run; %s)", total, toStart, read, train, evaluate, register, canary, calls, BATCH,
                done.path("reason").asText());
        say("evaluate + gate: challenger scored %d ms, champion scored %d ms, slices + bootstrap + latency + gate %d ms",
                millis(log.get("trained"), log.get("challenger")), millis(log.get("challenger"), log.get("champion")),
                millis(log.get("champion"), log.get("gate")));
        say("June holdout (%d rows; trained on %d): challenger logloss %.4f AUC %.4f; champion logloss %.4f AUC %.4f",
                dataset.path("holdout_rows").asLong(), dataset.path("train_rows").asLong(), challenger.path("logloss").asDouble(),
                challenger.path("auc").asDouble(), champion.path("logloss").asDouble(), champion.path("auc").asDouble());
        String line = String.join("\t", size, Integer.toString(repeat), Long.toString(dataset.path("train_rows").asLong()),
                Long.toString(dataset.path("holdout_rows").asLong()), Long.toString(total), Long.toString(toStart), Long.toString(read),
                Long.toString(train), Long.toString(evaluate), Long.toString(register), Long.toString(canary),
                format(champion.path("logloss").asDouble()), format(challenger.path("logloss").asDouble()), format(champion.path("auc").asDouble()),
                format(challenger.path("auc").asDouble()), Long.toString(millis(firstLog.get("train"), firstLog.get("trained"))),
                Long.toString(millis(Instant.parse(second.path("startedAt").asText()), Instant.parse(second.path("finishedAt").asText()))),
                Integer.toString(calls));
        Files.writeString(out, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    static String format(double value) {
        return String.format(Locale.ROOT, "%.5f", value);
    }

    /** The timestamps of the run's log lines that mark its phases. */
    Map<String, Instant> logTimes(String runId) throws Exception {
        String text = send("GET", "/v1/training/runs/" + runId + "/log", null, null).body();
        Map<String, Instant> times = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int space = line.indexOf(' ');
            if (space < 0) {
                continue;
            }
            Instant at;
            try {
                at = Instant.parse(line.substring(0, space));
            } catch (RuntimeException e) {
                continue;
            }
            String rest = line.substring(space + 1);
            if (rest.startsWith("training with ")) {
                times.put("train", at);
            } else if (rest.startsWith("trainer returned ")) {
                times.put("trained", at);
            } else if (rest.startsWith("challenger on the holdout")) {
                times.put("challenger", at);
            } else if (rest.startsWith("champion ") && rest.contains(" on the same holdout")) {
                times.put("champion", at);
            } else if (rest.startsWith("gate ")) {
                times.put("gate", at);
            }
        }
        require(times.containsKey("train") && times.containsKey("trained") && times.containsKey("gate"), "run " + runId + "'s log lacks a phase line: " + text);
        return times;
    }

    static long millis(Instant from, Instant to) {
        return Duration.between(from, to).toMillis();
    }

    /** June's traffic: TRAFFIC rows of the June pipeline run's query, spread evenly over the month in time order; the label last. */
    List<double[]> juneTraffic(Path inbox, int traffic) throws Exception {
        StringBuilder hubs = new StringBuilder();
        for (String feature : FEATURES.subList(3, FEATURES.size())) {
            hubs.append("CAST(origin = '").append(feature.substring(5).toUpperCase(Locale.ROOT)).append("' AS DOUBLE), ");
        }
        String from = "'" + inbox.resolve("flights-2001-*.parquet").toString().replace("'", "''") + "'";
        List<double[]> all = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:"); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT hour(date) + minute(date) / 60.0, CAST(distance AS DOUBLE), CAST(dayofweek(date) AS DOUBLE), "
                     + hubs + "CAST(delay > 15 AS DOUBLE) FROM " + from + " WHERE date > (SELECT max(date) FROM " + from + ") - INTERVAL 30 DAY"
                     + " ORDER BY date, origin, destination, delay, distance")) {
            while (result.next()) {
                double[] row = new double[FEATURES.size() + 1];
                for (int i = 0; i < row.length; i++) {
                    row[i] = result.getDouble(i + 1);
                }
                all.add(row);
            }
        }
        List<double[]> spread = new ArrayList<>();
        int every = Math.max(1, all.size() / traffic);
        for (int i = 0; i < all.size() && spread.size() < traffic; i += every) {
            spread.add(all.get(i));
        }
        return spread;
    }

    List<String> predict(List<double[]> rows) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int from = 0; from < rows.size(); from += BATCH) {
            List<double[]> chunk = rows.subList(from, Math.min(rows.size(), from + BATCH));
            String requestId = predictBatch(chunk);
            for (int row = 0; row < chunk.size(); row++) {
                ids.add(chunk.size() == 1 ? requestId : requestId + "/" + row);
            }
        }
        return ids;
    }

    String predictBatch(List<double[]> chunk) throws Exception {
        List<Map<String, Object>> instances = new ArrayList<>();
        for (double[] row : chunk) {
            Map<String, Object> instance = new LinkedHashMap<>();
            for (int i = 0; i < FEATURES.size(); i++) {
                instance.put(FEATURES.get(i), row[i]);
            }
            instances.add(instance);
        }
        String body = JSON.writeValueAsString(Map.of("instances", instances));
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            HttpResponse<String> response = call("POST", "/v1/endpoints/" + ENDPOINT + "/predict", body, "application/json");
            // 503 while a new endpoint's model is still loading; the call is repeated as a client told to retry would
            if (response.statusCode() == 503 && System.nanoTime() < deadline) {
                Thread.sleep(100);
                continue;
            }
            return JSON.readTree(check("POST", "/v1/endpoints/" + ENDPOINT + "/predict", response).body()).path("requestId").asText();
        }
    }

    void awaitLog() throws Exception {
        await("the prediction log", () -> {
            JsonNode stats = get("/v1/predictions/log/stats");
            return stats.path("queued").asLong() == 0 && stats.path("written").asLong() >= stats.path("accepted").asLong() ? stats : null;
        }, Duration.ofSeconds(60), 50);
    }

    JsonNode runPipeline() throws Exception {
        JsonNode run = post("/v1/pipelines/" + PIPELINE + "/runs?wait=120", Map.of());
        while (run.path("status").asText().equals("RUNNING")) {
            Thread.sleep(100);
            run = get("/v1/pipeline-runs/" + run.path("id").asText());
        }
        require(run.path("status").asText().equals("SUCCEEDED"), "the pipeline run ended " + run.path("status").asText() + ": " + run.path("error"));
        return get("/v1/datasets/" + PIPELINE + "/versions/0");
    }

    JsonNode awaitRun(String id) throws Exception {
        return await("training run " + id, () -> {
            JsonNode run = get("/v1/training/runs/" + id);
            return List.of("QUEUED", "RUNNING").contains(run.path("status").asText()) ? null : run;
        }, Duration.ofMinutes(30), 100);
    }

    static JsonNode await(String what, Supplier<JsonNode> poll, Duration timeout, long everyMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode value = poll.get();
            if (value != null) {
                return value;
            }
            Thread.sleep(everyMillis);
        }
        throw new IllegalStateException("timed out waiting for " + what);
    }

    static String pipeline(Path inbox) {
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
                """.formatted(PIPELINE, PROJECT, inbox.resolve("flights-2001-*.parquet").toString().replace("'", "''"), hubs, PIPELINE);
    }

    static String trainingSpec() {
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
                """.formatted(MODEL, PROJECT, PIPELINE, FEATURES, ENDPOINT);
    }

    JsonNode get(String path) {
        try {
            return JSON.readTree(send("GET", path, null, null).body());
        } catch (Exception e) {
            throw new IllegalStateException("GET " + path + ": " + e.getMessage(), e);
        }
    }

    JsonNode post(String path, Object body) throws Exception {
        return JSON.readTree(send("POST", path, JSON.writeValueAsString(body), "application/json").body());
    }

    HttpResponse<String> send(String method, String path, String body, String contentType) throws IOException, InterruptedException {
        return check(method, path, call(method, path, body, contentType));
    }

    static HttpResponse<String> check(String method, String path, HttpResponse<String> response) {
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response;
    }

    HttpResponse<String> call(String method, String path, String body, String contentType) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofMinutes(5))
                .header("Authorization", "Bearer " + token);
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }

    static void say(String format, Object... arguments) {
        System.out.println("  " + String.format(Locale.ROOT, format, arguments));
    }
}
