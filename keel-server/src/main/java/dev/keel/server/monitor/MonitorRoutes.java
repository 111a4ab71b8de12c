package dev.keel.server.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.json.Json;
import dev.keel.core.monitor.Breach;
import dev.keel.core.monitor.DriftReport;
import dev.keel.core.monitor.GroundTruth;
import dev.keel.core.monitor.Monitor;
import dev.keel.core.monitor.MonitorSpec;
import dev.keel.core.monitor.Monitoring;
import dev.keel.core.monitor.PredictionLog;
import dev.keel.core.monitor.PredictionRecord;
import dev.keel.core.monitor.ReferenceProfile;
import dev.keel.core.monitor.stats.ColumnDrift;
import dev.keel.core.registry.RegisteredModel;
import dev.keel.core.security.Permission;
import dev.keel.server.Api;
import dev.keel.server.Call;
import dev.keel.server.HttpService;
import dev.keel.server.Keel;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Function;

/** Monitoring over HTTP: logged-prediction ingestion, labels, references, monitors, their results, breaches and drift reports. */
public final class MonitorRoutes implements HttpService {
    private static final TypeReference<List<Map<String, Object>>> ROWS = new TypeReference<>() {
    };
    private static final int MAX_BATCH = 100_000;
    private final Keel keel;

    public MonitorRoutes(Keel keel) {
        this.keel = keel;
    }

    private Monitoring monitoring() {
        return keel.monitoring();
    }

    /** One logged prediction as sent to the ingestion route. */
    record LoggedPrediction(String requestId, String endpoint, String model, Integer version, String time, Double latencyMillis,
                            Map<String, Object> inputs, Map<String, Object> outputs, Boolean fallback, Boolean shadow) {
    }

    /** Body of POST /v1/predictions/log. */
    record Ingest(List<LoggedPrediction> records) {
    }

    /** Body of PUT /v1/endpoints/{name}/prediction-log. */
    record LogSettings(Double sampleRate) {
    }

    /** One label as sent. */
    record Label(String requestId, String label, Double value, String time) {
    }

