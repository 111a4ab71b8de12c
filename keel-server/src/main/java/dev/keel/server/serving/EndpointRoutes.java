package dev.keel.server.serving;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.registry.RegisteredModel;
import dev.keel.core.security.Permission;
import dev.keel.core.serving.Endpoint;
import dev.keel.core.serving.InputLimits;
import dev.keel.core.serving.PredictOptions;
import dev.keel.core.serving.Prediction;
import dev.keel.core.serving.PredictionInput;
import dev.keel.server.Api;
import dev.keel.server.Call;
import dev.keel.server.HttpService;
import dev.keel.server.Keel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/** Endpoints over HTTP: create, list, show, change, delete, and Keel's predict API. */
public final class EndpointRoutes implements HttpService {
    private static final Set<String> PREDICT_FIELDS = Set.of("instances", "columns", "key");

    private final Keel keel;

    public EndpointRoutes(Keel keel) {
        this.keel = keel;
    }

    @Override
    public void routes(Api api) {
        Function<Call, Optional<String>> endpointProject = call -> keel.serving().project(call.path("name"));
        api.get("/v1/endpoints", Permission.ENDPOINT_READ).describe("endpoint.list", "Endpoints the caller can see").handle(call ->
                call.ok(Map.of("endpoints", keel.serving().list().stream()
                        .filter(endpoint -> call.sees(Permission.ENDPOINT_READ, endpoint.project()))
                        .filter(endpoint -> call.query("project").map(endpoint.project()::equals).orElse(true))
                        .map(this::view).toList())));
        api.post("/v1/endpoints", Permission.ENDPOINT_WRITE)
                .project(call -> Optional.ofNullable(call.jsonText("model", null)).flatMap(model -> keel.registry().findModel(model))
                        .map(RegisteredModel::project))
                .describe("endpoint.create", "Serve a model alias under a name, with canary, shadow, batching, limits and fallback")
                .handle(call -> {
                    EndpointBody body = call.json(EndpointBody.class);
                    call.created(view(keel.serving().create(body.toConfig(Optional.empty()), call.actor())));
                });
        api.get("/v1/endpoints/{name}", Permission.ENDPOINT_READ).project(endpointProject)
                .describe("endpoint.show", "An endpoint with the versions it routes to now")
                .handle(call -> call.ok(view(keel.serving().require(call.path("name")))));
        api.put("/v1/endpoints/{name}", Permission.ENDPOINT_WRITE).project(endpointProject)
                .describe("endpoint.update", "Replace an endpoint's configuration; new requests follow it at once").handle(call -> {
                    keel.serving().require(call.path("name"));
                    EndpointBody body = call.json(EndpointBody.class);
                    call.ok(view(keel.serving().update(body.toConfig(Optional.of(call.path("name"))))));
                });
        api.delete("/v1/endpoints/{name}", Permission.ENDPOINT_WRITE).project(endpointProject)
                .describe("endpoint.delete", "Stop serving an endpoint; requests in flight finish").handle(call -> {
                    keel.serving().delete(call.path("name"));
                    call.context().status(204);
                });
        api.post("/v1/endpoints/{name}/predict", Permission.PREDICT).project(endpointProject).notAudited()
                .describe("endpoint.predict", "Score records ({\"instances\": [{feature: value}]}) or columns ({\"columns\": {feature: [values]}})")
                .handle(this::predict);
        api.get("/v1/endpoints/{name}/stats", Permission.ENDPOINT_READ).project(endpointProject)
                .describe("endpoint.stats", "Requests, errors, fallbacks, latency and batch sizes per version")
                .handle(call -> call.ok(keel.serving().stats(call.path("name"))));
        api.get("/v1/endpoints/{name}/failures", Permission.ENDPOINT_READ).project(endpointProject)
                .describe("endpoint.failures", "Recorded model failures and timeouts, newest first").handle(call -> {
                    keel.serving().require(call.path("name"));
                    call.ok(Map.of("failures", keel.serving().failures(call.path("name"), call.queryInt("limit", 100, 1, 10_000))));
                });
        api.get("/v1/endpoints/{name}/shadow", Permission.ENDPOINT_READ).project(endpointProject)
                .describe("endpoint.shadow", "Stored answers of the serving and the shadow version, newest first").handle(call -> {
                    keel.serving().require(call.path("name"));
                    call.ok(Map.of("comparisons", keel.serving().comparisons(call.path("name"), call.queryInt("limit", 100, 1, 10_000))));
                });
    }

