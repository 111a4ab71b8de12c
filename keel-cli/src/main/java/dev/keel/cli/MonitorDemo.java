package dev.keel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The monitoring part of the demo: gives the champion a reference (its training applicants), declares a drift monitor,
 * replays real traffic through the prediction log (a stationary sample of applicants, then a real subpopulation: applicants
 * with an overdrawn checking account asking for 24 months or more) and shows the breach through the API and the CLI.
 */
final class MonitorDemo {
    static final String MONITOR = "credit-risk-input-drift";
    static final String ACCURACY = "credit-risk-accuracy";
    private static final int BATCH = 25;
    private static final int WINDOW = 100;

    private MonitorDemo() {
    }

    /** Runs the steps against a server whose model already has version {@code version}; fails when the breach does not show. */
    static void run(KeelClient api, String url, String token, String model, int version, String endpoint, PrintStream out) {
        CreditFeatures data = CreditFeatures.load();
        List<Map<String, String>> rows = data.rows();

        out.println();
        out.println("[monitor 1] Give " + model + ":" + version + " its reference: the dataset snapshot it was trained on (from its lineage)");
        JsonNode profile = api.post("/v1/models/" + model + "/versions/" + version + "/reference", Map.of("dataset", "lineage"));
        out.println("    ok: " + profile.path("source").asText() + ", " + profile.path("rows").asLong() + " rows, " + profile.path("columns").size()
                + " columns, sha256 " + profile.path("sha256").asText().substring(0, 16) + "...");

        out.println();
        out.println("[monitor 2] Declare a drift monitor: PSI >= 0.2 on duration, credit_amount, checking_status_lt_0 over the last "
                + WINDOW + " predictions");
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("name", MONITOR);
        spec.put("model", model);
        spec.put("statistic", "psi");
        spec.put("features", List.of("duration", "credit_amount", "checking_status_lt_0"));
        spec.put("window", WINDOW + " predictions");
        spec.put("limit", 0.2);
        JsonNode monitor = api.post("/v1/monitors?replace=true", spec);
        out.println("    ok: monitor " + monitor.path("id").asText());

        List<Map<String, String>> shuffled = new ArrayList<>(rows);
        Collections.shuffle(shuffled, new Random(42));
        List<Map<String, String>> stationary = shuffled.subList(0, 300);
        out.println();
        out.println("[monitor 3] Send 300 randomly drawn applicants (stationary traffic) through POST /v1/endpoints/" + endpoint
                + "/predict; every prediction is logged asynchronously");
        List<String> stationaryIds = replay(api, endpoint, stationary);
        JsonNode calm = api.post("/v1/monitors/" + MONITOR + "/evaluate", Map.of());
        out.println("    ok: state " + calm.path("state").asText() + ", worst PSI " + MonitorCommands.number(calm.path("value")));
        if (!calm.path("state").asText().equals("ok")) {
            throw new IllegalStateException("stationary traffic should not breach: " + calm.path("detail"));
        }

        out.println();
        out.println("[monitor 4] Ground truth arrives later: post the 300 applicants' real outcomes and evaluate an accuracy monitor");
        List<Map<String, Object>> labels = new ArrayList<>();
        for (int i = 0; i < stationary.size(); i++) {
            labels.add(Map.of("requestId", stationaryIds.get(i), "label", stationary.get(i).get("class")));
        }
        api.post("/v1/labels", Map.of("labels", labels));
        api.post("/v1/monitors?replace=true", Map.of("name", ACCURACY, "model", model, "statistic", "accuracy",
                "window", stationary.size() + " predictions", "limit", 0.6));
        JsonNode accuracy = api.post("/v1/monitors/" + ACCURACY + "/evaluate", Map.of());
        out.println("    ok: accuracy " + MonitorCommands.number(accuracy.path("value")) + " on " + accuracy.path("sampleSize").asLong()
                + " labelled predictions, state " + accuracy.path("state").asText() + " (limit 0.6)");
        if (!accuracy.path("value").isNumber()) {
            throw new IllegalStateException("labels were not joined to the logged predictions: " + accuracy);
        }

        List<Map<String, String>> shifted = rows.stream()
                .filter(row -> row.get("checking_status").equals("<0") && Integer.parseInt(row.get("duration")) >= 24).toList();
        Instant shiftStart = Instant.now();
        out.println();
        out.println("[monitor 5] Send a shifted segment: the " + shifted.size()
                + " real applicants with checking_status '<0' and duration >= 24 months, then evaluate");
        replay(api, endpoint, shifted);
        JsonNode drifted = api.post("/v1/monitors/" + MONITOR + "/evaluate", Map.of());
        out.println("    ok: state " + drifted.path("state").asText() + ", drifted " + drifted.path("detail").path("drifted"));
        if (!drifted.path("state").asText().equals("breached")) {
            throw new IllegalStateException("the shifted segment should breach: " + drifted.path("detail"));
        }
        Instant now = Instant.now();

        out.println();
        out.println("[monitor 6] The breach, as the incident system will read it (GET /v1/breaches?model=" + model + ")");
        JsonNode breaches = api.get("/v1/breaches?model=" + model).path("breaches");
        Output.table(out, breaches, MonitorCommands.BREACH_COLUMNS);
        if (breaches.isEmpty()) {
            throw new IllegalStateException("no breach was recorded");
        }

        out.println();
        out.println("[monitor 7] keel monitor list, keel monitor history " + MONITOR + ", keel drift report --model " + model);
        String[] connection = {"--url", url, "--token", token};
        PrintStream original = System.out;
        try {
            System.setOut(out);
            cli("monitor", "list", connection);
            out.println();
            cli("monitor", "history", connection, MONITOR);
            out.println();
            cli("drift", "report", connection, "--model", model, "--from", shiftStart.toString(), "--to", now.plusSeconds(1).toString());
        } finally {
            System.setOut(original);
        }
    }

