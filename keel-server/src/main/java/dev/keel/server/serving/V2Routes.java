package dev.keel.server.serving;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.registry.ModelVersion;
import dev.keel.core.registry.RegisteredModel;
import dev.keel.core.security.Permission;
import dev.keel.core.serving.FallbackMode;
import dev.keel.core.serving.PredictOptions;
import dev.keel.core.serving.Prediction;
import dev.keel.core.serving.PredictionInput;
import dev.keel.core.serving.TensorValues;
import dev.keel.server.Api;
import dev.keel.server.Call;
import dev.keel.server.HttpService;
import dev.keel.server.Keel;
import dev.keel.server.Readiness;
import dev.keel.server.Version;
import dev.keel.spi.DataType;
import dev.keel.spi.Tensor;
import dev.keel.spi.TensorSpec;
import dev.keel.core.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The KServe Open Inference Protocol v2 over REST. {@code {m}} is an endpoint name (served with its routing, limits and
 * fallback) or a registered model name. A model name goes through the endpoint that serves the model (the only one, or the
 * one named like the model; several others are a 409 naming them), with that endpoint's limits, canary, shadow, breakers
 * and fallback; a model no endpoint serves is scored under the server's per-model limits ({@code serving.direct}): its
 * {@code champion} alias, else its latest version, unless a version is named. Errors are {@code {"error": "..."}}.
 */
public final class V2Routes implements HttpService {
    private final Keel keel;
    private final Readiness readiness;

    public V2Routes(Keel keel, Readiness readiness) {
        this.keel = keel;
        this.readiness = readiness;
    }

