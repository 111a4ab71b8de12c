package dev.keel.server;

import dev.keel.core.security.Permission;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Health, metrics, the OpenAPI document, server information and the caller's identity. */
final class SystemRoutes implements HttpService {
    private final Keel keel;
    private final Api table;
    private final Readiness readiness;

    SystemRoutes(Keel keel, Api table, Readiness readiness) {
        this.keel = keel;
        this.table = table;
        this.readiness = readiness;
    }

    @Override
    public void routes(Api api) {
        api.publicGet("/health/live", "health.live", "The process is up", call -> call.ok(Map.of("status", "up")));
        api.publicGet("/health/ready", "health.ready", "The server accepts work: the metadata store answers and it is not shutting down",
                call -> {
                    Readiness.Report report = readiness.check();
                    call.json(report.ready() ? 200 : 503, report.body());
                });
        api.get("/metrics", Permission.METRICS_READ).describe("server.metrics", "Prometheus metrics").handle(call ->
                call.context().contentType("text/plain; version=0.0.4; charset=utf-8").result(keel.metrics().scrape()));
        api.get("/openapi.json", Permission.SERVER_READ).describe("server.openapi", "This API as an OpenAPI 3.1 document")
                .handle(call -> call.ok(OpenApi.document(table.routes(), Version.current())));
        api.get("/v1/server", Permission.SERVER_READ).describe("server.info", "Version, store and runtimes").handle(call -> call.ok(Map.of(
                "version", Version.current(),
                "store", keel.database().dialect().name().toLowerCase(java.util.Locale.ROOT),
                "runtimes", keel.runtimes().formats())));
        api.get("/v1/whoami", Permission.SERVER_READ).describe("server.whoami", "The calling token and its grants").handle(call -> {
            Map<String, String> grants = new LinkedHashMap<>();
            call.principal().grants().forEach((project, role) -> grants.put(project, role.wireName()));
            call.ok(Map.of("tokenId", call.principal().tokenId(), "name", call.principal().name(), "grants", grants,
                    "permissions", List.copyOf(call.principal().grants().values().stream().flatMap(role -> role.permissions().stream())
                            .map(Enum::name).distinct().sorted().toList())));
        });
    }
}
