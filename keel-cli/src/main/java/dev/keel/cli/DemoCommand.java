package dev.keel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.config.KeelConfig;
import dev.keel.core.data.PipelineService;
import dev.keel.server.KeelServer;
import dev.keel.spi.data.TableData;
import dev.keel.server.Version;
import dev.keel.spi.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code keel demo}: starts Keel on embedded defaults and runs the whole scenario on real data through the public API, then
 * keeps the server up for exploring ({@code --once} exits instead, 0 only when every step succeeded).
 */
@Command(name = "demo", description = "Run Keel's scenario on real data (German credit) and keep the server up for exploring")
final class DemoCommand implements Callable<Integer> {
    static final String MODEL = "credit-risk";
    static final String PROJECT = "lending";
    static final Path PIPELINE = Path.of("examples", "pipelines", "credit-g.yaml");
    static final Path MATCHING = Path.of("examples", "matching", "alaska-airports.yaml");
    static final String DATASET = "credit-g-features";
    static final String ENDPOINT = "credit-risk";
    /** A committed test model whose graph fails when it scores: the demo's example of a version the smoke check refuses. */
    static final Path BROKEN_MODEL = Path.of("build", "fixtures", "models", "reshape_fails.onnx");

    @Option(names = "--once", description = "Run the scenario and exit: 0 when every step succeeded")
    boolean once;

    @Option(names = "--port", defaultValue = "8080", description = "HTTP port (0 picks a free one)")
    int port;

    @Option(names = "--data-dir", description = "Data directory, wiped first (default ./keel-data/demo)")
    Path dataDir;

    private final PrintStream out = System.out;
    private int step;

