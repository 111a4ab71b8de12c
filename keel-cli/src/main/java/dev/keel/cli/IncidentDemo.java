package dev.keel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.keel.core.alert.WebhookSignature;
import dev.keel.core.json.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * The error-handling part of the demo, on real data: a local webhook receiver as the on-call channel, remediation policies,
 * a model fault (a champion that fails on some real applicants) that automation heals by fallback and rollback, grouped
 * incidents with their timelines, alerts that reach the receiver signed and saying what automation did, and a recurring
 * fault (an upstream file that two pipelines read goes missing, is "fixed", and comes back) escalated as a pattern.
 */
final class IncidentDemo {
    static final String CHANNEL = "demo-oncall";
    static final String GUARD = "credit-risk-guard";
    static final String BACK_TO_LAB = "credit-risk-back-to-lab";
    /** Applicants asking for this many months or more make the faulty champion fail. */
    private static final int FAULT_BOUND = 48;
    private static final String SECRET = "demo-webhook-secret-7f3a";

    private final KeelClient api;
    private final String project;
    private final String model;
    private final String endpoint;
    private final PrintStream out;
    private final Path inbox;
    private int step;

    private IncidentDemo(KeelClient api, String project, String model, String endpoint, PrintStream out, Path inbox) {
        this.api = api;
        this.project = project;
        this.model = model;
        this.endpoint = endpoint;
        this.out = out;
        this.inbox = inbox;
    }

