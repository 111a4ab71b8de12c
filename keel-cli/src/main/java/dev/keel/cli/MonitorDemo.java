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
    private static final int WINDOW = 100;

    private MonitorDemo() {
    }

    /** Runs the steps against a server whose model already has version {@code version}; fails when the breach does not show. */
    static void run(KeelClient api, String url, String token, String model, int version, PrintStream out) {
        CreditFeatures data = CreditFeatures.load();
        List<Map<String, String>> rows = data.rows();

        out.println();
        out.println("[monitor 1] Give " + model + ":" + version + " its reference: the " + rows.size() + " training applicants");
        List<Map<String, Object>> reference = rows.stream().map(MonitorDemo::features).toList();
        JsonNode profile = api.post("/v1/models/" + model + "/versions/" + version + "/reference", Map.of("rows", reference));
        out.println("    ok: " + profile.path("rows").asLong() + " rows, " + profile.path("columns").size() + " columns, sha256 "
                + profile.path("sha256").asText().substring(0, 16) + "...");

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

        Instant now = Instant.now();
        List<Map<String, String>> shuffled = new ArrayList<>(rows);
        Collections.shuffle(shuffled, new Random(42));
        out.println();
        out.println("[monitor 3] Replay 300 randomly drawn applicants (stationary traffic) into the prediction log and evaluate");
        api.post("/v1/predictions/log", Map.of("records", records(shuffled.subList(0, 300), model, version, now.minus(Duration.ofMinutes(30)),
                "stationary-")));
        JsonNode calm = api.post("/v1/monitors/" + MONITOR + "/evaluate", Map.of());
        out.println("    ok: state " + calm.path("state").asText() + ", worst PSI " + MonitorCommands.number(calm.path("value")));
        if (!calm.path("state").asText().equals("ok")) {
            throw new IllegalStateException("stationary traffic should not breach: " + calm.path("detail"));
        }

        List<Map<String, String>> shifted = rows.stream()
                .filter(row -> row.get("checking_status").equals("<0") && Integer.parseInt(row.get("duration")) >= 24).toList();
        out.println();
        out.println("[monitor 4] Replay a shifted segment: the " + shifted.size()
                + " real applicants with checking_status '<0' and duration >= 24 months, then evaluate");
        api.post("/v1/predictions/log", Map.of("records", records(shifted, model, version, now.minus(Duration.ofMinutes(10)), "shifted-")));
        JsonNode drifted = api.post("/v1/monitors/" + MONITOR + "/evaluate", Map.of());
        out.println("    ok: state " + drifted.path("state").asText() + ", drifted " + drifted.path("detail").path("drifted"));
        if (!drifted.path("state").asText().equals("breached")) {
            throw new IllegalStateException("the shifted segment should breach: " + drifted.path("detail"));
        }

        out.println();
        out.println("[monitor 5] The breach, as the incident system will read it (GET /v1/breaches?model=" + model + ")");
        JsonNode breaches = api.get("/v1/breaches?model=" + model).path("breaches");
        Output.table(out, breaches, MonitorCommands.BREACH_COLUMNS);
        if (breaches.isEmpty()) {
            throw new IllegalStateException("no breach was recorded");
        }

        out.println();
        out.println("[monitor 6] keel monitor list, keel monitor history " + MONITOR + ", keel drift report --model " + model);
        String[] connection = {"--url", url, "--token", token};
        PrintStream original = System.out;
        try {
            System.setOut(out);
            cli("monitor", "list", connection);
            out.println();
            cli("monitor", "history", connection, MONITOR);
            out.println();
            cli("drift", "report", connection, "--model", model, "--from", now.minus(Duration.ofMinutes(11)).toString(), "--to",
                    now.toString());
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

    private static List<Map<String, Object>> records(List<Map<String, String>> rows, String model, int version, Instant start, String prefix) {
        List<Map<String, Object>> records = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("requestId", prefix + i);
            record.put("endpoint", model);
            record.put("model", model);
            record.put("version", version);
            record.put("time", start.plusMillis(i * 1000L).toString());
            record.put("inputs", features(rows.get(i)));
            record.put("outputs", Map.of());
            records.add(record);
        }
        return records;
    }
}
