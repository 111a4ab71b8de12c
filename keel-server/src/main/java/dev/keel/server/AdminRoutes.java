package dev.keel.server;

import dev.keel.core.config.ConfigNode;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.security.AuditLog;
import dev.keel.core.security.Permission;
import dev.keel.core.security.Principal;
import dev.keel.core.security.RewrapReport;
import dev.keel.core.security.Role;
import dev.keel.core.security.TokenService;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Tokens, projects and the audit log. */
final class AdminRoutes implements HttpService {
    private final Keel keel;

    AdminRoutes(Keel keel) {
        this.keel = keel;
    }

    /** Body of POST /v1/tokens. */
    record CreateToken(String name, Map<String, String> grants, String expiresIn, String expiresAt) {
    }

    /** Body of POST /v1/projects. */
    record CreateProject(String name, String description) {
    }

    @Override
    public void routes(Api api) {
        api.get("/v1/tokens", Permission.TOKEN_ADMIN).describe("token.list", "Every token (never its secret)").handle(call -> {
            Instant now = keel.clock().instant();
            call.ok(Map.of("tokens", keel.tokens().list().stream().map(token -> tokenView(token, now)).toList()));
        });
        api.post("/v1/tokens", Permission.TOKEN_ADMIN).describe("token.create", "Create a token; its secret is shown once").handle(call -> {
            CreateToken request = call.json(CreateToken.class);
            KeelException.requireArgument(request.grants() != null && !request.grants().isEmpty(),
                    "field 'grants' must map at least one project (or '*') to a role: viewer, consumer, scientist, steward, operator, admin");
            Map<String, Role> grants = new LinkedHashMap<>();
            for (var grant : request.grants().entrySet()) {
                String project = grant.getKey();
                Role role = Role.parse(grant.getValue()).orElseThrow(() -> new KeelException(ErrorCode.INVALID_REQUEST,
                        "grants." + project + " is '" + grant.getValue() + "'; expected one of viewer, consumer, scientist, steward, operator, admin",
                        List.of(new KeelException.FieldError("grants." + project, "unknown role"))));
                if (!project.equals(Principal.ALL_PROJECTS)) {
                    keel.projects().require(project);
                }
                grants.put(project, role);
            }
            Optional<Instant> expiresAt = expiry(request);
            TokenService.CreatedToken created = keel.tokens().create(request.name(), grants, expiresAt, call.actor(), Optional.empty());
            Map<String, Object> body = tokenView(created.token(), keel.clock().instant());
            body.put("secret", created.secret());
            call.created(body);
        });
        api.delete("/v1/tokens/{id}", Permission.TOKEN_ADMIN).describe("token.revoke", "Revoke a token").handle(call ->
                call.ok(tokenView(keel.tokens().revoke(call.path("id"), call.actor()), keel.clock().instant())));

        api.get("/v1/projects", Permission.PROJECT_READ).describe("project.list", "Projects the caller can see").handle(call ->
                call.ok(Map.of("projects", keel.projects().list().stream()
                        .filter(project -> call.sees(Permission.PROJECT_READ, project.name())).toList())));
        api.post("/v1/projects", Permission.PROJECT_ADMIN).describe("project.create", "Create a project").handle(call -> {
            CreateProject request = call.json(CreateProject.class);
            call.created(keel.projects().create(request.name(), request.description() == null ? "" : request.description(), call.actor()));
        });

        api.get("/v1/audit", Permission.AUDIT_READ).project(call -> call.query("project"))
                .describe("audit.list", "Audit entries, newest first: of the projects where the caller holds AUDIT_READ; every entry,"
                        + " including those of no project, for a global holder").handle(call -> {
                    int limit = call.queryInt("limit", 100, 1, 1000);
                    Optional<Long> before = call.query("before").map(value -> (long) call.queryInt("before", 0, 1, Integer.MAX_VALUE));
                    Optional<String> project = call.query("project");
                    Set<String> readable = call.projectsWith(Permission.AUDIT_READ);
                    List<AuditLog.Entry> entries = project.isPresent() || readable.contains(Principal.ALL_PROJECTS)
                            ? keel.audit().list(project, limit, before)
                            : keel.audit().listOf(readable, limit, before);
                    call.ok(Map.of("entries", entries));
                });
        api.post("/v1/admin/rewrap", Permission.KEY_ADMIN).describe("encryption.rewrap", "Wrap the data key of every encrypted artifact"
                + " and dataset snapshot under the active encryption key (the header of each file is rewritten and renamed into place"
                + " while the server serves) and seal every Slack channel URL under it; tells how many were re-wrapped, already current,"
                + " plaintext or failed").handle(call -> {
                    if (!keel.config().security().encryption().active().isPresent()) {
                        throw KeelException.conflict("encryption at rest is off: set security.encryption.keys and security.encryption.active"
                                + " before re-wrapping");
                    }
                    RewrapReport artifacts = keel.artifacts().rewrap();
                    RewrapReport snapshots = keel.data().service().rewrapSnapshots();
                    RewrapReport channels = keel.alerting().rewrapChannels();
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("activeKey", artifacts.activeKey());
                    body.put("artifacts", rewrapView(artifacts));
                    body.put("snapshots", rewrapView(snapshots));
                    body.put("alertChannels", rewrapView(channels));
                    body.put("total", rewrapView(artifacts.plus(snapshots).plus(channels)));
                    call.ok(body);
                });
        api.get("/v1/audit/verify", Permission.AUDIT_READ)
                .describe("audit.verify", "Walk the whole audit chain and hold it against the signed checkpoints; tells counts, seqs,"
                        + " hashes and key ids only, so it is open to AUDIT_READ in any project")
                .handle(call -> call.ok(keel.audit().verify()));
    }