    /**
     * Runs the steps; {@code secretFile} is where the receiver's signing secret is written (the channel reads it from
     * there), {@code inbox} a directory under the pipelines' source roots for the recurring fault. Answers what stops the
     * receiver, to be closed after the server.
     */
    static Receiver run(KeelClient api, String project, String model, String endpoint, PrintStream out, Path secretFile, Path inbox) {
        List<String> received = new CopyOnWriteArrayList<>();
        List<Boolean> verified = new CopyOnWriteArrayList<>();
        HttpServer receiver;
        try {
            Files.createDirectories(secretFile.getParent());
            Files.writeString(secretFile, SECRET + "\n");
            receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        receiver.createContext("/oncall", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            verified.add(WebhookSignature.verify(SECRET, exchange.getRequestHeaders().getFirst(WebhookSignature.TIMESTAMP_HEADER), body,
                    exchange.getRequestHeaders().getFirst(WebhookSignature.SIGNATURE_HEADER)));
            received.add(new String(body, StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        try {
            new IncidentDemo(api, project, model, endpoint, out, inbox).steps("http://127.0.0.1:" + receiver.getAddress().getPort() + "/oncall",
                    secretFile, received, verified);
        } catch (RuntimeException e) {
            receiver.stop(0);
            throw e;
        }
        // the receiver stays up with the server: later alerts (resolutions, reminders) still reach it
        return new Receiver(received, () -> receiver.stop(0));
    }

    /** The demo's on-call receiver: what it received so far; closing stops it. */
    record Receiver(List<String> received, Runnable stop) implements AutoCloseable {
        @Override
        public void close() {
            stop.run();
        }
    }

    private void steps(String hook, Path secretFile, List<String> received, List<Boolean> verified) {
        step("An on-call channel: a signed webhook to a receiver on this machine, routed by the demo's alerts.routes (group by kind)");
        api.post("/v1/alert-channels", Map.of("project", project, "name", CHANNEL, "kind", "webhook", "url", hook, "secret",
                "file:" + secretFile));
        ok("channel " + CHANNEL + " -> " + hook + " (secret by reference: file:" + secretFile.getFileName() + ")");

        step("Remediation policies (PUT /v1/policies): heal the endpoint when its model keeps failing; send a drifting model back to the lab");
        Map<String, Object> guard = new LinkedHashMap<>();
        guard.put("name", GUARD);
        guard.put("project", project);
        guard.put("description", "three model errors on the endpoint within 5 minutes: serve the fallback, roll the champion back, tell on-call");
        guard.put("when", Map.of("kind", "endpoint.model_error", "objects", Map.of("endpoint", endpoint), "count", 3, "within", "5m"));
        guard.put("actions", List.of(Map.of("fallback", Map.of()), Map.of("rollback", Map.of("alias", "champion")),
                Map.of("notify", Map.of("channel", CHANNEL))));
        guard.put("cooldown", "30m");
        guard.put("max_per_hour", 3);
        ok(describePolicy(api.put("/v1/policies", guard)));
        Map<String, Object> lab = new LinkedHashMap<>();
        lab.put("name", BACK_TO_LAB);
        lab.put("project", project);
        lab.put("description", "a breach of the model's limits sends it back to experimentation");
        lab.put("when", Map.of("kind", "monitor.breached", "objects", Map.of("model", model)));
        lab.put("actions", List.of(Map.of("retrain", Map.of())));
        ok(describePolicy(api.put("/v1/policies", lab)));
        JsonNode dry = api.post("/v1/policies/dry-run", Map.of("name", BACK_TO_LAB, "days", 1));
        ok("dry run of " + BACK_TO_LAB + " over the stored signals of the last day (the drift breach above): "
                + dry.path("actions").size() + " action(s) it would have taken");

        modelFault();
        alerts(received, verified);
        recurringFault();

        step("Every incident of project " + project + " (keel incident list --project " + project + " --status all)");
        Output.table(out, api.get("/v1/incidents?project=" + project + "&status=all").path("incidents"), List.of(Output.Column.field("ID", "id"),
                Output.Column.field("STATUS", "status"), Output.Column.field("SEVERITY", "severity"), Output.Column.field("COUNT", "count"),
                Output.Column.field("REOPENED", "reopened"), Output.Column.field("TITLE", "title")));
    }

    private void modelFault() {
        step("A model fault: a new champion that fails inside ONNX Runtime for applicants asking for " + FAULT_BOUND
                + " months or more (it passes the promotion's smoke row)");
        JsonNode champion = api.get("/v1/models/" + model + "/versions/champion");
        int healthy = champion.path("version").asInt();
        byte[] artifact = api.getBytes("/v1/models/" + model + "/versions/" + healthy + "/artifact");
        Map<String, Object> metadata = new LinkedHashMap<>();
        for (String field : List.of("features", "metrics", "tags", "lineage")) {
            metadata.put(field, Json.MAPPER.convertValue(champion.path(field), Object.class));
        }
        metadata.put("description", "champion " + healthy + " with a lookup that fails for long durations");
        JsonNode faulty = api.upload("/v1/models/" + model + "/versions", FaultyModel.failingAtOrAbove(artifact, 0, FAULT_BOUND), metadata);
        int bad = faulty.path("version").asInt();
        api.post("/v1/models/" + model + "/aliases/champion", Map.of("version", bad, "reason", "demo: a release with a hidden fault"));
        ok("champion: " + healthy + " -> " + bad + " (promoted: its smoke row scores)");

        CreditFeatures data = CreditFeatures.load();
        int sent = 0;
        int fallbacks = 0;
        int longOnes = 0;
        for (Map<String, String> row : data.rows().subList(0, 200)) {
            Map<String, Object> applicant = new LinkedHashMap<>();
            for (String feature : CreditFeatures.FEATURES) {
                applicant.put(feature, CreditFeatures.feature(row, feature));
            }
            longOnes += CreditFeatures.feature(row, "duration") >= FAULT_BOUND ? 1 : 0;
            JsonNode answer = api.post("/v1/endpoints/" + endpoint + "/predict", Map.of("instances", List.of(applicant)));
            sent++;
            fallbacks += answer.path("version").asInt() != bad ? 1 : 0;
        }
        ok(sent + " real applicants sent one by one; " + longOnes + " ask for " + FAULT_BOUND + "+ months; " + fallbacks
                + " answers came from another version than " + bad + " (fallback, then the rollback); no request failed");

        JsonNode incident = await("the model-error incident with the policy's actions", () -> incidentOf("endpoint.model_error"),
                found -> actions(found).size() >= 3);
        out.println("    timeline of " + incident.path("id").asText() + " (keel incident timeline " + incident.path("id").asText() + "):");
        for (JsonNode entry : api.get("/v1/incidents/" + incident.path("id").asText() + "/timeline").path("timeline")) {
            out.println("      " + entry.path("type").asText() + "  " + entry.path("actor").asText() + "  " + entry.path("text").asText()
                    + (entry.has("count") ? "  (x" + entry.path("count").asLong() + ")" : "")
                    + (entry.path("detail").has("outcome") ? "  [" + entry.path("detail").path("outcome").asText() + "]" : ""));
        }
        int now = api.get("/v1/models/" + model + "/versions/champion").path("version").asInt();
        if (now == bad) {
            throw new IllegalStateException("the policy did not roll the champion back");
        }
        ok("champion is version " + now + " again, rolled back by policy " + GUARD + " with the incident as the reason");
    }

    private void alerts(List<String> received, List<Boolean> verified) {
        step("Alerts at the receiver: one per incident group, signed, saying what automation already did");
        await("alerts at the receiver", () -> received.isEmpty() ? null : Json.MAPPER.createObjectNode(),
                ignored -> received.stream().anyMatch(body -> body.contains("endpoint.model_error")));
        for (String body : received) {
            JsonNode notification = Json.read(body, JsonNode.class);
            for (JsonNode alert : notification.path("alerts")) {
                String actions = alert.path("actionsTaken").isEmpty() ? "" : "; automation: " + alert.path("actionsTaken").size() + " action(s)";
                out.println("    " + alert.path("status").asText() + "  " + alert.path("severity").asText() + "  " + alert.path("title").asText()
                        + "  -> " + alert.path("incident").asText() + actions);
            }
        }
        ok(received.size() + " notification(s) received, signatures verified: " + verified.stream().allMatch(Boolean::booleanValue));
        JsonNode symptom = await("the fallback incident's alert held by inhibition", () -> incidentOf("endpoint.fallback_used"),
                found -> !held(found).isEmpty());
        ok("endpoint.fallback_used (" + symptom.path("id").asText() + "): " + held(symptom).getFirst() + " (inhibition: the symptom of what"
                + " automation is handling pages no one; it is sent if it still fires after the rollback incident resolves)");
    }

    private void recurringFault() {
        step("A recurring fault: two nightly pipelines read one upstream export; it goes missing, is 'fixed', and goes missing again");
        Path export = inbox.resolve("applications.csv");
        try {
            Files.createDirectories(inbox);
            Files.copy(CreditFeatures.locate(CreditFeatures.CSV).orElseThrow(), export, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String pipeline : List.of("nightly-scoring-input", "nightly-reporting")) {
            api.post("/v1/pipelines", Map.of("spec", """
                    pipeline: %s
                    project: %s
                    sources:
                      - {name: export, type: csv, path: '%s', header: true}
                    outputs:
                      - {dataset: %s-out, from: export}
                    """.formatted(pipeline, project, export.toAbsolutePath(), pipeline)));
        }
        runBoth("the export is there");
        try {
            Files.delete(export);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        runBoth("the export is missing");
        JsonNode incident = await("the unreachable-source incident", () -> incidentOf("pipeline.source_unreachable"), found -> true);
        api.post("/v1/incidents/" + incident.path("id").asText() + "/resolve", Map.of("comment", "demo: the export job was restarted"));
        ok("an operator resolves " + incident.path("id").asText() + " (keel incident resolve)");
        runBoth("the export is missing again the next night");

        JsonNode report = await("the escalation of the recurring fault", () -> api.get("/v1/incident-patterns?project=" + project + "&since=1d"),
                found -> found.path("escalations").findValuesAsText("rule").contains("reopened"));
        out.println("    keel incident patterns --project " + project + " --since 1d:");
        for (JsonNode cause : report.path("causes")) {
            out.println("      cause  " + cause.path("occurrences").asLong() + " occurrences, " + cause.path("episodes").asLong() + " episode(s)  "
                    + cause.path("title").asText());
        }
        List<String> rules = new ArrayList<>();
        for (JsonNode escalation : report.path("escalations")) {
            rules.add(escalation.path("rule").asText());
            out.println("      escalated (" + escalation.path("rule").asText() + ") " + escalation.path("incident").asText() + ": "
                    + escalation.path("text").asText());
        }
        if (!rules.contains("reopened") || report.path("escalations").findValuesAsText("upstream").stream().noneMatch(up -> up.contains("file"))) {
            throw new IllegalStateException("the recurring fault was not escalated with its upstream: " + rules);
        }
        ok("the fault that came back was escalated, and both pipelines were traced to one upstream file");
    }

    private void runBoth(String situation) {
        List<String> statuses = new ArrayList<>();
        for (String pipeline : List.of("nightly-scoring-input", "nightly-reporting")) {
            JsonNode run = PipelineCommands.await(api, api.post("/v1/pipelines/" + pipeline + "/runs?wait=60", Map.of()), line -> { });
            statuses.add(pipeline + " " + run.path("status").asText().toLowerCase(java.util.Locale.ROOT));
        }
        ok(situation + ": " + String.join(", ", statuses));
    }

    private JsonNode incidentOf(String kind) {
        for (JsonNode incident : api.get("/v1/incidents?project=" + project + "&status=all").path("incidents")) {
            if (incident.path("kind").asText().equals(kind)) {
                return incident;
            }
        }
        return null;
    }

    private List<String> held(JsonNode incident) {
        List<String> held = new ArrayList<>();
        for (JsonNode entry : api.get("/v1/incidents/" + incident.path("id").asText() + "/timeline").path("timeline")) {
            if (entry.path("text").asText().startsWith("alert held")) {
                held.add(entry.path("text").asText());
            }
        }
        return held;
    }

    private List<JsonNode> actions(JsonNode incident) {
        List<JsonNode> actions = new ArrayList<>();
        for (JsonNode entry : api.get("/v1/incidents/" + incident.path("id").asText() + "/timeline").path("timeline")) {
            if (entry.path("type").asText().equals("action")) {
                actions.add(entry);
            }
        }
        return actions;
    }

    /** Polls (at most 20 s) until the lookup answers something the condition accepts. */
    private static JsonNode await(String what, java.util.function.Supplier<JsonNode> lookup, Predicate<JsonNode> condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode found = lookup.get();
            if (found != null && condition.test(found)) {
                return found;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what);
            }
        }
        throw new IllegalStateException("waited 20 s for " + what);
    }

    private static String describePolicy(JsonNode applied) {
        JsonNode policy = applied.has("policy") ? applied.path("policy") : applied;
        return "policy " + policy.path("name").asText() + " applied (version " + policy.path("version").asText() + ")";
    }

    private void step(String title) {
        out.println();
        out.println("[incidents " + ++step + "] " + title);
    }

    private void ok(String message) {
        out.println("    ok: " + message);
    }
}
