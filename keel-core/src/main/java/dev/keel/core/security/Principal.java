package dev.keel.core.security;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who is calling: a token's id and name and the role it holds per project ({@code *} means every project). An API token's
 * id is {@code tk_…}; a caller signed in at the identity provider is {@code oidc:<subject>}.
 */
public record Principal(String tokenId, String name, Map<String, Role> grants) {
    public static final String ALL_PROJECTS = "*";

    public Principal {
        Objects.requireNonNull(tokenId, "tokenId");
        Objects.requireNonNull(name, "name");
        grants = Map.copyOf(grants);
    }

    /** True when the principal holds the permission in the project (or globally, for global permissions). */
    public boolean can(Permission permission, String project) {
        Role everywhere = grants.get(ALL_PROJECTS);
        if (everywhere != null && everywhere.grants(permission)) {
            return true;
        }
        if (!permission.projectScoped()) {
            return false;
        }
        Role role = grants.get(project);
        return role != null && role.grants(permission);
    }

    /** True when the principal holds the permission in at least one project. */
    public boolean canSomewhere(Permission permission) {
        return grants.values().stream().anyMatch(role -> role.grants(permission))
                && (permission.projectScoped() || can(permission, ALL_PROJECTS));
    }

    /** The projects where the permission is held; contains {@code *} when it is held everywhere. */
    public Set<String> projectsWith(Permission permission) {
        return grants.entrySet().stream().filter(entry -> entry.getValue().grants(permission)).map(Map.Entry::getKey)
                .collect(Collectors.toUnmodifiableSet());
    }

    /** The label written to the audit log. */
    public String actor() {
        return name + " (" + tokenId + ")";
    }
}
