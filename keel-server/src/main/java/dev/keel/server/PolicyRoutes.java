package dev.keel.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.incident.policy.ActionRecord;
import dev.keel.core.incident.policy.DryRun;
import dev.keel.core.incident.policy.Policies;
import dev.keel.core.incident.policy.Policy;
import dev.keel.core.incident.policy.PolicyAction;
import dev.keel.core.incident.policy.PolicySpec;
import dev.keel.core.json.Json;
import dev.keel.core.security.Permission;
import dev.keel.core.security.ProjectService;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Remediation policies over HTTP. A policy is named by its name (unique across projects) and checked in its project; lists
 * take {@code ?project=}. Specs are sent as YAML ({@code application/yaml}) or JSON; a dry run reads the project's stored
 * signals and changes nothing, so it takes INCIDENT_READ and is not audited.
 */
public final class PolicyRoutes implements HttpService {
    private static final Set<String> DRY_RUN_FIELDS = Set.of("project", "name", "spec", "days");
    private final Policies policies;
    private final AlertRoutes.ProjectCheck projects;

    public PolicyRoutes(Policies policies, AlertRoutes.ProjectCheck projects) {
        this.policies = policies;
        this.projects = projects;
    }

    @Override
    public void routes(Api api) {
        Function<Call, Optional<String>> queryProject = call -> call.query("project");
        Function<Call, Optional<String>> policyProject = call -> policies.projectOf(call.path("id"));
        Function<Call, Optional<String>> specProject = call -> policies.projectOfSpec(spec(call));
        Function<Call, Optional<String>> dryRunProject = call -> {
            JsonNode body = call.json();
            if (body.path("name").isTextual()) {
                return policies.projectOf(body.get("name").asText());
            }
            if (body.has("spec")) {
                return Optional.of(policies.projectOfSpec(specText(body.get("spec"))).orElse(ProjectService.DEFAULT));
            }
            return Optional.of(body.path("project").asText("")).filter(text -> !text.isEmpty());
        };

        api.get("/v1/policies", Permission.INCIDENT_READ).project(queryProject)
                .describe("policy.list", "The remediation policies of a project (?project=), by name")
                .handle(call -> call.ok(Map.of("policies", policies.list(requireKnown(call.query("project"))).stream().map(policy -> view(policy, false))
                        .toList())));
        api.get("/v1/policies/{id}", Permission.INCIDENT_READ).project(policyProject)
                .describe("policy.show", "One policy by name: its spec, version and most recent actions (?limit=, default 50)")
                .handle(call -> {
                    Map<String, Object> answer = view(policies.get(call.path("id")), true);
                    answer.put("recentActions", policies.actions(call.path("id"), call.queryInt("limit", 50, 1, 1000)).stream()
                            .map(PolicyRoutes::view).toList());
                    call.ok(answer);
                });
        for (String method : List.of("PUT", "POST")) {
            Api.RouteBuilder route = method.equals("PUT") ? api.put("/v1/policies", Permission.POLICY_WRITE)
                    : api.post("/v1/policies", Permission.POLICY_WRITE);
            route.project(specProject)
                    .describe(method.equals("PUT") ? "policy.apply" : "policy.apply-post", "Apply a policy spec (YAML with Content-Type "
                            + "application/yaml, or JSON): created, a new version, or unchanged; every spec error names its path")
                    .handle(call -> {
                        Policies.Applied applied = policies.apply(spec(call), call.actor());
                        Map<String, Object> answer = view(applied.policy(), true);
                        answer.put("changed", applied.changed());
                        call.json(applied.created() ? 201 : 200, answer);
                    });
        }
        api.delete("/v1/policies/{id}", Permission.POLICY_WRITE).project(policyProject)
                .describe("policy.delete", "Delete a policy; the actions it took stay on the incidents' timelines")
                .handle(call -> {
                    policies.delete(call.path("id"));
                    call.ok(Map.of("deleted", call.path("id")));
                });
        api.post("/v1/policies/dry-run", Permission.INCIDENT_READ).notAudited().project(dryRunProject)
                .describe("policy.dry-run", "What a policy ({name} of a stored one, or {spec}) would have done over the project's stored "
                        + "signals of the last {days} days (default 7, at most 90); does nothing")
                .handle(call -> {
                    JsonNode body = call.json();
                    for (java.util.Iterator<String> fields = body.fieldNames(); fields.hasNext();) {
                        String field = fields.next();
                        if (!DRY_RUN_FIELDS.contains(field)) {
                            throw invalid(field, "field '" + field + "' is not one of " + DRY_RUN_FIELDS.stream().sorted().toList());
                        }
                    }
                    PolicySpec spec;
                    if (body.has("name") == body.has("spec")) {
                        throw invalid("name", "give exactly one of 'name' (a stored policy) or 'spec' (a policy spec as YAML text or a JSON object)");
                    } else if (body.has("name")) {
                        if (!body.get("name").isTextual()) {
                            throw invalid("name", "field 'name' must be a string");
                        }
                        spec = policies.get(body.get("name").asText()).spec();
                    } else {
                        spec = policies.check(specText(body.get("spec")));
                    }
                    if (body.has("project") && !body.get("project").asText().equals(spec.project())) {
                        throw invalid("project", "field 'project' is '" + body.get("project").asText() + "' but the policy is of project '"
                                + spec.project() + "'");
                    }
                    JsonNode days = body.path("days");
                    if (!days.isMissingNode() && (!days.canConvertToInt() || !days.isIntegralNumber() || days.asInt() < 1
                            || days.asInt() > Policies.MAX_DRY_RUN_DAYS)) {
                        throw invalid("days", "field 'days' must be a whole number from 1 to " + Policies.MAX_DRY_RUN_DAYS);
                    }
                    DryRun run = policies.dryRun(spec, days.isMissingNode() ? 7 : days.asInt());
                    call.ok(run);
                });
    }

    /** A policy as the API shows it: with its spec text when {@code full}. */
    private static Map<String, Object> view(Policy policy, boolean full) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", policy.name());
        view.put("project", policy.project());
        view.put("version", policy.version());
        view.put("description", policy.spec().description());
        view.put("kinds", policy.spec().when().kinds().stream().sorted().toList());
        view.put("actions", policy.spec().actions().stream().map(PolicyAction::name).toList());
        view.put("createdAt", policy.createdAt());
        view.put("createdBy", policy.createdBy());
        view.put("updatedAt", policy.updatedAt());
        view.put("updatedBy", policy.updatedBy());
        if (full) {
            view.put("cooldown", policy.spec().cooldown().toString());
            view.put("maxPerHour", policy.spec().maxPerHour());
            view.put("fingerprint", policy.spec().fingerprint());
            view.put("spec", policy.specText());
        }
        return view;
    }

    private static Map<String, Object> view(ActionRecord action) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("at", action.at());
        view.put("incident", action.incidentId());
        view.put("action", action.action());
        view.put("target", action.target());
        view.put("outcome", action.outcome().label());
        view.put("reason", action.reason());
        return view;
    }

    private static String spec(Call call) {
        return call.specText("the policy spec");
    }

    private static String specText(JsonNode spec) {
        if (spec.isTextual()) {
            return spec.asText();
        }
        if (spec.isObject()) {
            return Json.write(spec);
        }
        throw invalid("spec", "field 'spec' must be a policy spec as YAML text or a JSON object");
    }

    private String requireKnown(Optional<String> project) {
        return projects.require(project, "?project=");
    }

    private static KeelException invalid(String field, String message) {
        return new KeelException(ErrorCode.INVALID_REQUEST, message, List.of(new KeelException.FieldError(field, message)));
    }
}
