package dev.keel.server;

import dev.keel.core.security.Permission;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * One route of the HTTP API and what it needs: every route names a permission (or is one of the few public health
 * routes), how to find the project the call acts in, and whether it is audited.
 *
 * @param permission empty only for public routes
 * @param project finds the project of the call (from a path parameter, the body, a query parameter); empty when the
 *     route spans projects, in which case the handler filters by {@link Call#projectsWith(Permission)}
 * @param audited true for calls that change state
 * @param operationId a stable name such as {@code model.promote}, used in the audit log, metrics and OpenAPI
 */
public record ApiRoute(String method, String path, Optional<Permission> permission, Function<Call, Optional<String>> project,
                       boolean audited, String operationId, String summary, ApiHandler handler) {
    public ApiRoute {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(permission, "permission");
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(operationId, "operationId");
        Objects.requireNonNull(summary, "summary");
        Objects.requireNonNull(handler, "handler");
    }

    public boolean isPublic() {
        return permission.isEmpty();
    }
}