    @Override
    public void routes(Api api) {
        Function<Call, Optional<String>> modelProject = call -> keel.registry().findModel(call.path("model")).map(RegisteredModel::project);
        Function<Call, Optional<String>> monitorProject = call -> monitoring().find(call.path("id")).map(Monitor::project);
        api.post("/v1/predictions/log", Permission.MONITOR_WRITE)
                .describe("prediction.ingest", "Write already-made predictions into the prediction log in one batch (replay, import)")
                .handle(this::ingest);
        api.get("/v1/predictions/log/stats", Permission.MONITOR_READ)
                .describe("prediction.log-stats", "Prediction log counters: accepted, dropped, sampled out, written, segments, queued; "
                        + "the whole log for a token with MONITOR_READ on every project, else the sum over the endpoints of the "
                        + "projects the token may read (?project= for one)")
                .handle(this::logStats);
        Function<Call, Optional<String>> endpointProject = call -> keel.serving().project(call.path("name"));
        api.get("/v1/endpoints/{name}/prediction-log", Permission.MONITOR_READ).project(endpointProject)
                .describe("prediction.log-settings", "The share of the endpoint's predictions that is logged")
                .handle(call -> call.ok(logSettings(keel.serving().require(call.path("name")).name())));
        api.put("/v1/endpoints/{name}/prediction-log", Permission.MONITOR_WRITE).project(endpointProject)
                .describe("prediction.log-sample", "Set the share of the endpoint's predictions that is logged, 0 to 1, from now on; kept across restarts "
                        + "and taking precedence over monitoring.prediction-log.sample-rates in the configuration")
                .handle(call -> {
                    String name = keel.serving().require(call.path("name")).name();
                    LogSettings settings = call.json(LogSettings.class);
                    Double rate = settings.sampleRate();
                    if (rate == null || rate.isNaN() || rate < 0 || rate > 1) {
                        throw new KeelException(ErrorCode.INVALID_REQUEST, "field 'sampleRate' is " + rate + "; expected a number from 0 to 1",
                                List.of(new KeelException.FieldError("sampleRate", "expected a number from 0 to 1")));
                    }
                    monitoring().sampleRate(name, rate, call.actor());
                    call.ok(logSettings(name));
                });
        api.post("/v1/labels", Permission.LABEL_WRITE).describe("label.record",
                "Record ground truth [{requestId, label|value, time}], joined to logged predictions by request id; each label belongs to "
                        + "its prediction's project (?project= for predictions not logged yet), where the token needs LABEL_WRITE")
                .handle(this::labels);
        api.post("/v1/models/{model}/versions/{version}/reference", Permission.MONITOR_WRITE).project(modelProject)
                .describe("reference.upload", "Upload the version's reference set: text/csv, or JSON {\"rows\": [...]}")
                .handle(this::uploadReference);
        api.get("/v1/models/{model}/versions/{version}/reference", Permission.MONITOR_READ).project(modelProject)
                .describe("reference.show", "The version's reference: rows, hash, columns").handle(call -> {
                    var version = keel.registry().resolve(call.path("model"), call.path("version"));
                    ReferenceProfile profile = monitoring().references().find(version.model(), version.version())
                            .orElseThrow(() -> new KeelException(ErrorCode.NOT_FOUND, "version " + version.label() + " has no reference"));
                    call.ok(referenceView(profile));
                });
        api.get("/v1/models/{model}/drift", Permission.MONITOR_READ).project(modelProject)
                .describe("drift.report", "Drift of the model's logged inputs from 'from' to 'to' against its reference").handle(call -> {
                    Instant to = call.query("to").map(text -> instant("to", text)).orElseGet(() -> keel.clock().instant());
                    Instant from = call.query("from").map(text -> instant("from", text)).orElseGet(() -> to.minus(java.time.Duration.ofDays(1)));
                    Optional<Integer> version = call.query("version").map(text -> call.queryInt("version", 1, 1, Integer.MAX_VALUE));
                    call.ok(driftView(monitoring().driftReport(call.path("model"), version, from, to)));
                });
        api.get("/v1/models/{model}/predictions", Permission.MONITOR_READ).project(modelProject)
                .describe("prediction.list", "The model's latest logged predictions, newest first (?limit=, default 100, at most 10000;"
                        + " ?before= an instant): inputs and outputs as logged, sensitive features masked without SENSITIVE_READ")
                .handle(call -> call.ok(Map.of("predictions", predictions(call))));
        api.post("/v1/monitors", Permission.MONITOR_WRITE)
                .project(call -> keel.registry().findModel(call.jsonText("model", "")).map(RegisteredModel::project))
                .describe("monitor.create", "Declare a monitor (or replace the spec of the monitor with the same name, ?replace=true)")
                .handle(call -> {
                    MonitorSpec spec = call.json(MonitorSpec.class);
                    boolean replace = call.query("replace").map(Boolean::parseBoolean).orElse(false);
                    call.created(replace ? monitoring().apply(spec, call.actor()) : monitoring().create(spec, call.actor()));
                });
        api.get("/v1/monitors", Permission.MONITOR_READ).describe("monitor.list", "Monitors the caller can see, with their state")
                .handle(call -> call.ok(Map.of("monitors", monitoring().list().stream()
                        .filter(monitor -> call.sees(Permission.MONITOR_READ, monitor.project()))
                        .filter(monitor -> call.query("model").map(monitor.spec().model()::equals).orElse(true)).toList())));
        api.get("/v1/monitors/{id}", Permission.MONITOR_READ).project(monitorProject).describe("monitor.show", "A monitor by id or name")
                .handle(call -> call.ok(monitoring().require(call.path("id"))));
        api.delete("/v1/monitors/{id}", Permission.MONITOR_WRITE).project(monitorProject)
                .describe("monitor.delete", "Delete a monitor and its results (breaches are kept)").handle(call -> {
                    monitoring().delete(call.path("id"));
                    call.ok(Map.of("deleted", call.path("id")));
                });
        api.post("/v1/monitors/{id}/evaluate", Permission.MONITOR_WRITE).project(monitorProject)
                .describe("monitor.evaluate", "Evaluate the monitor now (the scheduler also does, every evaluation interval)")
                .handle(call -> call.ok(monitoring().evaluate(call.path("id"))));
        api.get("/v1/monitors/{id}/results", Permission.MONITOR_READ).project(monitorProject)
                .describe("monitor.results", "The monitor's results over time, newest first").handle(call -> call.ok(Map.of("results",
                        monitoring().results(call.path("id"), call.query("from").map(text -> instant("from", text)),
                                call.query("to").map(text -> instant("to", text)), call.queryInt("limit", 100, 1, 10_000)))));
        api.get("/v1/breaches", Permission.MONITOR_READ).describe("breach.list", "Breach events, newest first; filter by model, monitor, since")
                .handle(call -> {
                    List<Breach> breaches = monitoring().breaches(call.query("model"), call.query("monitor"),
                            call.query("since").map(text -> instant("since", text)), call.queryInt("limit", 100, 1, 10_000));
                    call.ok(Map.of("breaches", breaches.stream().filter(breach -> call.sees(Permission.MONITOR_READ, breach.project())).toList()));
                });
    }