    private static void cli(String group, String command, String[] connection, String... arguments) {
        List<String> all = new ArrayList<>(List.of(group, command));
        all.addAll(List.of(connection));
        all.addAll(List.of(arguments));
        int exit = Main.run(all.toArray(String[]::new));
        if (exit != 0) {
            throw new IllegalStateException("keel " + String.join(" ", all.subList(0, 2)) + " exited with " + exit);
        }
    }

    private static Map<String, Object> features(Map<String, String> row) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (String feature : CreditFeatures.FEATURES) {
            values.put(feature, CreditFeatures.feature(row, feature));
        }
        return values;
    }

    /** Sends the applicants through the endpoint in batches and waits until the log has written them; returns a request id per row. */
    private static List<String> replay(KeelClient api, String endpoint, List<Map<String, String>> rows) {
        long before = api.get("/v1/predictions/log/stats").path("accepted").asLong();
        List<String> ids = new ArrayList<>();
        for (int from = 0; from < rows.size(); from += BATCH) {
            List<Map<String, String>> chunk = rows.subList(from, Math.min(rows.size(), from + BATCH));
            JsonNode answer = api.post("/v1/endpoints/" + endpoint + "/predict",
                    Map.of("instances", chunk.stream().map(MonitorDemo::features).toList()));
            String requestId = answer.path("requestId").asText();
            for (int row = 0; row < chunk.size(); row++) {
                ids.add(chunk.size() == 1 ? requestId : requestId + "/" + row);
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode stats = api.get("/v1/predictions/log/stats");
            long accepted = stats.path("accepted").asLong();
            if (accepted - before >= rows.size() && stats.path("queued").asLong() == 0 && stats.path("written").asLong() >= accepted) {
                return ids;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the prediction log");
            }
        }
        throw new IllegalStateException("the prediction log did not write the " + rows.size() + " predictions within 30 s");
    }
}
