package dev.keel.server;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The headers every answer carries, whichever layer writes it (a route, an error mapping, Jetty's own error handler): no
 * content sniffing, no framing, no referrer, no caching, a content security policy that lets an API answer load nothing,
 * and {@code Strict-Transport-Security} when the server speaks TLS.
 */
final class SecurityHeaders {
    /** Two years, the value browsers' preload lists ask for. */
    static final String HSTS = "max-age=63072000; includeSubDomains";

    private final Map<String, String> headers;

    SecurityHeaders(boolean tls) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("X-Content-Type-Options", "nosniff");
        all.put("X-Frame-Options", "DENY");
        all.put("Referrer-Policy", "no-referrer");
        all.put("Cache-Control", "no-store");
        all.put("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
        if (tls) {
            all.put("Strict-Transport-Security", HSTS);
        }
        this.headers = Map.copyOf(all);
    }

    /** Sets each header through {@code put} (a Javalin context's or Jetty's response headers), replacing any value it had. */
    void apply(BiConsumer<String, String> put) {
        headers.forEach(put);
    }

    Map<String, String> headers() {
        return headers;
    }
}