    /**
     * The log's counters as the caller may see them: the totals and every endpoint for a token with MONITOR_READ on every
     * project (and no {@code ?project=}), otherwise the sum over the endpoints of the projects where it holds MONITOR_READ
     * (or of the one project asked for, which it must hold MONITOR_READ in). An endpoint's project is its own, or for
     * ingested records named after a model, the model's.
     */
    private void logStats(Call call) {
        Optional<String> asked = call.query("project");
        asked.ifPresent(project -> call.require(Permission.MONITOR_READ, project));
        boolean whole = asked.isEmpty() && call.sees(Permission.MONITOR_READ, dev.keel.core.security.Principal.ALL_PROJECTS);
        Map<String, PredictionLog.Stats> endpoints = new java.util.TreeMap<>();
        monitoring().predictionLog().statsByEndpoint().forEach((endpoint, stats) -> {
            Optional<String> project = keel.serving().project(endpoint)
                    .or(() -> keel.registry().findModel(endpoint).map(RegisteredModel::project));
            boolean visible = whole || project.filter(name -> asked.map(name::equals).orElse(true))
                    .filter(name -> call.sees(Permission.MONITOR_READ, name)).isPresent();
            if (visible) {
                endpoints.put(endpoint, stats);
            }
        });
        PredictionLog.Stats totals = whole ? monitoring().predictionLog().stats() : endpoints.values().stream().reduce(
                new PredictionLog.Stats(0, 0, 0, 0, 0, 0), (sum, one) -> new PredictionLog.Stats(sum.accepted() + one.accepted(),
                        sum.dropped() + one.dropped(), sum.sampledOut() + one.sampledOut(), sum.written() + one.written(),
                        sum.segments() + one.segments(), sum.queued() + one.queued()));
        Map<String, Object> view = new LinkedHashMap<>(Json.MAPPER.convertValue(totals, new TypeReference<Map<String, Object>>() {
        }));
        view.put("endpoints", endpoints);
        call.ok(view);
    }

    private Map<String, Object> logSettings(String endpoint) {
        return Map.of("endpoint", endpoint, "sampleRate", monitoring().predictionLog().sampleRate(endpoint));
    }

