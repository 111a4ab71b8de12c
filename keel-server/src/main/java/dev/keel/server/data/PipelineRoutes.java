package dev.keel.server.data;

import dev.keel.core.data.CronExpression;
import dev.keel.core.data.DatasetVersion;
import dev.keel.core.data.PipelineRun;
import dev.keel.core.data.PipelineService;
import dev.keel.core.data.PipelineVersion;
import dev.keel.core.data.ScheduleState;
import dev.keel.core.data.SpecError;
import dev.keel.core.data.Trigger;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.security.Permission;
import dev.keel.core.security.ProjectService;
import dev.keel.server.Api;
import dev.keel.server.Call;
import dev.keel.server.HttpService;
import dev.keel.server.Keel;
import dev.keel.spi.data.TableData;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** Data collection over HTTP: pipeline specs (YAML bodies), validation, runs and their history, datasets and their profiles. */
public final class PipelineRoutes implements HttpService {
    /** The longest a run request waits for the run to end ({@code ?wait=true}). */
    static final Duration MAX_WAIT = Duration.ofMinutes(10);
    private static final java.util.Set<String> YAML_TYPES = java.util.Set.of("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml");

    private final Keel keel;

    public PipelineRoutes(Keel keel) {
        this.keel = keel;
    }

    private PipelineService pipelines() {
        return keel.data().service();
    }

    private DatasetMasking masking(Call call) {
        return new DatasetMasking(call, pipelines(), keel.masker());
    }

