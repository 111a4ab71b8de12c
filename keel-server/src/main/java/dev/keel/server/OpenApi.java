package dev.keel.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Builds the OpenAPI 3.1 document from the route table, so it can never drift from what is served. */
final class OpenApi {
    private static final Pattern PARAMETER = Pattern.compile("\\{([^}]+)}");

    private OpenApi() {
    }

    static Map<String, Object> document(List<ApiRoute> routes, String version) {
        Map<String, Object> paths = new LinkedHashMap<>();
        for (ApiRoute route : routes) {
            @SuppressWarnings("unchecked")
            Map<String, Object> item = (Map<String, Object>) paths.computeIfAbsent(route.path(), key -> new LinkedHashMap<>());
            Map<String, Object> operation = new LinkedHashMap<>();
            operation.put("operationId", route.operationId());
            operation.put("summary", route.summary());
            operation.put("tags", List.of(route.operationId().split("\\.")[0]));
            List<Map<String, Object>> parameters = new ArrayList<>();
            Matcher matcher = PARAMETER.matcher(route.path());
            while (matcher.find()) {
                parameters.add(Map.of("name", matcher.group(1), "in", "path", "required", true, "schema", Map.of("type", "string")));
            }
            if (!parameters.isEmpty()) {
                operation.put("parameters", parameters);
            }
            if (route.isPublic()) {
                operation.put("security", List.of());
            } else {
                operation.put("x-keel-permission", route.permission().orElseThrow().name());
                operation.put("x-keel-audited", route.audited());
            }
            Map<String, Object> responses = new LinkedHashMap<>();
            responses.put("2XX", Map.of("description", "Success"));
            responses.put("4XX", Map.of("description", "Problem", "content", Map.of("application/problem+json",
                    Map.of("schema", Map.of("$ref", "#/components/schemas/Problem")))));
            operation.put("responses", responses);
            item.put(route.method().toLowerCase(Locale.ROOT), operation);
        }
        Map<String, Object> problem = Map.of("type", "object", "properties", Map.of(
                "type", Map.of("type", "string"), "title", Map.of("type", "string"), "status", Map.of("type", "integer"),
                "detail", Map.of("type", "string"), "code", Map.of("type", "string"), "instance", Map.of("type", "string"),
                "requestId", Map.of("type", "string"), "errors", Map.of("type", "array", "items", Map.of("type", "object"))));
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("openapi", "3.1.0");
        document.put("info", Map.of("title", "Keel API", "version", version, "license", Map.of("name", "Apache-2.0")));
        document.put("security", List.of(Map.of("bearer", List.of())));
        document.put("components", Map.of("securitySchemes", Map.of("bearer", Map.of("type", "http", "scheme", "bearer")),
                "schemas", Map.of("Problem", problem)));
        document.put("paths", paths);
        return document;
    }
}
