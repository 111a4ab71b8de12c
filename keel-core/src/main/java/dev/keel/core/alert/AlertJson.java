package dev.keel.core.alert;

import dev.keel.core.json.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON a webhook receives; its shape is documented in docs/alerts.md. */
final class AlertJson {
    private AlertJson() {
    }

    static String webhookBody(Notification notification) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("version", "1");
        body.put("key", notification.key());
        body.put("status", notification.status().name().toLowerCase(java.util.Locale.ROOT));
        body.put("summary", notification.summary());
        body.put("groupLabels", notification.groupLabels());
        body.put("alerts", notification.alerts().stream().map(AlertJson::alert).toList());
        return Json.write(body);
    }

    static String slackBody(Notification notification) {
        return Json.write(Map.of("text", notification.plainText()));
    }

    static Map<String, Object> alert(Alert alert) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("key", alert.key());
        out.put("project", alert.project());
        out.put("severity", alert.severity().label());
        out.put("status", alert.status().name().toLowerCase(java.util.Locale.ROOT));
        out.put("title", alert.title());
        out.put("text", alert.text());
        out.put("labels", alert.labels());
        out.put("actionsTaken", List.copyOf(alert.actionsTaken()));
        out.put("incident", alert.incidentLink().orElse(null));
        out.put("at", alert.at().toString());
        return out;
    }
}