    /**
     * Every route but validation resolves the project of the object it touches (a pipeline, a run's pipeline, a dataset), so the
     * server checks the permission in that project; an unknown object resolves to none and its handler answers 404. Lists show
     * what the caller may read.
     */
    @Override
    public void routes(Api api) {
        Function<Call, Optional<String>> pipelineProject = call -> pipelines().pipelineProject(call.path("pipeline"));
        Function<Call, Optional<String>> datasetProject = call -> pipelines().datasetProject(call.path("dataset"));
        api.post("/v1/pipelines/validate", Permission.PIPELINE_READ).notAudited()
                .describe("pipeline.validate", "Check a pipeline spec (YAML body); every error names its path in the file")
                .handle(call -> {
                    String spec = spec(call);
                    // Planning reads the source files' schemas: only for callers who may write the spec's pipeline.
                    boolean planned = call.sees(Permission.PIPELINE_WRITE, pipelines().projectOfSpec(spec)
                            .orElse(ProjectService.DEFAULT));
                    List<SpecError> errors = pipelines().validate(spec, planned);
                    call.ok(Map.of("valid", errors.isEmpty(), "errors", errors, "planned", planned));
                });
        api.post("/v1/pipelines", Permission.PIPELINE_WRITE).project(call -> pipelines().projectOfSpec(spec(call)))
                .describe("pipeline.register", "Store a pipeline spec (YAML body) as its pipeline's next version; unchanged text keeps the version")
                .handle(call -> call.created(summary(pipelines().register(spec(call)), true)));
        api.get("/v1/pipelines", Permission.PIPELINE_READ)
                .describe("pipeline.list", "The latest version of every pipeline the caller can see")
                .handle(call -> call.ok(Map.of("pipelines", pipelines().list().stream()
                        .filter(version -> call.sees(Permission.PIPELINE_READ, version.project()))
                        .filter(version -> call.query("project").map(version.project()::equals).orElse(true))
                        .map(version -> summary(version, false)).toList())));
        api.get("/v1/pipelines/{pipeline}", Permission.PIPELINE_READ).project(pipelineProject)
                .describe("pipeline.show", "A pipeline's latest spec version")
                .handle(call -> call.ok(summary(pipelines().pipeline(call.path("pipeline")), true)));
        api.post("/v1/pipelines/{pipeline}/runs", Permission.PIPELINE_RUN).project(pipelineProject)
                .describe("pipeline.run", "Start a run: 202 with the running run and its Location; ?wait=true (or seconds, up to 600)"
                        + " answers 200 with the ended run when it ends in time")
                .handle(call -> {
                    Duration wait = waitParameter(call);
                    Trigger trigger = trigger(call);
                    PipelineRun run = pipelines().start(call.path("pipeline"), trigger, call.actor());
                    if (!wait.isZero()) {
                        run = pipelines().await(run.id(), wait);
                    }
                    if (run.status().finished()) {
                        call.ok(run);
                    } else {
                        call.context().header("Location", "/v1/pipeline-runs/" + run.id());
                        call.json(202, run);
                    }
                });
        api.get("/v1/pipelines/{pipeline}/schedule", Permission.PIPELINE_READ).project(pipelineProject)
                .describe("pipeline.schedule-show", "The pipeline's cron schedule and whether it fires (active, paused or deleted)")
                .handle(call -> call.ok(schedule(call.path("pipeline"), pipelines().schedule(call.path("pipeline")))));
        api.post("/v1/pipelines/{pipeline}/schedule/pause", Permission.PIPELINE_WRITE).project(pipelineProject)
                .describe("pipeline.schedule-pause", "Stop the schedule from firing until resumed; runs in progress go on")
                .handle(call -> call.ok(schedule(call.path("pipeline"), pipelines().pauseSchedule(call.path("pipeline"),
                        call.actor()))));
        api.post("/v1/pipelines/{pipeline}/schedule/resume", Permission.PIPELINE_WRITE).project(pipelineProject)
                .describe("pipeline.schedule-resume", "Let a paused schedule fire again from its next slot; missed slots do not fire")
                .handle(call -> call.ok(schedule(call.path("pipeline"), pipelines().resumeSchedule(call.path("pipeline"),
                        call.actor()))));
        api.delete("/v1/pipelines/{pipeline}/schedule", Permission.PIPELINE_WRITE).project(pipelineProject)
                .describe("pipeline.schedule-delete", "Delete the schedule until a new spec version declares one; the pipeline stays")
                .handle(call -> call.ok(schedule(call.path("pipeline"), pipelines().deleteSchedule(call.path("pipeline"),
                        call.actor()))));
        api.get("/v1/pipelines/{pipeline}/runs", Permission.PIPELINE_READ).project(pipelineProject)
                .describe("pipeline.history", "The latest runs, newest first")
                .handle(call -> {
                    pipelines().pipeline(call.path("pipeline"));
                    call.ok(Map.of("runs", pipelines().history(call.path("pipeline"), call.queryInt("limit", 20, 1, 1000))));
                });
        api.get("/v1/pipeline-runs/{id}", Permission.PIPELINE_READ).project(call -> pipelines().runProject(call.path("id")))
                .describe("pipeline.run-show", "One run by id: status, row accounting per stage, expectation outcomes, datasets"
                        + " and one linkage report per probabilistic dedupe or match-merge step")
                .handle(call -> call.ok(pipelines().runById(call.path("id"))));
        api.get("/v1/datasets", Permission.DATASET_READ)
                .describe("dataset.list", "The latest version of every dataset the caller can see")
                .handle(call -> call.ok(Map.of("datasets", pipelines().datasets().stream()
                        .filter(version -> call.sees(Permission.DATASET_READ, version.project()))
                        .filter(version -> call.query("project").map(version.project()::equals).orElse(true))
                        .map(PipelineRoutes::summary).toList())));
        api.get("/v1/datasets/{dataset}", Permission.DATASET_READ).project(datasetProject).describe("dataset.versions", "Every version of a dataset")
                .handle(call -> call.ok(Map.of("versions", pipelines().versions(call.path("dataset")).stream()
                        .map(PipelineRoutes::summary).toList())));
        api.get("/v1/datasets/{dataset}/versions/{version}", Permission.DATASET_READ).project(datasetProject)
                .describe("dataset.show", "A dataset version with its schema, lineage and file (version 0 or latest: the latest)")
                .handle(call -> call.ok(masking(call).version(pipelines().dataset(call.path("dataset"), version(call, "version")))));
        api.get("/v1/datasets/{dataset}/versions/{version}/profile", Permission.DATASET_READ).project(datasetProject)
                .describe("dataset.profile", "The per-column profile of a dataset version")
                .handle(call -> call.ok(masking(call).profile(pipelines().dataset(call.path("dataset"), version(call, "version")))));
        api.get("/v1/datasets/{dataset}/versions/{version}/rows", Permission.DATASET_READ).project(datasetProject)
                .describe("dataset.rows", "Up to ?limit= rows (default 100, at most 10000) of a dataset version, typed as stored;"
                        + " ?columns=a,b picks columns; sensitive columns are masked without SENSITIVE_READ")
                .handle(call -> {
                    int limit = call.queryInt("limit", 100, 0, 10_000);
                    List<String> columns = call.query("columns").map(text -> java.util.Arrays.stream(text.split(","))
                            .map(String::strip).filter(name -> !name.isEmpty()).toList()).orElse(List.of());
                    String dataset = call.path("dataset");
                    int version = version(call, "version");
                    DatasetVersion found = pipelines().dataset(dataset, version);
                    List<String> known = found.profile().columns().stream().map(column -> column.name()).toList();
                    List<String> unknown = columns.stream().filter(column -> !known.contains(column)).toList();
                    if (!unknown.isEmpty()) {
                        throw new KeelException(ErrorCode.INVALID_REQUEST, "dataset '" + dataset + "' has no column " + unknown
                                + "; its columns are " + known, List.of(new KeelException.FieldError("columns", "expected names of "
                                + known)));
                    }
                    TableData table = masking(call).table(found, pipelines().read(dataset, found.version(), columns, limit));
                    List<List<Object>> rows = table.rows().stream().map(row -> java.util.Arrays.stream(row)
                            .map(PipelineRoutes::jsonValue).toList()).toList();
                    Map<String, Object> answer = new LinkedHashMap<>();
                    answer.put("columns", table.columns());
                    answer.put("types", table.types());
                    answer.put("rows", rows);
                    call.ok(answer);
                });
        api.get("/v1/datasets/{dataset}/diff", Permission.DATASET_READ).project(datasetProject)
                .describe("dataset.diff", "Schema and profile changes between two versions (?from=&to=, default the last two)")
                .handle(call -> {
                    String dataset = call.path("dataset");
                    List<DatasetVersion> versions = pipelines().versions(dataset);
                    int to = call.queryInt("to", versions.getLast().version(), 1, Integer.MAX_VALUE);
                    int from = call.queryInt("from", Math.max(1, to - 1), 1, Integer.MAX_VALUE);
                    DatasetMasking masking = masking(call);
                    call.ok(dev.keel.core.data.DatasetDiff.between(masking.version(pipelines().dataset(dataset, from)),
                            masking.version(pipelines().dataset(dataset, to))));
                });
        api.get("/v1/datasets/{dataset}/explain", Permission.DATASET_READ).project(datasetProject)
                .describe("dataset.explain", "Why a record of a golden-record dataset is where it is (?record=, ?with= another record,"
                        + " ?version=): its cluster, golden record with provenance, its links with each comparison's level and weight,"
                        + " and the pair with the other record or why it was never compared")
                .handle(call -> call.ok(new LinkExplainer(pipelines(), masking(call)).explain(call.path("dataset"),
                        call.queryInt("version", 0, 1, Integer.MAX_VALUE), recordParameter(call, "record")
                        .orElseThrow(() -> new KeelException(ErrorCode.INVALID_REQUEST, "query parameter 'record' is missing; name the"
                                + " record to explain, as the cluster table's record_id has it (for example ?record=faa:LAX)",
                                List.of(new KeelException.FieldError("record", "required")))), recordParameter(call, "with"))));
    }

