package dev.keel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The security part of the demo: what a token may do follows its role and project, pipeline code cannot read the server's
 * files, and the audit log verifies against its signed checkpoints.
 */
final class SecurityDemo {
    private SecurityDemo() {
    }

    /** Runs the steps; fails when any refusal does not happen or the audit log does not verify. */
    static void run(KeelClient api, String url, String project, String pipeline, String dataset, PrintStream out) {
        out.println();
        out.println("[security 1] A consumer token (a business system) of project '" + project + "' may predict, not register models");
        KeelClient consumer = client(url, api.post("/v1/tokens", Map.of("name", "billing-system", "grants", Map.of(project, "consumer"),
                "expiresIn", "30d")));
        refused(out, "FORBIDDEN", () -> consumer.post("/v1/models", Map.of("name", "sneaky", "project", project)));

        out.println();
        out.println("[security 2] A scientist of project 'marketing' cannot read the pipeline or dataset of project 'default'");
        api.post("/v1/projects", Map.of("name", "marketing", "description", "Another team"));
        KeelClient outsider = client(url, api.post("/v1/tokens", Map.of("name", "marketing-scientist", "grants", Map.of("marketing",
                "scientist"), "expiresIn", "1d")));
        refused(out, "FORBIDDEN", () -> outsider.get("/v1/pipelines/" + pipeline));
        refused(out, "FORBIDDEN", () -> outsider.get("/v1/datasets/" + dataset + "/versions/latest/profile"));
        refused(out, "FORBIDDEN", () -> outsider.post("/v1/pipelines/" + pipeline + "/runs", Map.of()));

        out.println();
        out.println("[security 3] Pipeline code runs sandboxed: a scientist's SQL cannot read the server's environment or files");
        KeelClient scientist = client(url, api.post("/v1/tokens", Map.of("name", "default-scientist", "grants", Map.of("default",
                "scientist"), "expiresIn", "1d")));
        refused(out, "INVALID_SPEC", () -> scientist.post("/v1/pipelines", Map.of("spec", """
                pipeline: peek
                sources: [{name: raw, type: csv, path: examples/credit-g/credit-g.csv}]
                steps: [{name: leaked, type: sql, inputs: [raw], query: "SELECT content FROM read_text('/proc/self/environ')"}]
                outputs: [{dataset: peek, from: leaked}]
                """)));
        refused(out, "INVALID_SPEC", () -> scientist.post("/v1/pipelines", Map.of("spec", """
                pipeline: peek
                sources: [{name: raw, type: csv, path: ../../../../etc/passwd}]
                outputs: [{dataset: peek, from: raw}]
                """)));

        out.println();
        out.println("[security 4] The audit log: an HMAC chain under a key outside the database, held against signed checkpoints");
        JsonNode verification = api.get("/v1/audit/verify");
        if (!verification.path("intact").asBoolean()) {
            throw new IllegalStateException("audit log not intact: " + verification.path("message").asText());
        }
        out.println("    ok: " + verification.path("message").asText());
        out.println("    ok: key " + verification.path("keyId").asText() + ", " + verification.path("entries").asLong() + " entries, "
                + verification.path("checkpointsChecked").asLong() + " checkpoint(s) checked, " + verification.path("entriesAfterCheckpoint")
                .asLong() + " entries newer than the latest checkpoint");
    }

    private static KeelClient client(String url, JsonNode createdToken) {
        return new KeelClient(url, java.util.Optional.of(createdToken.path("secret").asText()));
    }

    private static void refused(PrintStream out, String code, Supplier<JsonNode> call) {
        try {
            call.get();
        } catch (KeelClient.ApiException e) {
            if (!e.code().equals(code) || e.status() < 400 || e.status() >= 500) {
                throw e;
            }
            out.println("    ok: refused with " + e.status() + " " + e.code() + ": " + e.getMessage().lines().findFirst().orElse(""));
            return;
        }
        throw new IllegalStateException("expected a refusal with " + code + "; the call succeeded");
    }
}