    @Override
    public Integer call() throws Exception {
        Path directory = dataDir != null ? dataDir : Path.of("keel-data", "demo");
        wipe(directory);
        Map<String, String> environment = new java.util.HashMap<>(System.getenv());
        environment.put("KEEL_DATA_DIR", directory.toString());
        environment.put("KEEL_SERVER_PORT", Integer.toString(port));
        environment.putIfAbsent("KEEL_LOGGING_REQUESTS", "false");
        CreditFeatures.locate(PIPELINE).ifPresent(spec -> environment.put("KEEL_PIPELINES_BASE_DIRECTORY",
                spec.getParent().getParent().getParent().toString()));
        Path inbox = directory.toAbsolutePath().resolveSibling(directory.getFileName() + "-inbox");
        wipe(inbox);
        Files.createDirectories(inbox);
        Path tables = directory.toAbsolutePath().resolveSibling(directory.getFileName() + "-tables");
        wipe(tables);
        Files.createDirectories(tables);
        KeelConfig config = KeelConfig.parse(demoConfig(inbox, tables), environment);
        ServerCommand.Started started = ServerCommand.start(config, out);
        KeelServer server = started.server();
        String adminToken = started.adminSecret().orElseThrow(() -> new IllegalStateException("the demo's data directory was not fresh"));
        String url = "http://localhost:" + server.port();
        KeelClient api = new KeelClient(url, java.util.Optional.of(adminToken));
        boolean succeeded;
        AutoCloseable receiver = () -> { };
        try {
            run(api, url, adminToken, server.keel().data().service());
            IncidentDemo.Receiver onCall = IncidentDemo.run(api, PROJECT, MODEL, ENDPOINT, out,
                    directory.toAbsolutePath().resolve("keys").resolve("demo-oncall.secret"), inbox);
            receiver = onCall;
            RetrainingDemo.run(api, PROJECT, IncidentDemo.CHANNEL, out, inbox, server.keel().data().service(), onCall.received(), url, adminToken);
            BatchDemo.run(api, PROJECT, MODEL, out, tables, server.keel().data().service(), DATASET, CreditFeatures.FEATURES);
            MatchDemo.run(api, out, CreditFeatures.locate(MATCHING).orElseThrow(() -> new IllegalStateException("cannot find " + MATCHING)));
            finish(url, adminToken, tables);
            succeeded = true;
        } catch (RuntimeException e) {
            out.println();
            out.println("demo step " + step + " FAILED: " + e.getMessage());
            succeeded = false;
        }
        if (once || !succeeded) {
            server.close();
            receiver.close();
            return succeeded ? 0 : 1;
        }
        out.println();
        out.println("The server keeps running for exploring; press Ctrl-C to stop.");
        CountDownLatch stopped = new CountDownLatch(1);
        AutoCloseable onCall = receiver;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            try {
                onCall.close();
            } catch (Exception e) {
                out.println("could not stop the demo's webhook receiver: " + e);
            }
            stopped.countDown();
        }, "keel-demo-shutdown"));
        stopped.await();
        return 0;
    }

    private void run(KeelClient api, String url, String token, PipelineService pipelines) throws IOException {
        CreditFeatures data = CreditFeatures.load();
        Trainer trainer = ServiceLoader.load(Trainer.class).stream().map(ServiceLoader.Provider::get)
                .filter(candidate -> candidate.algorithm().equals("logistic-regression")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no logistic-regression trainer on the class path"));

        step("Data collection: run the pipeline " + PIPELINE + " (clean, cast, validate with quarantine, dedupe, derive the model's"
                + " features) into a versioned dataset snapshot");
        Path specFile = CreditFeatures.locate(PIPELINE).orElseThrow(() -> new IllegalStateException("cannot find " + PIPELINE));
        api.post("/v1/pipelines", Map.of("spec", Files.readString(specFile)));
        JsonNode run = PipelineCommands.await(api, api.post("/v1/pipelines/credit-g/runs?wait=120", Map.of()), line -> { });
        JsonNode books = run.path("accounting");
        if (!run.path("status").asText().equals("SUCCEEDED")) {
            throw new IllegalStateException("the pipeline run ended " + run.path("status").asText() + ": " + run.path("error").asText());
        }
        ok("run " + run.path("status").asText().toLowerCase(Locale.ROOT) + ": " + books.path("rowsIn").asLong() + " rows in = "
                + books.path("rowsOut").asLong() + " out + " + books.path("quarantined").asLong() + " quarantined + "
                + books.path("merged").asLong() + " merged + " + books.path("filtered").asLong() + " filtered");
        JsonNode snapshot = api.get("/v1/datasets/" + DATASET + "/versions/0");
        String datasetSha256 = snapshot.path("sha256").asText();
        int datasetVersion = snapshot.path("version").asInt();
        ok("dataset " + DATASET + " v" + datasetVersion + ": " + snapshot.path("rows").asLong() + " rows, sha256 "
                + datasetSha256.substring(0, 16) + "..., profiled (" + snapshot.path("profile").path("columns").size() + " columns)");
        List<String> columns = new java.util.ArrayList<>(CreditFeatures.FEATURES);
        columns.add("bad");
        TableData table = pipelines.read(DATASET, datasetVersion, columns, 1_000_000);
        String datasetUri = "dataset:" + DATASET + "@" + datasetVersion;

        step("Create project '" + PROJECT + "' and model '" + MODEL + "' with a promotion gate: auc >= 0.70 for alias champion");
        api.post("/v1/projects", Map.of("name", PROJECT, "description", "Credit decisions"));
        api.post("/v1/models", Map.of("name", MODEL, "project", PROJECT, "description",
                "Probability that a German credit applicant (UCI Statlog) turns out a bad risk",
                "gate", Map.of("thresholds", List.of("auc >= 0.70"), "aliases", List.of("champion"))));
        ok("gate set");

        step("Train logistic regression on the snapshot's " + table.rows().size() + " real applicants (" + CreditFeatures.FEATURES.size()
                + " features, 30% held out) and register it as version 1 with its lineage");
        Lineage lineage = new Lineage(table, datasetSha256, datasetUri);
        JsonNode v1 = trainAndRegister(api, trainer, data, lineage, CreditFeatures.FEATURES, Map.of("seed", "42", "epochs", "10"),
                "all eleven features");
        ok("version " + v1.path("version").asInt() + ": held-out auc " + metric(v1, "auc") + ", sha256 "
                + v1.path("artifact").path("sha256").asText().substring(0, 16) + "..., inputs " + signature(v1) + ", trained on "
                + v1.path("lineage").path("datasetUri").asText());

        step("Promote version 1 to champion (the gate checks auc >= 0.70)");
        JsonNode promoted = api.post("/v1/models/" + MODEL + "/aliases/champion", Map.of("version", 1, "reason", "first model"));
        ok("champion -> " + promoted.path("toVersion").asInt());

        List<String> weakFeatures = List.of("residence_since", "existing_credits", "num_dependents");
        step("Register a weaker challenger (3 uninformative features) as version 2 and try to promote it");
        JsonNode v2 = trainAndRegister(api, trainer, data, lineage, weakFeatures, Map.of("seed", "42", "epochs", "10"),
                "three weak features");
        try {
            api.post("/v1/models/" + MODEL + "/aliases/champion", Map.of("version", v2.path("version").asInt(), "reason", "try weak model"));
            throw new IllegalStateException("the gate should have refused version 2 (auc " + metric(v2, "auc") + ")");
        } catch (KeelClient.ApiException e) {
            if (!e.code().equals("GATE_FAILED")) {
                throw e;
            }
            ok("refused by the gate (HTTP " + e.status() + "): " + e.getMessage().lines().findFirst().orElse(""));
        }
        api.post("/v1/models/" + MODEL + "/aliases/challenger", Map.of("version", v2.path("version").asInt(), "reason", "shadow candidate"));
        ok("version 2 became challenger instead (the gate guards champion only)");

        step("Retrain with another seed and more epochs as version 3, promote it, then roll back with a reason");
        JsonNode v3 = trainAndRegister(api, trainer, data, lineage, CreditFeatures.FEATURES, Map.of("seed", "7", "epochs", "20"),
                "retrained, 20 epochs");
        api.post("/v1/models/" + MODEL + "/aliases/champion", Map.of("version", v3.path("version").asInt(), "reason", "retrained"));
        JsonNode rolledBack = api.post("/v1/models/" + MODEL + "/aliases/champion/rollback",
                Map.of("reason", "demo: operator prefers the proven version"));
        ok("champion: " + rolledBack.path("fromVersion").asInt() + " -> " + rolledBack.path("toVersion").asInt() + " (rollback)");

        step("Register a version whose model cannot score (claimed auc 0.99) and try to make it champion: Keel loads it and scores"
                + " a smoke row first");
        Path broken = CreditFeatures.locate(BROKEN_MODEL).orElseThrow(() -> new IllegalStateException("cannot find " + BROKEN_MODEL));
        JsonNode v4 = api.upload("/v1/models/" + MODEL + "/versions", Files.readAllBytes(broken), Map.of("metrics", Map.of("auc", 0.99),
                "description", "a graph that fails at run time (its Reshape cannot hold its input)"));
        try {
            api.post("/v1/models/" + MODEL + "/aliases/champion", Map.of("version", v4.path("version").asInt(), "reason", "looks great"));
            throw new IllegalStateException("version " + v4.path("version").asInt() + " fails at run time but was promoted");
        } catch (KeelClient.ApiException e) {
            if (e.status() != 409) {
                throw e;
            }
            ok("refused (HTTP 409): " + e.getMessage().lines().findFirst().orElse(""));
        }

        step("Alias history (kept forever)");
        Output.table(out, api.get("/v1/models/" + MODEL + "/history").path("events"), List.of(Output.Column.field("SEQ", "seq"),
                Output.Column.field("ALIAS", "alias"), Output.Column.field("ACTION", "action"), Output.Column.field("FROM", "fromVersion"),
                Output.Column.field("TO", "toVersion"), Output.Column.field("REASON", "reason")));

        serve(api, data);

        step("Security: roles per project, sandboxed pipeline code, masked sensitive columns, a tamper-evident audit log");
        SecurityDemo.run(api, url, PROJECT, "credit-g", DATASET, MODEL, out);

        MonitorDemo.run(api, url, token, MODEL, 1, ENDPOINT, out);
    }

    /**
     * The demo's settings on top of the defaults: its on-call webhook listens on this machine, so alert channels may reach
     * loopback; one alert route for the demo project, grouping by kind with short waits; the recurring fault's inbox is a
     * source root next to the data directory.
     */
    private static String demoConfig(Path inbox, Path tables) {
        return """
                alerts:
                  http: {allow-private: true}
                  routes:
                    oncall: {project: %s, channels: [%s], group-by: [kind], group-wait: 1s, group-interval: 5s, repeat-interval: 4h}
                pipelines:
                  source-roots: ['.', '%s']
                """.formatted(PROJECT, IncidentDemo.CHANNEL, inbox.toString().replace("'", "''")) + BatchDemo.connections(tables);
    }

    private void finish(String url, String token, Path tables) {
        out.println();
        out.println("All demo steps succeeded. Keel " + Version.current() + " at " + url);
        out.println("Try next:");
        out.println("  export KEEL_URL=" + url + " KEEL_TOKEN=" + token);
        out.println("  ./keel model list");
        out.println("  ./keel model show " + MODEL);
        out.println("  ./keel model history " + MODEL);
        out.println("  ./keel audit list");
        out.println("  ./keel monitor list");
        out.println("  ./keel monitor status " + MonitorDemo.MONITOR);
        out.println("  ./keel drift report --model " + MODEL);
        out.println("  ./keel incident list --project " + PROJECT + " --status all");
        out.println("  ./keel incident patterns --project " + PROJECT + " --since 1d");
        out.println("  ./keel policy list --project " + PROJECT);
        out.println("  ./keel train list " + RetrainingDemo.MODEL);
        out.println("  ./keel model show " + RetrainingDemo.MODEL);
        out.println("  ./keel model lineage " + RetrainingDemo.MODEL + " 2");
        out.println("  ./keel approval list --project " + PROJECT + " --all");
        BatchDemo.hints(tables).forEach(hint -> out.println("  " + hint));
        MatchDemo.hints().forEach(hint -> out.println("  " + hint));
        out.println("  curl -s -H \"Authorization: Bearer $KEEL_TOKEN\" " + url + "/v1/models/" + MODEL + "/versions/champion");
        out.println("  curl -s -H \"Authorization: Bearer $KEEL_TOKEN\" " + url + "/openapi.json");
        out.println("  ./keel endpoint show " + ENDPOINT);
        out.println("  curl -s -H \"Authorization: Bearer $KEEL_TOKEN\" " + url + "/v2/models/" + ENDPOINT);
    }

    private void serve(KeelClient api, CreditFeatures data) {
        step("Serve the champion as endpoint '" + ENDPOINT + "' (shadow: challenger, fallback: previous version) and predict through"
                + " Keel's API and the Open Inference Protocol v2");
        api.post("/v1/endpoints", Map.of("name", ENDPOINT, "model", MODEL, "alias", "champion", "shadow", Map.of("alias", "challenger"),
                "fallback", Map.of("mode", "previous-version")));
        Map<String, String> row = data.rows().getFirst();
        Map<String, Object> applicant = new LinkedHashMap<>();
        List<Double> values = new java.util.ArrayList<>();
        for (String feature : CreditFeatures.FEATURES) {
            double value = CreditFeatures.feature(row, feature);
            applicant.put(feature, value);
            values.add(value);
        }
        JsonNode answer = api.post("/v1/endpoints/" + ENDPOINT + "/predict", Map.of("instances", List.of(applicant)));
        JsonNode prediction = answer.path("predictions").get(0);
        ok("Keel API: version " + answer.path("version").asInt() + " answers '" + prediction.path("label").asText() + "' with "
                + prediction.path("probabilities") + " for the first applicant (request " + answer.path("requestId").asText() + ")");
        JsonNode v2 = api.post("/v2/models/" + ENDPOINT + "/infer", Map.of("id", "demo-1", "inputs", List.of(Map.of("name", "features",
                "shape", List.of(1, CreditFeatures.FEATURES.size()), "datatype", "FP32", "data", values))));
        JsonNode tensor = v2.path("outputs").get(0);
        ok("v2 protocol: model_version " + v2.path("model_version").asText() + " returns " + tensor.path("name").asText() + " "
                + tensor.path("datatype").asText() + tensor.path("shape") + " = " + tensor.path("data"));
        JsonNode probabilities = answer.path("outputs").path("probabilities").get(0);
        for (int i = 0; i < probabilities.size(); i++) {
            if (probabilities.get(i).doubleValue() != tensor.path("data").get(i).doubleValue()) {
                throw new IllegalStateException("the two APIs disagree: " + probabilities + " vs " + tensor.path("data"));
            }
        }
        ok("both APIs gave the same answer");
        Map<String, Object> broken = new LinkedHashMap<>(applicant);
        broken.put("age", "forty");
        broken.remove("duration");
        try {
            api.post("/v1/endpoints/" + ENDPOINT + "/predict", Map.of("instances", List.of(broken)));
            throw new IllegalStateException("an invalid record was accepted");
        } catch (KeelClient.ApiException e) {
            if (e.status() != 422) {
                throw e;
            }
            ok("an invalid record is refused with 422, naming each field:" + e.getMessage().substring(Math.max(0, e.getMessage().indexOf('\n'))));
        }
    }

    /** The training snapshot: its rows and identity. */
    private record Lineage(TableData table, String sha256, String uri) {
        Trainer.TrainingData trainingData(List<String> features) {
            List<String> columns = table.columns();
            int label = columns.indexOf("bad");
            int[] indexes = features.stream().mapToInt(columns::indexOf).toArray();
            List<double[]> values = new java.util.ArrayList<>();
            List<String> labels = new java.util.ArrayList<>();
            for (Object[] row : table.rows()) {
                double[] vector = new double[indexes.length];
                for (int i = 0; i < indexes.length; i++) {
                    vector[i] = ((Number) row[indexes[i]]).doubleValue();
                }
                values.add(vector);
                labels.add(((Number) row[label]).intValue() == 1 ? "bad" : "good");
            }
            return new Trainer.TrainingData(features, values, labels, 0.3, 42);
        }
    }

    private JsonNode trainAndRegister(KeelClient api, Trainer trainer, CreditFeatures data, Lineage snapshot, List<String> features,
                                      Map<String, String> parameters, String description) {
        Trainer.TrainedModel model = trainer.train(snapshot.trainingData(features), parameters);
        Map<String, Object> lineage = new LinkedHashMap<>();
        lineage.put("datasetSha256", snapshot.sha256());
        lineage.put("datasetUri", snapshot.uri());
        lineage.put("codeVersion", "keel " + Version.current() + " / " + trainer.algorithm());
        lineage.put("parameters", model.parameters());
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("format", model.format());
        metadata.put("features", data.schema(features));
        metadata.put("metrics", model.metrics());
        metadata.put("tags", Map.of("labels", String.join(",", model.labels()), "trainer", trainer.algorithm()));
        metadata.put("lineage", lineage);
        metadata.put("description", description);
        return api.upload("/v1/models/" + MODEL + "/versions", model.artifact(), metadata);
    }

    private static String metric(JsonNode version, String name) {
        return String.format(Locale.ROOT, "%.4f", version.path("metrics").path(name).asDouble());
    }

    private static String signature(JsonNode version) {
        StringBuilder text = new StringBuilder();
        for (JsonNode input : version.path("signature").path("inputs")) {
            text.append(input.path("name").asText()).append(' ').append(input.path("type").asText()).append(input.path("shape"));
        }
        return text.toString();
    }

    private void step(String title) {
        step++;
        out.println();
        out.println("[" + step + "] " + title);
    }

    private void ok(String message) {
        out.println("    ok: " + message);
    }

    private static void wipe(Path directory) throws IOException {
        if (Files.exists(directory)) {
            try (Stream<Path> files = Files.walk(directory)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
    }
}