    /** A record id from the query, at most {@link LinkExplainer#MAX_RECORD_LENGTH} characters. */
    private static Optional<String> recordParameter(Call call, String name) {
        Optional<String> value = call.query(name);
        if (value.isPresent() && value.get().length() > LinkExplainer.MAX_RECORD_LENGTH) {
            throw new KeelException(ErrorCode.INVALID_REQUEST, "query parameter '" + name + "' has " + value.get().length()
                    + " characters; record ids of at most " + LinkExplainer.MAX_RECORD_LENGTH + " are accepted",
                    List.of(new KeelException.FieldError(name, "expected at most " + LinkExplainer.MAX_RECORD_LENGTH + " characters")));
        }
        return value;
    }

    /** Numbers, booleans, text and nulls (JSON null) as they are; dates, times and other values as their text. */
    static Object jsonValue(Object value) {
        return value == null || value instanceof Number || value instanceof Boolean || value instanceof String ? value
                : value.toString();
    }

    private static String spec(Call call) {
        String mediaType = call.mediaType();
        if (Call.isJson(mediaType)) {
            return call.jsonText("spec", "");
        }
        if (!YAML_TYPES.contains(mediaType)) {
            throw Call.unsupportedMedia(mediaType, "application/yaml (or text/yaml, application/x-yaml, text/x-yaml) or application/json "
                    + "{\"spec\": \"...\"}");
        }
        String body = new String(call.body(), StandardCharsets.UTF_8);
        if (body.isBlank()) {
            throw KeelException.badRequest("the body is empty; send the pipeline spec as YAML (or JSON {\"spec\": \"...\"})");
        }
        return body;
    }

