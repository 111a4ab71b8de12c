package dev.keel.server;

import dev.keel.core.security.Permission;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** The route table: every route Keel serves, with the permission it needs. Routes cannot be added without one. */
public final class Api {
    private static final Function<Call, Optional<String>> NO_PROJECT = call -> Optional.empty();
    private final List<ApiRoute> routes = new ArrayList<>();

    public List<ApiRoute> routes() {
        return List.copyOf(routes);
    }

    /** A route open to anyone; only for health checks. */
    public void publicGet(String path, String operationId, String summary, ApiHandler handler) {
        routes.add(new ApiRoute("GET", path, Optional.empty(), NO_PROJECT, false, operationId, summary, handler));
    }

    /** A read route. */
    public RouteBuilder get(String path, Permission permission) {
        return new RouteBuilder("GET", path, permission, false);
    }

    /** A state-changing route; audited. */
    public RouteBuilder post(String path, Permission permission) {
        return new RouteBuilder("POST", path, permission, true);
    }

    public RouteBuilder put(String path, Permission permission) {
        return new RouteBuilder("PUT", path, permission, true);
    }

    public RouteBuilder delete(String path, Permission permission) {
        return new RouteBuilder("DELETE", path, permission, true);
    }

    /** Builds a route; {@link #handle} adds it to the table. */
    public final class RouteBuilder {
        private final String method;
        private final String path;
        private final Permission permission;
        private boolean audited;
        private Function<Call, Optional<String>> project = NO_PROJECT;
        private String operationId;
        private String summary = "";

        private RouteBuilder(String method, String path, Permission permission, boolean audited) {
            this.method = method;
            this.path = path;
            this.permission = permission;
            this.audited = audited;
        }

        /** How the call's project is found. */
        public RouteBuilder project(Function<Call, Optional<String>> resolver) {
            this.project = resolver;
            return this;
        }

        /** A POST that changes nothing (prediction): not audited. */
        public RouteBuilder notAudited() {
            this.audited = false;
            return this;
        }

        public RouteBuilder describe(String operationId, String summary) {
            this.operationId = operationId;
            this.summary = summary;
            return this;
        }

        public void handle(ApiHandler handler) {
            if (operationId == null) {
                throw new IllegalStateException("route " + method + " " + path + " needs describe(operationId, summary)");
            }
            routes.add(new ApiRoute(method, path, Optional.of(permission), project, audited, operationId, summary, handler));
        }
    }
}