    @Override
    public void routes(Api api) {
        api.publicGet("/v2/health/live", "v2.live", "Open Inference Protocol: the server is live", call -> call.context().status(200));
        api.publicGet("/v2/health/ready", "v2.ready", "Open Inference Protocol: the server is ready; the same check as /health/ready",
                call -> call.context().status(readiness.check().ready() ? 200 : 400));
        api.get("/v2", Permission.SERVER_READ).describe("v2.server", "Open Inference Protocol: server metadata").handle(call -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", "keel");
            body.put("version", Version.current());
            body.put("extensions", List.of());
            call.ok(body);
        });
        Function<Call, Optional<String>> project = call -> keel.serving().project(call.path("m"))
                .or(() -> keel.registry().findModel(call.path("m")).map(RegisteredModel::project));
        for (String base : List.of("/v2/models/{m}", "/v2/models/{m}/versions/{v}")) {
            boolean versioned = base.contains("{v}");
            String suffix = versioned ? ".version" : "";
            api.get(base, Permission.PREDICT).project(project).describe("v2.metadata" + suffix, "Open Inference Protocol: model metadata")
                    .handle(call -> call.ok(metadata(call.path("m"), version(call, versioned))));
            api.get(base + "/ready", Permission.PREDICT).project(project).describe("v2.model.ready" + suffix,
                    "Open Inference Protocol: the model is ready").handle(call -> call.context().status(
                            ready(call.path("m"), version(call, versioned)) ? 200 : 400));
            api.post(base + "/infer", Permission.PREDICT).project(project).notAudited().describe("v2.infer" + suffix,
                    "Open Inference Protocol: inference").handle(call -> infer(call, version(call, versioned)));
        }
    }

    private static Optional<String> version(Call call, boolean versioned) {
        return versioned ? Optional.of(call.path("v")) : Optional.empty();
    }

    /** The endpoint a name is served through: the endpoint of that name, or the endpoint serving the model of that name. */
    private Optional<String> endpoint(String name) {
        if (keel.serving().isServing(name) || keel.serving().find(name).isPresent()) {
            return Optional.of(name);
        }
        if (keel.registry().findModel(name).isEmpty()) {
            throw KeelException.notFound("no endpoint or model is named '" + name + "'");
        }
        return keel.serving().endpointOf(name);
    }

    /** As {@link #endpoint}, but a model served by several endpoints reads as the model itself: metadata needs no policy. */
    private Optional<String> endpointForReading(String name) {
        try {
            return endpoint(name);
        } catch (KeelException e) {
            if (e.code() == ErrorCode.CONFLICT) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The version a name refers to: an endpoint's main (or named) version, or a model's named, champion or latest version. */
    private ModelVersion resolve(String name, Optional<String> version) {
        Optional<String> endpoint = endpointForReading(name);
        if (endpoint.isPresent()) {
            String model = keel.serving().require(endpoint.get()).config().model();
            return version.isPresent() ? keel.registry().resolve(model, version.get()) : keel.serving().mainVersion(endpoint.get());
        }
        RegisteredModel model = keel.registry().requireModel(name);
        return keel.registry().resolve(name, version.orElse(model.aliases().containsKey("champion") ? "champion" : "latest"));
    }

    private Map<String, Object> metadata(String name, Optional<String> version) {
        ModelVersion resolved = resolve(name, version);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        List<String> versions = version.isPresent() ? List.of(Integer.toString(resolved.version()))
                : keel.registry().listVersions(resolved.model()).stream().map(each -> Integer.toString(each.version())).toList();
        body.put("versions", versions);
        body.put("platform", resolved.format().equals("onnx") ? "onnxruntime_onnx" : resolved.format());
        body.put("inputs", resolved.signature().inputs().stream().map(V2Routes::tensorMetadata).toList());
        body.put("outputs", resolved.signature().outputs().stream().map(V2Routes::tensorMetadata).toList());
        return body;
    }

    private static Map<String, Object> tensorMetadata(TensorSpec spec) {
        Map<String, Object> tensor = new LinkedHashMap<>();
        tensor.put("name", spec.name());
        tensor.put("datatype", spec.type().name());
        tensor.put("shape", spec.shape());
        return tensor;
    }

    private boolean ready(String name, Optional<String> version) {
        Optional<String> endpoint = endpointForReading(name);
        if (endpoint.isPresent() && version.isEmpty()) {
            return keel.serving().isServing(endpoint.get());
        }
        ModelVersion resolved = resolve(name, version);
        return keel.serving().ready(resolved.model(), Integer.toString(resolved.version()));
    }

    private void infer(Call call, Optional<String> version) {
        String name = call.path("m");
        // The limits of the endpoint the call reaches: by its name, or the endpoint that serves the model it names.
        dev.keel.core.serving.InputLimits limits = keel.serving().find(name).or(() -> keel.serving().endpointOf(name)
                        .flatMap(keel.serving()::find)).map(endpoint -> endpoint.config().inputLimits(keel.inputLimits()))
                .orElse(keel.inputLimits());
        InferRequest request = readInfer(Bodies.jsonBytes(call), limits);
        Optional<String> id = request.id();
        Map<String, Tensor> tensors = request.tensors();
        List<String> requested = request.requested();
        Optional<String> key = request.key().or(() -> Optional.ofNullable(call.context().header("X-Request-Key")));
        PredictionInput input = new PredictionInput.Tensors(tensors);
        PredictOptions options = new PredictOptions(call.requestId(), key, version);
        Prediction prediction;
        if (keel.serving().isServing(name) || keel.serving().find(name).isPresent()) {
            prediction = keel.serving().predict(name, input, options);
        } else if (keel.registry().findModel(name).isPresent()) {
            prediction = keel.serving().predictModel(name, input, options);
        } else {
            throw KeelException.notFound("no endpoint or model is named '" + name + "'");
        }
        Map<String, Tensor> outputs = PredictionJson.ordered(prediction.version(), prediction.outputs());
        for (String output : requested) {
            if (!outputs.containsKey(output)) {
                throw new KeelException(ErrorCode.INVALID_REQUEST, "output '" + output + "' was requested but " + prediction.version().label()
                        + " gives " + outputs.keySet());
            }
        }
        if (prediction.fallback().isPresent()) {
            call.context().header("X-Keel-Fallback", prediction.fallback().get().wireName());
        }
        String answerId = id.orElse(call.requestId());
        byte[] answer = prediction.fallback().isEmpty()
                ? V2Answer.write(name, prediction.version().version(), answerId, outputs, requested) : null;
        if (answer == null) {
            answer = generated(name, prediction.version().version(), answerId, prediction.fallback().map(FallbackMode::wireName),
                    prediction.failedVersion().map(String::valueOf), outputs, requested);
        }
        call.context().status(200).contentType("application/json").result(answer);
    }

    /** A v2 inference request as read from its body: its id, input tensors, the outputs it asks for, and its parameters.key. */
    record InferRequest(Optional<String> id, Map<String, Tensor> tensors, List<String> requested, Optional<String> key) {
    }

    /**
     * Reads the body of a v2 inference request under the limits: the common shape by the fast reader, anything else through the
     * JSON tree, where every problem is a 400 (or 413 past the limits) naming the input.
     */
    static InferRequest readInfer(byte[] bytes, dev.keel.core.serving.InputLimits limits) {
        V2Body.Request common = V2Body.read(bytes, limits.maxTensorElements());
        if (common != null) {
            return new InferRequest(common.id(), common.inputs(), List.of(), Optional.empty());
        }
        JsonNode body = Bodies.read(bytes, limits);
        Optional<String> id = Optional.ofNullable(body.get("id")).map(node -> {
            if (!node.isTextual()) {
                throw KeelException.badRequest("'id' must be a string");
            }
            return node.textValue();
        });
        Map<String, Tensor> tensors = inputs(body.get("inputs"), limits);
        List<String> requested = requestedOutputs(body.get("outputs"));
        Optional<String> key = Optional.ofNullable(body.path("parameters").get("key")).filter(JsonNode::isValueNode).map(JsonNode::asText);
        return new InferRequest(id, tensors, requested, key);
    }

    /** The answer written by Jackson's generator: every datatype, and the fallback parameters. */
    static byte[] generated(String name, int version, String answerId, Optional<String> fallback, Optional<String> failedVersion,
            Map<String, Tensor> outputs, List<String> requested) {
        ByteArrayOutputStream answer = new ByteArrayOutputStream(256);
        try (JsonGenerator json = Json.MAPPER.getFactory().createGenerator(answer)) {
            json.writeStartObject();
            json.writeStringField("model_name", name);
            json.writeStringField("model_version", Integer.toString(version));
            json.writeStringField("id", answerId);
            if (fallback.isPresent()) {
                json.writeObjectFieldStart("parameters");
                json.writeStringField("fallback", fallback.get());
                json.writeStringField("failed_version", failedVersion.orElse(""));
                json.writeEndObject();
            }
            json.writeArrayFieldStart("outputs");
            for (Map.Entry<String, Tensor> entry : outputs.entrySet()) {
                if (!requested.isEmpty() && !requested.contains(entry.getKey())) {
                    continue;
                }
                Tensor tensor = entry.getValue();
                json.writeStartObject();
                json.writeStringField("name", entry.getKey());
                json.writeArrayFieldStart("shape");
                for (int i = 0; i < tensor.rank(); i++) {
                    json.writeNumber(tensor.dimension(i));
                }
                json.writeEndArray();
                json.writeStringField("datatype", tensor.type().name());
                json.writeFieldName("data");
                writeData(json, tensor);
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return answer.toByteArray();
    }

    /** A tensor's elements as a flat JSON array (row-major), numbers written straight from the typed array. */
    private static void writeData(JsonGenerator json, Tensor tensor) throws IOException {
        int size = tensor.size();
        json.writeStartArray();
        switch (tensor.data()) {
            case float[] values when tensor.type() == DataType.FP32 -> {
                for (float value : values) {
                    json.writeNumber(value);
                }
            }
            case double[] values -> {
                for (double value : values) {
                    json.writeNumber(value);
                }
            }
            case long[] values when tensor.type() == DataType.INT64 -> {
                for (long value : values) {
                    json.writeNumber(value);
                }
            }
            case int[] values when tensor.type() == DataType.INT32 -> {
                for (int value : values) {
                    json.writeNumber(value);
                }
            }
            default -> {
                for (int i = 0; i < size; i++) {
                    json.writeObject(TensorValues.element(tensor, i));
                }
            }
        }
        json.writeEndArray();
    }

    static Map<String, Tensor> inputs(JsonNode inputs) {
        return inputs(inputs, dev.keel.core.serving.InputLimits.defaults());
    }

    static Map<String, Tensor> inputs(JsonNode inputs, dev.keel.core.serving.InputLimits limits) {
        long elements = 0;
        if (inputs == null || !inputs.isArray() || inputs.isEmpty()) {
            throw KeelException.badRequest("'inputs' must be a non-empty list of tensors {\"name\", \"shape\", \"datatype\", \"data\"}");
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (JsonNode input : inputs) {
            String name = input.path("name").asText("");
            if (!input.path("name").isTextual() || name.isEmpty()) {
                throw KeelException.badRequest("every input needs a 'name'");
            }
            if (tensors.containsKey(name)) {
                throw KeelException.badRequest("input '" + name + "' is given twice");
            }
            if (input.path("parameters").has("binary_data_size")) {
                throw KeelException.badRequest("input '" + name + "' uses the binary data extension, which Keel does not support; send 'data' as JSON");
            }
            DataType type = Bodies.datatype(name, input.path("datatype"));
            JsonNode shapeNode = input.get("shape");
            if (shapeNode == null || !shapeNode.isArray()) {
                throw KeelException.badRequest("input '" + name + "' needs a 'shape', a list of dimensions");
            }
            long[] shape = new long[shapeNode.size()];
            for (int i = 0; i < shape.length; i++) {
                JsonNode dimension = shapeNode.get(i);
                if (!dimension.isIntegralNumber() || dimension.asLong() < 0) {
                    throw KeelException.badRequest("input '" + name + "' has shape " + shapeNode + "; dimensions must be integers >= 0");
                }
                shape[i] = dimension.asLong();
            }
            elements += limits.checkElements(name, shape, elements);
            JsonNode data = input.get("data");
            if (data == null || data.isNull()) {
                throw KeelException.badRequest("input '" + name + "' has no 'data'");
            }
            Bodies.refuseNonFinite(name, data);
            tensors.put(name, TensorValues.fromJson(name, type, shape, data));
        }
        return tensors;
    }

    private static List<String> requestedOutputs(JsonNode outputs) {
        if (outputs == null || outputs.isNull()) {
            return List.of();
        }
        if (!outputs.isArray()) {
            throw KeelException.badRequest("'outputs' must be a list of {\"name\": ...}");
        }
        Set<String> names = new LinkedHashSet<>();
        for (JsonNode output : outputs) {
            if (!output.path("name").isTextual()) {
                throw KeelException.badRequest("every requested output needs a 'name'");
            }
            if (output.path("parameters").path("binary_data").asBoolean(false)) {
                throw KeelException.badRequest("output '" + output.path("name").asText() + "' asks for binary data, which Keel does not support");
            }
            names.add(output.path("name").asText());
        }
        return List.copyOf(names);
    }
}
