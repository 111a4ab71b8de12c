package dev.keel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The security part of the demo: what a token may do follows its role and project, pipeline code cannot read the server's
 * files, sensitive columns are masked for callers without SENSITIVE_READ, and the audit log verifies against its signed
 * checkpoints.
 */
final class SecurityDemo {
    private SecurityDemo() {
    }

    /** Runs the steps; fails when any refusal does not happen or the audit log does not verify. */
    static void run(KeelClient api, String url, String project, String pipeline, String dataset, String model, PrintStream out) {
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

        sensitiveColumns(api, url, project, model, out);

        out.println();
        out.println("[security 5] The audit log: an HMAC chain under a key outside the database, held against signed checkpoints");
        JsonNode verification = api.get("/v1/audit/verify");
        if (!verification.path("intact").asBoolean()) {
            throw new IllegalStateException("audit log not intact: " + verification.path("message").asText());
        }
        out.println("    ok: " + verification.path("message").asText());
        out.println("    ok: key " + verification.path("keyId").asText() + ", " + verification.path("entries").asLong() + " entries, "
                + verification.path("checkpointsChecked").asLong() + " checkpoint(s) checked, " + verification.path("entriesAfterCheckpoint")
                .asLong() + " entries newer than the latest checkpoint");
    }

    /**
     * A pipeline output that declares personal data sensitive, read by a scientist (masked) and by a steward (raw); the model's
     * sensitive feature in the prediction log likewise.
     */
    private static void sensitiveColumns(KeelClient api, String url, String project, String model, PrintStream out) {
        out.println();
        out.println("[security 4] Sensitive columns: masked for a scientist, raw for a steward (SENSITIVE_READ) of project '" + project + "'");
        api.postText("/v1/pipelines", """
                pipeline: applicants
                project: %s
                description: Credit applicants with an account reference; personal data is declared sensitive.
                sources:
                  - {name: applications, type: csv, path: examples/credit-g/credit-g.csv, header: true}
                steps:
                  - name: accounts
                    type: derive
                    input: applications
                    columns:
                      account: "'DE-ACCT-' || lpad(CAST(duration * 100000 + credit_amount AS VARCHAR), 9, '0')"
                outputs:
                  - dataset: applicants
                    from: accounts
                    sensitive: {account: hash, personal_status: hash, age: redact, credit_amount: 'null'}
                """.formatted(project), "application/yaml");
        JsonNode run = api.post("/v1/pipelines/applicants/runs?wait=true", Map.of());
        if (!run.path("status").asText().equals("SUCCEEDED")) {
            throw new IllegalStateException("pipeline applicants did not succeed: " + run.path("error").asText());
        }
        KeelClient scientist = client(url, api.post("/v1/tokens", Map.of("name", project + "-scientist", "grants", Map.of(project,
                "scientist"), "expiresIn", "1d")));
        KeelClient steward = client(url, api.post("/v1/tokens", Map.of("name", project + "-steward", "grants", Map.of(project,
                "steward"), "expiresIn", "1d")));
        String rows = "/v1/datasets/applicants/versions/latest/rows?limit=1&columns=account,personal_status,age,credit_amount,purpose";
        JsonNode raw = steward.get(rows);
        JsonNode masked = scientist.get(rows);
        out.println("    columns:   " + raw.path("columns"));
        out.println("    steward:   " + raw.path("rows").path(0));
        out.println("    scientist: " + masked.path("rows").path(0));
        if (masked.path("rows").path(0).equals(raw.path("rows").path(0)) || !masked.path("rows").path(0).path(0).asText().startsWith("h:")) {
            throw new IllegalStateException("the scientist read the sensitive columns unmasked: " + masked.path("rows"));
        }
        JsonNode profile = scientist.get("/v1/datasets/applicants/versions/latest/profile");
        for (JsonNode column : profile.path("columns")) {
            if (column.path("name").asText().equals("age")) {
                out.println("    ok: the scientist's profile of age keeps counts (" + column.path("count").asLong() + " values, "
                        + column.path("distinct").asLong() + " distinct) but no min, max, quantiles or top values");
            }
        }
        String predictions = "/v1/models/" + model + "/predictions?limit=1";
        JsonNode logged = steward.get(predictions).path("predictions").path(0).path("inputs");
        if (!logged.isMissingNode()) {
            out.println("    prediction log, feature age: steward " + logged.path("age") + ", scientist "
                    + scientist.get(predictions).path("predictions").path(0).path("inputs").path("age"));
        }
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