    private Map<String, Object> view(Endpoint endpoint) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", endpoint.name());
        view.put("project", endpoint.project());
        view.put("config", endpoint.config());
        view.put("serving", keel.serving().isServing(endpoint.name()));
        if (keel.serving().isServing(endpoint.name())) {
            view.put("routes", keel.serving().routes(endpoint.name()));
        }
        view.put("status", keel.serving().status(endpoint.name()));
        view.put("createdAt", endpoint.createdAt());
        view.put("createdBy", endpoint.createdBy());
        view.put("updatedAt", endpoint.updatedAt());
        return view;
    }

    private void predict(Call call) {
        InputLimits limits = keel.serving().find(call.path("name")).map(endpoint -> endpoint.config().inputLimits(keel.inputLimits()))
                .orElse(keel.inputLimits());
        JsonNode body = Bodies.read(call, limits);
        PredictionInput input = predictInput(body, limits);
        Optional<String> key = Optional.ofNullable(body.get("key")).filter(JsonNode::isValueNode).map(JsonNode::asText)
                .or(() -> Optional.ofNullable(call.context().header("X-Request-Key")));
        Prediction prediction = keel.serving().predict(call.path("name"), input, new PredictOptions(call.requestId(), key, Optional.empty()));
        if (prediction.fallback().isPresent()) {
            call.context().header("X-Keel-Fallback", prediction.fallback().get().wireName());
        }
        call.ok(PredictionJson.render(prediction));
    }

    /** The records of a predict body ({@code instances} or {@code columns}), checked: known fields, limits, finite numbers. */
    static PredictionInput predictInput(JsonNode body, dev.keel.core.serving.InputLimits limits) {
        for (Iterator<String> names = body.fieldNames(); names.hasNext();) {
            String field = names.next();
            if (!PREDICT_FIELDS.contains(field)) {
                throw new KeelException(ErrorCode.INVALID_REQUEST, "unknown field '" + field + "'; send 'instances' (a list of records) or "
                        + "'columns' (feature -> list of values), and optionally 'key'", List.of(new KeelException.FieldError(field, "unknown field")));
            }
        }
        PredictionInput input = input(body, limits);
        Bodies.refuseNonFinitePredict(body);
        return input;
    }

    static PredictionInput input(JsonNode body, dev.keel.core.serving.InputLimits limits) {
        JsonNode instances = body.get("instances");
        JsonNode columns = body.get("columns");
        if ((instances == null) == (columns == null)) {
            throw new KeelException(ErrorCode.INVALID_REQUEST, "send exactly one of 'instances' (a list of records such as "
                    + "[{\"age\": 35}]) or 'columns' (such as {\"age\": [35, 52]})", List.of(new KeelException.FieldError("instances",
                    "expected exactly one of instances or columns")));
        }
        if (instances != null) {
            if (!instances.isArray()) {
                throw new KeelException(ErrorCode.INVALID_REQUEST, "'instances' must be a list of records",
                        List.of(new KeelException.FieldError("instances", "expected an array")));
            }
            limits.checkRows("instances", instances.size());
            List<JsonNode> rows = new ArrayList<>(instances.size());
            instances.forEach(rows::add);
            return new PredictionInput.Records(rows);
        }
        if (!columns.isObject() || columns.isEmpty()) {
            throw new KeelException(ErrorCode.INVALID_REQUEST, "'columns' must be an object from feature name to a list of values",
                    List.of(new KeelException.FieldError("columns", "expected an object of lists")));
        }
        int length = -1;
        for (Map.Entry<String, JsonNode> field : columns.properties()) {
            if (!field.getValue().isArray()) {
                throw new KeelException(ErrorCode.INVALID_REQUEST, "columns." + field.getKey() + " must be a list of values",
                        List.of(new KeelException.FieldError("columns." + field.getKey(), "expected an array")));
            }
            if (length >= 0 && field.getValue().size() != length) {
                throw new KeelException(ErrorCode.INVALID_REQUEST, "columns." + field.getKey() + " has " + field.getValue().size()
                        + " values but earlier columns have " + length, List.of(new KeelException.FieldError("columns." + field.getKey(),
                        "expected " + length + " values")));
            }
            length = field.getValue().size();
            limits.checkRows("columns." + field.getKey(), length);
        }
        List<JsonNode> rows = new ArrayList<>(length);
        for (int row = 0; row < length; row++) {
            var record = dev.keel.core.json.Json.MAPPER.createObjectNode();
            for (Map.Entry<String, JsonNode> field : columns.properties()) {
                record.set(field.getKey(), field.getValue().get(row));
            }
            rows.add(record);
        }
        return new PredictionInput.Records(rows);
    }
}