    private static Map<String, Object> rewrapView(RewrapReport report) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("rewrapped", report.rewrapped());
        view.put("current", report.current());
        view.put("plaintext", report.plaintext());
        view.put("failed", report.failed());
        view.put("failures", report.failures());
        return view;
    }

    private Optional<Instant> expiry(CreateToken request) {
        if (request.expiresAt() != null && request.expiresIn() != null) {
            throw KeelException.badRequest("give either 'expiresAt' or 'expiresIn', not both");
        }
        if (request.expiresAt() != null) {
            try {
                return Optional.of(Instant.parse(request.expiresAt()));
            } catch (DateTimeParseException e) {
                throw new KeelException(ErrorCode.INVALID_REQUEST, "expiresAt is '" + request.expiresAt()
                        + "' but must be an ISO-8601 instant such as 2027-01-31T00:00:00Z",
                        List.of(new KeelException.FieldError("expiresAt", "expected an ISO-8601 instant")));
            }
        }
        if (request.expiresIn() != null) {
            ConfigNode node = ConfigNode.root(Map.of("expiresIn", request.expiresIn()), Map.of());
            try {
                return Optional.of(keel.clock().instant().plus(node.duration("expiresIn", java.time.Duration.ZERO)));
            } catch (KeelException e) {
                throw new KeelException(ErrorCode.INVALID_REQUEST, "expiresIn is '" + request.expiresIn()
                        + "' but must be a duration such as 30m, 12h or 90d", List.of(new KeelException.FieldError("expiresIn", "expected a duration")));
            }
        }
        return Optional.empty();
    }

    private static Map<String, Object> tokenView(TokenService.TokenInfo token, Instant now) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", token.id());
        view.put("name", token.name());
        view.put("grants", token.grants());
        view.put("state", token.state(now));
        view.put("createdAt", token.createdAt());
        view.put("createdBy", token.createdBy());
        token.expiresAt().ifPresent(at -> view.put("expiresAt", at));
        token.revokedAt().ifPresent(at -> view.put("revokedAt", at));
        return view;
    }
}