    /** {@code ?wait=}: absent or false for none, true for up to {@link #MAX_WAIT}, or seconds ({@code 30}, {@code 30s}, {@code 2m}). */
    private static Duration waitParameter(Call call) {
        String value = call.query("wait").orElse("false").toLowerCase(Locale.ROOT);
        Duration wait;
        try {
            wait = switch (value) {
                case "false" -> Duration.ZERO;
                case "true" -> MAX_WAIT;
                default -> value.endsWith("m") ? Duration.ofMinutes(Long.parseLong(value.substring(0, value.length() - 1)))
                        : Duration.ofSeconds(Long.parseLong(value.endsWith("s") ? value.substring(0, value.length() - 1) : value));
            };
        } catch (NumberFormatException e) {
            wait = Duration.ofSeconds(-1);
        }
        if (wait.isNegative() || wait.compareTo(MAX_WAIT) > 0) {
            throw new KeelException(ErrorCode.INVALID_REQUEST, "query parameter 'wait' is '" + value + "' but must be true, false or"
                    + " a number of seconds from 0 to " + MAX_WAIT.toSeconds() + " (30, 30s, 2m)", List.of(new KeelException.FieldError(
                    "wait", "expected true, false or seconds from 0 to " + MAX_WAIT.toSeconds())));
        }
        return wait;
    }

    private static Trigger trigger(Call call) {
        String value = call.query("trigger").orElse("api");
        return switch (value) {
            case "api" -> Trigger.API;
            case "cli" -> Trigger.CLI;
            default -> throw KeelException.badRequest("trigger must be api or cli, got '" + value + "'");
        };
    }

    private static int version(Call call, String name) {
        String text = call.path(name);
        if (text.equals("latest")) {
            return 0;
        }
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw KeelException.badRequest(name + " must be a version number or 'latest', got '" + text + "'");
        }
    }

    private static Map<String, Object> summary(PipelineVersion version, boolean withSpec) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("pipeline", version.pipeline());
        summary.put("project", version.project());
        summary.put("version", version.version());
        summary.put("sha256", version.sha256());
        summary.put("createdAt", version.createdAt());
        if (withSpec) {
            summary.put("spec", version.specYaml());
        }
        return summary;
    }

    private Map<String, Object> schedule(String pipeline, ScheduleState state) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("pipeline", pipeline);
        answer.put("cron", pipelines().spec(pipeline).schedules().stream().map(CronExpression::text).toList());
        answer.put("status", state.status().name().toLowerCase(Locale.ROOT));
        answer.put("specVersion", state.specVersion());
        answer.put("since", state.changedAt());
        answer.put("changedBy", state.actor());
        return answer;
    }

    private static Map<String, Object> summary(DatasetVersion version) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("dataset", version.dataset());
        summary.put("project", version.project());
        summary.put("version", version.version());
        summary.put("rows", version.rows());
        summary.put("columns", version.profile().columns().size());
        summary.put("sha256", version.sha256());
        summary.put("pipeline", version.pipeline());
        summary.put("runId", version.runId());
        summary.put("createdAt", version.createdAt());
        summary.put("sensitive", version.sensitive().columns());
        return summary;
    }
}
