package dev.keel.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.registry.ModelRegistry;
import dev.keel.core.registry.RegisteredModel;
import dev.keel.core.security.Permission;
import dev.keel.core.training.Approval;
import dev.keel.core.training.RolloutRecord;
import dev.keel.core.training.StoredSpec;
import dev.keel.core.training.Training;
import dev.keel.core.training.TrainingRun;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Retraining over HTTP: training specs (one per model), runs (started with 202 and a run id, cancellable, with their log),
 * approvals of held promotions, rollouts, and a version's lineage and Keel's own evaluation of it. Everything is checked in the
 * project of its model. Applying a spec and deciding approvals take MODEL_PROMOTE (a spec decides how its challengers are
 * promoted); starting and cancelling runs take MODEL_WRITE.
 */
public final class TrainingRoutes implements HttpService {
    private final Training training;
    private final ModelRegistry registry;
    private final AlertRoutes.ProjectCheck projects;

    public TrainingRoutes(Training training, ModelRegistry registry, AlertRoutes.ProjectCheck projects) {
        this.training = training;
        this.registry = registry;
        this.projects = projects;
    }

    @Override
    public void routes(Api api) {
        Function<Call, Optional<String>> queryProject = call -> call.query("model").flatMap(this::modelProject).or(() -> call.query("project"));
        Function<Call, Optional<String>> pathModel = call -> modelProject(call.path("model"));
        Function<Call, Optional<String>> runProject = call -> training.findRun(call.path("id")).map(TrainingRun::project);
        Function<Call, Optional<String>> approvalProject = call -> {
            try {
                return Optional.of(training.approval(call.path("id")).project());
            } catch (KeelException e) {
                return Optional.empty();
            }
        };
        Function<Call, Optional<String>> rolloutProject = call -> training.rollouts().find(call.path("id")).map(RolloutRecord::project);
        Function<Call, Optional<String>> bodyModel = call -> modelProject(call.jsonText("model", ""));

        api.get("/v1/training/specs", Permission.MODEL_READ).project(queryProject)
                .describe("training.spec-list", "The training specs of a project's models (?project=)")
                .handle(call -> call.ok(Map.of("specs", training.specs(requireKnown(call.query("project"))).stream().map(spec -> view(spec, false))
                        .toList())));
        api.get("/v1/training/specs/{model}", Permission.MODEL_READ).project(pathModel)
                .describe("training.spec-show", "A model's training spec with its text and version")
                .handle(call -> call.ok(view(training.requireSpec(requireModel(call.path("model"))), true)));
        for (String method : List.of("PUT", "POST")) {
            Api.RouteBuilder route = method.equals("PUT") ? api.put("/v1/training/specs", Permission.MODEL_PROMOTE)
                    : api.post("/v1/training/specs", Permission.MODEL_PROMOTE);
            route.project(call -> specModelProject(call))
                    .describe(method.equals("PUT") ? "training.spec-apply" : "training.spec-apply-post", "Apply a model's training spec (YAML with"
                            + " Content-Type application/yaml, or JSON); every error names its path in the spec")
                    .handle(call -> {
                        StoredSpec stored = training.apply(spec(call), call.actor());
                        call.json(stored.version() == 1 ? 201 : 200, view(stored, true));
                    });
        }
        api.delete("/v1/training/specs/{model}", Permission.MODEL_PROMOTE).project(pathModel)
                .describe("training.spec-delete", "Delete a model's training spec; its runs and versions stay")
                .handle(call -> {
                    if (!training.deleteSpec(requireModel(call.path("model")))) {
                        throw KeelException.notFound("model '" + call.path("model") + "' has no training spec");
                    }
                    call.ok(Map.of("deleted", call.path("model")));
                });

        api.post("/v1/training/runs", Permission.MODEL_WRITE).project(bodyModel)
                .describe("training.run-start", "Start retraining a model ({model}): 202 with the run, or the run in flight when one is queued"
                        + " or running (at most one per model)")
                .handle(call -> {
                    JsonNode body = call.json();
                    for (java.util.Iterator<String> fields = body.fieldNames(); fields.hasNext();) {
                        String field = fields.next();
                        if (!field.equals("model")) {
                            throw invalid(field, "field '" + field + "' is not one of [model]");
                        }
                    }
                    if (!body.path("model").isTextual()) {
                        throw invalid("model", "field 'model' is required: the model to retrain");
                    }
                    Training.Started started = training.start(requireModel(body.get("model").asText()), "manual", "", call.actor());
                    Map<String, Object> answer = view(started.run());
                    answer.put("created", started.created());
                    call.json(202, answer);
                });
        api.get("/v1/training/runs", Permission.MODEL_READ).project(queryProject)
                .describe("training.run-list", "Training runs of a model (?model=) or of a project (?project=), newest first (?limit=, default 50)")
                .handle(call -> {
                    int limit = call.queryInt("limit", 50, 1, 1000);
                    Optional<String> model = call.query("model");
                    List<TrainingRun> runs = model.isPresent() ? training.runs("", requireModel(model.get()), limit)
                            : training.runs(requireKnown(call.query("project")), "", limit);
                    call.ok(Map.of("runs", runs.stream().map(TrainingRoutes::view).toList()));
                });
        api.get("/v1/training/runs/{id}", Permission.MODEL_READ).project(runProject)
                .describe("training.run-show", "One training run: status, trigger, dataset, claimed and verified metrics, verdict, promotion")
                .handle(call -> call.ok(view(training.run(call.path("id")))));
        api.get("/v1/training/runs/{id}/log", Permission.MODEL_READ).project(runProject)
                .describe("training.run-log", "A training run's log (live while it runs) as text")
                .handle(call -> {
                    training.run(call.path("id"));
                    call.context().status(200).contentType("text/plain; charset=utf-8").result(training.log(call.path("id"))
                            .getBytes(StandardCharsets.UTF_8));
                });
        api.post("/v1/training/runs/{id}/cancel", Permission.MODEL_WRITE).project(runProject)
                .describe("training.run-cancel", "Cancel a queued or running training run; an external trainer is stopped with its processes")
                .handle(call -> call.ok(view(training.cancel(call.path("id"), call.actor()))));

        api.get("/v1/approvals", Permission.MODEL_READ).project(call -> call.query("project"))
                .describe("approval.list", "Promotions held for approval in a project (?project=; ?all=true for decided ones too)")
                .handle(call -> call.ok(Map.of("approvals", training.approvals(requireKnown(call.query("project")),
                        !call.query("all").map(Boolean::parseBoolean).orElse(false), call.queryInt("limit", 50, 1, 1000)).stream()
                        .map(TrainingRoutes::view).toList())));
        api.get("/v1/approvals/{id}", Permission.MODEL_READ).project(approvalProject)
                .describe("approval.show", "One approval")
                .handle(call -> call.ok(view(training.approval(call.path("id")))));
        api.post("/v1/approvals/{id}/approve", Permission.MODEL_PROMOTE).project(approvalProject)
                .describe("approval.approve", "Approve a held promotion ({reason} optional): the version is promoted, through its rollout when"
                        + " the spec declares one")
                .handle(call -> call.ok(view(training.approve(call.path("id"), call.actor(), reason(call, false)))));
        api.post("/v1/approvals/{id}/reject", Permission.MODEL_PROMOTE).project(approvalProject)
                .describe("approval.reject", "Reject a held promotion ({reason} required); the alias stays")
                .handle(call -> call.ok(view(training.reject(call.path("id"), call.actor(), reason(call, true)))));

        api.get("/v1/rollouts", Permission.MODEL_READ).project(queryProject)
                .describe("rollout.list", "Progressive rollouts of a model (?model=), newest first")
                .handle(call -> {
                    String model = requireModel(call.query("model").orElseThrow(() -> invalid("model", "the model is required (?model=)")));
                    call.ok(Map.of("rollouts", training.rollouts().list(model, call.queryInt("limit", 50, 1, 1000)).stream()
                            .map(this::view).toList()));
                });
        api.get("/v1/rollouts/{id}", Permission.MODEL_READ).project(rolloutProject)
                .describe("rollout.show", "One rollout with its live counts while it runs")
                .handle(call -> call.ok(view(training.rollouts().find(call.path("id"))
                        .orElseThrow(() -> KeelException.notFound("rollout '" + call.path("id") + "' does not exist")))));

        api.get("/v1/models/{model}/versions/{version}/lineage", Permission.MODEL_READ).project(pathModel)
                .describe("version.lineage", "Where a version came from: training run, trigger (incident), dataset snapshot, pipeline run, sources")
                .handle(call -> call.ok(training.lineage(requireModel(call.path("model")), version(call))));
        api.get("/v1/models/{model}/versions/{version}/evaluation", Permission.MODEL_READ).project(pathModel)
                .describe("version.evaluation", "Keel's own evaluation of a retrained version against the champion of the time, with the"
                        + " gate's verdict; apart from the metrics its uploader claimed")
                .handle(call -> {
                    String model = requireModel(call.path("model"));
                    int version = version(call);
                    registry.requireVersion(model, version);
                    call.ok(training.evaluation(model, version).orElseThrow(() -> KeelException.notFound(model + ":" + version
                            + " was not evaluated by Keel (it was uploaded, not retrained)")));
                });
    }

