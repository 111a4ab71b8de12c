package dev.keel.server;

import dev.keel.core.json.Json;
import java.io.PrintStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** One line per request, plain or JSON, with the request id. */
final class RequestLog {
    private final PrintStream out;
    private final boolean json;
    private final boolean enabled;

    RequestLog(PrintStream out, String format, boolean enabled) {
        this.out = out;
        this.json = format.equals("json");
        this.enabled = enabled;
    }

    void log(String requestId, String method, String path, int status, double millis, String actor) {
        if (!enabled) {
            return;
        }
        String line;
        if (json) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("ts", Instant.now().toString());
            fields.put("level", status >= 500 ? "ERROR" : "INFO");
            fields.put("msg", "request");
            fields.put("requestId", requestId);
            fields.put("method", method);
            fields.put("path", path);
            fields.put("status", status);
            fields.put("durationMs", Math.round(millis * 1000) / 1000.0);
            fields.put("actor", actor);
            line = Json.write(fields);
        } else {
            line = String.format(java.util.Locale.ROOT, "%s INFO request id=%s %s %s -> %d %.2fms actor=%s", Instant.now(), requestId, method,
                    path, status, millis, actor);
        }
        out.println(line);
    }
}