    private void ingest(Call call) {
        Ingest body = call.json(Ingest.class);
        List<LoggedPrediction> sent = body.records() == null ? List.of() : body.records();
        KeelException.requireArgument(!sent.isEmpty(), "field 'records' is empty; expected logged predictions");
        KeelException.requireArgument(sent.size() <= MAX_BATCH, "field 'records' has %d entries; at most %d a call", sent.size(), MAX_BATCH);
        Set<String> models = new LinkedHashSet<>();
        List<PredictionRecord> records = new ArrayList<>(sent.size());
        Instant now = keel.clock().instant();
        for (int i = 0; i < sent.size(); i++) {
            LoggedPrediction item = sent.get(i);
            String where = "records[" + i + "]";
            KeelException.requireArgument(item.model() != null && item.version() != null, "%s needs 'model' and 'version'", where);
            models.add(item.model());
            records.add(new PredictionRecord(item.requestId() == null ? "" : item.requestId(), item.endpoint() == null ? item.model() : item.endpoint(),
                    item.model(), item.version(), item.time() == null ? now : instant(where + ".time", item.time()),
                    item.latencyMillis() == null ? 0 : item.latencyMillis(), item.inputs(), item.outputs(),
                    Boolean.TRUE.equals(item.fallback()), Boolean.TRUE.equals(item.shadow())));
        }
        for (String model : models) {
            call.require(Permission.MONITOR_WRITE, keel.registry().requireModel(model).project());
        }
        call.ok(Map.of("written", monitoring().ingest(records)));
    }