    private Optional<String> modelProject(String model) {
        return registry.findModel(model).map(RegisteredModel::project);
    }

    private Optional<String> specModelProject(Call call) {
        try {
            return Optional.of(new dev.keel.core.training.TrainingSpecParser().parseOrThrow(spec(call))).flatMap(spec -> modelProject(spec.model())
                    .or(() -> Optional.of(spec.project())));
        } catch (KeelException e) {
            return Optional.empty();
        }
    }

    private String requireModel(String model) {
        registry.requireModel(model);
        return model;
    }

    private static int version(Call call) {
        try {
            int version = Integer.parseInt(call.path("version"));
            if (version >= 1) {
                return version;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw invalid("version", "the version must be a whole number >= 1, got '" + call.path("version") + "'");
    }

    private static String reason(Call call, boolean required) {
        byte[] body = call.body();
        if (body.length == 0 && !required) {
            return "";
        }
        JsonNode json = call.json();
        for (java.util.Iterator<String> fields = json.fieldNames(); fields.hasNext();) {
            String field = fields.next();
            if (!field.equals("reason")) {
                throw invalid(field, "field '" + field + "' is not one of [reason]");
            }
        }
        JsonNode reason = json.path("reason");
        if (!reason.isMissingNode() && !reason.isTextual()) {
            throw invalid("reason", "field 'reason' must be a string");
        }
        String text = reason.asText("");
        if (required && text.isBlank()) {
            throw invalid("reason", "field 'reason' is required: why the promotion is rejected");
        }
        if (text.length() > 1_000) {
            throw invalid("reason", "field 'reason' must be at most 1000 characters");
        }
        return text;
    }

    private static String spec(Call call) {
        return call.specText("the training spec");
    }

    private String requireKnown(Optional<String> project) {
        return projects.require(project, "?project=");
    }

    private static Map<String, Object> view(StoredSpec spec, boolean full) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("model", spec.model());
        view.put("project", spec.project());
        view.put("version", spec.version());
        view.put("dataset", spec.spec().dataset());
        view.put("trainer", spec.spec().trainer());
        view.put("promotion", spec.spec().promotion().mode().name().toLowerCase(java.util.Locale.ROOT));
        view.put("updatedAt", spec.updatedAt());
        view.put("updatedBy", spec.updatedBy());
        if (full) {
            view.put("spec", spec.text());
        }
        return view;
    }

    static Map<String, Object> view(TrainingRun run) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", run.id());
        view.put("model", run.model());
        view.put("project", run.project());
        view.put("status", run.status().name());
        view.put("trigger", run.triggerKind());
        view.put("triggerRef", run.triggerRef());
        view.put("actor", run.actor());
        view.put("specVersion", run.specVersion());
        view.put("createdAt", run.createdAt());
        run.startedAt().ifPresent(at -> view.put("startedAt", at));
        run.finishedAt().ifPresent(at -> view.put("finishedAt", at));
        if (run.startedAt().isPresent() && run.finishedAt().isPresent()) {
            view.put("durationMillis", java.time.Duration.between(run.startedAt().get(), run.finishedAt().get()).toMillis());
        }
        run.datasetSha256().ifPresent(sha -> view.put("datasetSha256", sha));
        run.modelVersion().ifPresent(version -> view.put("modelVersion", version));
        run.code().ifPresent(code -> view.put("code", code));
        run.message().ifPresent(message -> view.put("message", message));
        view.put("detail", run.detail());
        return view;
    }