    private void labels(Call call) throws IOException {
        byte[] bytes = call.body();
        call.requireJsonContent();
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw Call.invalidJson(e);
        }
        if (body != null && body.isObject() && body.has("labels")) {
            body = body.get("labels");
        }
        if (body == null || !body.isArray()) {
            throw new KeelException(ErrorCode.INVALID_JSON, "the body must be a JSON array of {requestId, label|value, time} (or {\"labels\": [...]})");
        }
        Instant now = keel.clock().instant();
        List<GroundTruth> truths = new ArrayList<>();
        for (int i = 0; i < body.size(); i++) {
            Label label = Call.bind(body.get(i), Label.class);
            String where = "[" + i + "]";
            truths.add(new GroundTruth(label.requestId() == null ? "" : label.requestId(), Optional.ofNullable(label.label()),
                    label.value() == null ? OptionalDouble.empty() : OptionalDouble.of(label.value()),
                    label.time() == null ? now : instant(where + ".time", label.time())));
        }
        KeelException.requireArgument(!truths.isEmpty(), "no labels given; expected [{requestId, label|value, time}]");
        Map<String, Set<PredictionLog.LoggedModel>> logged = monitoring().predictionLog().loggedModels(
                truths.stream().map(GroundTruth::requestId).toList());
        Map<String, List<GroundTruth>> byProject = labelProjects(call, truths, logged);
        monitoring().checkLabels(truths, logged);
        List<String> unmatched = truths.stream().map(GroundTruth::requestId).filter(id -> !logged.containsKey(id)).distinct().toList();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("recorded", monitoring().labels().record(byProject, call.actor()));
        answer.put("unmatched", unmatched.size());
        answer.put("unmatchedRequestIds", unmatched.subList(0, Math.min(unmatched.size(), 100)));
        call.ok(answer);
    }

    /**
     * The project of each label, all checked before any is stored: the project of the logged prediction it labels (one read of
     * the log for the batch), where the token must hold LABEL_WRITE, else the whole batch is refused with 403. When the request
     * id was logged in several projects, one where the token may label is taken ({@code ?project=} first). A label for a
     * prediction not logged (yet) goes to {@code ?project=}, else the token's only project, else {@code default}; the token
     * needs LABEL_WRITE there too.
     */
    private Map<String, List<GroundTruth>> labelProjects(Call call, List<GroundTruth> truths, Map<String, Set<PredictionLog.LoggedModel>> logged) {
        Optional<String> asked = call.query("project");
        asked.filter(project -> call.sees(Permission.LABEL_WRITE, project)).ifPresent(project -> keel.projects().require(project));
        Map<String, Set<String>> models = new java.util.HashMap<>();
        logged.forEach((id, entries) -> entries.forEach(entry -> models.computeIfAbsent(id, key -> new LinkedHashSet<>()).add(entry.model())));
        Map<String, Optional<String>> projectOfModel = new java.util.HashMap<>();
        Set<String> labelling = call.projectsWith(Permission.LABEL_WRITE);
        String fallback = asked.orElseGet(() -> labelling.size() == 1 && !labelling.contains(dev.keel.core.security.Principal.ALL_PROJECTS)
                ? labelling.iterator().next() : dev.keel.core.security.ProjectService.DEFAULT);
        Map<String, List<GroundTruth>> byProject = new LinkedHashMap<>();
        for (GroundTruth truth : truths) {
            List<String> candidates = models.getOrDefault(truth.requestId(), Set.of()).stream()
                    .map(model -> projectOfModel.computeIfAbsent(model, name -> keel.registry().findModel(name).map(RegisteredModel::project)))
                    .flatMap(Optional::stream).distinct().toList();
            String project;
            if (candidates.isEmpty()) {
                project = fallback;
            } else {
                project = asked.filter(candidates::contains).filter(name -> call.sees(Permission.LABEL_WRITE, name))
                        .or(() -> candidates.stream().filter(name -> call.sees(Permission.LABEL_WRITE, name)).findFirst())
                        .orElse(candidates.getFirst());
            }
            call.require(Permission.LABEL_WRITE, project);
            byProject.computeIfAbsent(project, name -> new ArrayList<>()).add(truth);
        }
        return byProject;
    }

    private void uploadReference(Call call) {
        String mediaType = call.mediaType();
        ReferenceProfile profile;
        if (mediaType.equals("text/csv")) {
            byte[] csv = call.body();
            KeelException.requireArgument(csv.length > 0, "the body is empty; send the reference as CSV with a header row first");
            profile = monitoring().uploadReferenceCsv(call.path("model"), call.path("version"), csv, call.actor());
        } else if (Call.isJson(mediaType)) {
            JsonNode body;
            try {
                body = Json.MAPPER.readTree(call.body());
            } catch (IOException e) {
                throw Call.invalidJson(e);
            }
            if (body != null && body.isObject() && body.has("dataset")) {
                call.created(referenceView(referenceFromDataset(call, body.get("dataset"))));
                return;
            }
            JsonNode rows = body != null && body.isObject() ? body.get("rows") : body;
            if (rows == null || !rows.isArray()) {
                throw new KeelException(ErrorCode.INVALID_JSON, "the body must be {\"rows\": [{column: value, ...}, ...]} or an array of rows",
                        List.of(new KeelException.FieldError("rows", "expected an array of objects")));
            }
            profile = monitoring().uploadReferenceRows(call.path("model"), call.path("version"), referenceRows(rows), call.actor());
        } else {
            throw Call.unsupportedMedia(mediaType, "text/csv (header row first) or application/json {\"rows\": [...]}");
        }
        call.created(referenceView(profile));
    }

    /** The rows of a JSON reference upload: each an object from column to a number, string, boolean or null. */
    private static List<Map<String, Object>> referenceRows(JsonNode rows) {
        KeelException.requireArgument(rows.size() <= MAX_BATCH, "field 'rows' has %d entries; at most %d a call", rows.size(), MAX_BATCH);
        for (int i = 0; i < rows.size(); i++) {
            JsonNode row = rows.get(i);
            if (!row.isObject()) {
                throw new KeelException(ErrorCode.INVALID_REQUEST, "rows[" + i + "] must be an object from column to value",
                        List.of(new KeelException.FieldError("rows[" + i + "]", "expected an object")));
            }
            for (Map.Entry<String, JsonNode> cell : row.properties()) {
                if (cell.getValue().isContainerNode()) {
                    String field = "rows[" + i + "]." + cell.getKey();
                    throw new KeelException(ErrorCode.INVALID_REQUEST, field + " must be a number, string, boolean or null",
                            List.of(new KeelException.FieldError(field, "expected a number, string, boolean or null")));
                }
            }
        }
        return Json.MAPPER.convertValue(rows, ROWS);
    }

    /**
     * {@code {"dataset": "name@version"}} names a snapshot; {@code {"dataset": "lineage"}} takes the snapshot the version
     * was trained on, from its lineage ({@code dataset:name@version}).
     */
    private ReferenceProfile referenceFromDataset(Call call, JsonNode dataset) {
        if (!dataset.isTextual()) {
            throw new KeelException(ErrorCode.INVALID_REQUEST, "field 'dataset' must be 'name@version' or 'lineage'",
                    List.of(new KeelException.FieldError("dataset", "expected a string")));
        }
        String reference = dataset.asText();
        if (reference.equals("lineage")) {
            var version = keel.registry().resolve(call.path("model"), call.path("version"));
            reference = version.lineage().datasetUri().filter(uri -> uri.startsWith("dataset:")).map(uri -> uri.substring("dataset:".length()))
                    .orElseThrow(() -> new KeelException(ErrorCode.INVALID_REQUEST, "version " + version.label()
                            + " was not trained on a Keel dataset: its lineage datasetUri is " + version.lineage().datasetUri().orElse("empty")
                            + "; expected dataset:name@version"));
        }
        int at = reference.lastIndexOf('@');
        if (at <= 0 || !reference.substring(at + 1).matches("\\d{1,9}")) {
            throw new KeelException(ErrorCode.INVALID_REQUEST, "field 'dataset' is '" + reference + "'; expected name@version such as "
                    + "credit-g-features@1, or 'lineage'", List.of(new KeelException.FieldError("dataset", "expected name@version or lineage")));
        }
        String name = reference.substring(0, at);
        int datasetVersion = Integer.parseInt(reference.substring(at + 1));
        keel.data().service().datasetProject(name).ifPresent(project -> call.require(Permission.DATASET_READ, project));
        try (var snapshot = keel.data().service().openSnapshot(name, datasetVersion)) {
            return monitoring().referenceFromSnapshot(call.path("model"), call.path("version"), snapshot.path(), "dataset:" + name + "@"
                    + datasetVersion, call.actor());
        }
    }

    private static Map<String, Object> referenceView(ReferenceProfile profile) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("model", profile.model());
        view.put("version", profile.version());
        view.put("rows", profile.rows());
        view.put("sha256", profile.sha256());
        view.put("source", profile.source());
        view.put("createdAt", profile.createdAt());
        Map<String, Object> columns = new LinkedHashMap<>();
        profile.columns().forEach((name, summary) -> columns.put(name, Map.of("type", summary.type().name().toLowerCase(java.util.Locale.ROOT),
                "count", summary.count(), "nulls", summary.nulls())));
        view.put("columns", columns);
        return view;
    }

    /**
     * The last logged predictions of the path's model before {@code ?before=} (default now), newest first. A caller without
     * SENSITIVE_READ in the model's project sees each sensitive feature of the answering version masked as its schema says.
     */
    private List<Map<String, Object>> predictions(Call call) {
        RegisteredModel model = keel.registry().findModel(call.path("model"))
                .orElseThrow(() -> KeelException.notFound("model '" + call.path("model") + "' does not exist"));
        int limit = call.queryInt("limit", 100, 1, 10_000);
        Instant before = call.query("before").map(text -> instant("before", text)).orElseGet(() -> keel.clock().instant());
        boolean raw = call.sees(Permission.SENSITIVE_READ, model.project());
        List<PredictionRecord> records = new ArrayList<>();
        monitoring().predictionLog().scan(dev.keel.core.monitor.PredictionQuery.last(model.name(), limit, before), records::add);
        records.sort(java.util.Comparator.comparing(PredictionRecord::time).reversed());
        Map<Integer, dev.keel.core.security.SensitiveColumns> sensitive = new java.util.HashMap<>();
        List<Map<String, Object>> answer = new ArrayList<>(records.size());
        for (PredictionRecord record : records.subList(0, Math.min(limit, records.size()))) {
            Map<String, Object> inputs = record.inputs();
            if (!raw) {
                dev.keel.core.security.SensitiveColumns columns = sensitive.computeIfAbsent(record.version(), version -> schema(model.name(),
                        version, record.inputs().keySet()));
                inputs = keel.masker().record(model.project(), inputs, columns);
            }
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("requestId", record.requestId());
            view.put("endpoint", record.endpoint());
            view.put("version", record.version());
            view.put("time", record.time());
            view.put("latencyMillis", record.latencyMillis());
            view.put("inputs", inputs);
            view.put("outputs", record.outputs());
            view.put("fallback", record.fallback());
            view.put("shadow", record.shadow());
            answer.add(view);
        }
        return answer;
    }

    /** The sensitive features of a version; every input, redacted, when the version cannot be read (fail closed). */
    private dev.keel.core.security.SensitiveColumns schema(String model, int version, java.util.Collection<String> inputs) {
        try {
            return dev.keel.core.registry.FeatureSpec.sensitive(keel.registry().requireVersion(model, version).features());
        } catch (KeelException e) {
            return dev.keel.core.security.SensitiveColumns.of(inputs, dev.keel.core.security.Masking.REDACT);
        }
    }

    static Map<String, Object> driftView(DriftReport report) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("model", report.model());
        view.put("version", report.version());
        view.put("from", report.from());
        view.put("to", report.to());
        view.put("referenceRows", report.referenceRows());
        view.put("currentRows", report.currentRows());
        view.put("datasetDrift", report.drift().drifted());
        view.put("driftedColumns", report.drift().driftedColumns());
        view.put("driftedShare", report.drift().driftedShare());
        view.put("driftShareThreshold", report.drift().driftShareThreshold());
        List<Map<String, Object>> columns = new ArrayList<>();
        for (Map.Entry<String, ColumnDrift> entry : report.drift().columns().entrySet()) {
            ColumnDrift drift = entry.getValue();
            Map<String, Object> column = new LinkedHashMap<>();
            column.put("feature", entry.getKey());
            column.put("type", drift.type().name().toLowerCase(java.util.Locale.ROOT));
            column.put("statistic", drift.result().statistic().id());
            column.put("value", drift.result().value());
            column.put("pValue", drift.result().pValue().isPresent() ? drift.result().pValue().getAsDouble() : null);
            column.put("threshold", drift.result().threshold());
            column.put("drifted", drift.drifted());
            column.put("exact", drift.result().exact());
            drift.result().maxError().ifPresent(error -> column.put("maxError", Double.isFinite(error) ? error : "unbounded"));
            drift.result().pValueMaxError().ifPresent(error -> column.put("pValueMaxError", error));
            column.put("referenceCount", drift.referenceSize());
            column.put("currentCount", drift.currentSize());
            columns.add(column);
        }
        view.put("columns", columns);
        view.put("notCompared", report.missingColumns());
        return view;
    }

    /** An instant as ISO-8601 ({@code 2026-11-26T10:00:00Z}) or epoch milliseconds. */
    static Instant instant(String field, String text) {
        try {
            if (text.chars().allMatch(Character::isDigit)) {
                return Instant.ofEpochMilli(Long.parseLong(text));
            }
            return Instant.parse(text);
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new KeelException(ErrorCode.INVALID_REQUEST, "'" + field + "' is '" + text
                    + "'; expected an ISO-8601 instant such as 2026-11-26T10:00:00Z or epoch milliseconds",
                    List.of(new KeelException.FieldError(field, "expected an instant")));
        }
    }
}