    private static Map<String, Object> view(Approval approval) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", approval.id());
        view.put("model", approval.model());
        view.put("project", approval.project());
        view.put("version", approval.version());
        view.put("alias", approval.alias());
        view.put("run", approval.runId());
        view.put("status", approval.status().name());
        view.put("requestedAt", approval.requestedAt());
        approval.decidedAt().ifPresent(at -> view.put("decidedAt", at));
        approval.decidedBy().ifPresent(by -> view.put("decidedBy", by));
        approval.reason().ifPresent(reason -> view.put("reason", reason));
        return view;
    }

    private Map<String, Object> view(RolloutRecord rollout) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", rollout.id());
        view.put("model", rollout.model());
        view.put("project", rollout.project());
        view.put("endpoint", rollout.endpoint());
        view.put("version", rollout.version());
        view.put("alias", rollout.alias());
        rollout.runId().ifPresent(run -> view.put("run", run));
        view.put("status", rollout.status().name());
        view.put("percent", rollout.settings().percent());
        view.put("targetRequests", rollout.settings().requests());
        view.put("maxErrorRate", rollout.settings().maxErrorRate());
        view.put("startedAt", rollout.startedAt());
        rollout.finishedAt().ifPresent(at -> view.put("finishedAt", at));
        view.put("requests", rollout.requests());
        view.put("errors", rollout.errors());
        rollout.reason().ifPresent(reason -> view.put("reason", reason));
        training.rollouts().progress(rollout.id()).ifPresent(live -> view.put("live", live));
        return view;
    }

    private static KeelException invalid(String field, String message) {
        return new KeelException(ErrorCode.INVALID_REQUEST, message, List.of(new KeelException.FieldError(field, message)));
    }
}
