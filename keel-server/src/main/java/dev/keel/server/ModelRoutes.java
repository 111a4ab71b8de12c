package dev.keel.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.json.Json;
import dev.keel.core.registry.FeatureSpec;
import dev.keel.core.registry.Lineage;
import dev.keel.core.registry.ModelRegistry;
import dev.keel.core.registry.ModelVersion;
import dev.keel.core.registry.NewSignature;
import dev.keel.core.registry.NewVersion;
import dev.keel.core.registry.PromotionGate;
import dev.keel.core.registry.RegisteredModel;
import dev.keel.core.registry.SignaturePayload;
import dev.keel.core.registry.SigningPolicy;
import dev.keel.core.security.Permission;
import dev.keel.core.security.ProjectService;
import io.javalin.http.UploadedFile;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** The model registry over HTTP: models, versions (upload as multipart or raw body), aliases, promotion, rollback, history. */
final class ModelRoutes implements HttpService {
    private final Keel keel;

    ModelRoutes(Keel keel) {
        this.keel = keel;
    }

    /** Body of POST /v1/models. */
    record CreateModel(String name, String project, String description, Gate gate) {
    }

    /** A promotion gate as sent: thresholds such as {@code auc >= 0.75} and the aliases it guards. */
    record Gate(List<String> thresholds, List<String> aliases) {
        PromotionGate toGate() {
            return PromotionGate.parse(thresholds == null ? List.of() : thresholds, aliases == null ? List.of() : aliases);
        }
    }

    /** Metadata of a version upload. */
    record VersionMetadata(String format, List<FeatureSpec> features, Map<String, Double> metrics, Map<String, String> tags, Lineage lineage,
                           String description, List<NewSignature> signatures) {
    }

    /** Body of POST /v1/models/{model}/aliases/{alias}. */
    record Promote(Integer version, String reason) {
    }

    /** Body of POST /v1/models/{model}/aliases/{alias}/rollback. */
    record Rollback(String reason) {
    }

    @Override
    public void routes(Api api) {
        Function<Call, Optional<String>> modelProject = call -> keel.registry().findModel(call.path("model")).map(RegisteredModel::project);
        api.get("/v1/models", Permission.MODEL_READ).describe("model.list", "Registered models the caller can see").handle(call ->
                call.ok(Map.of("models", keel.registry().listModels().stream()
                        .filter(model -> call.sees(Permission.MODEL_READ, model.project()))
                        .filter(model -> call.query("project").map(model.project()::equals).orElse(true)).toList())));
        api.post("/v1/models", Permission.MODEL_WRITE)
                .project(call -> Optional.of(call.jsonText("project", ProjectService.DEFAULT)))
                .describe("model.create", "Register a model name in a project, with its promotion gate").handle(call -> {
                    CreateModel request = call.json(CreateModel.class);
                    PromotionGate gate = request.gate() == null ? PromotionGate.open() : request.gate().toGate();
                    call.created(keel.registry().createModel(request.project() == null ? ProjectService.DEFAULT : request.project(),
                            request.name(), request.description(), gate, call.actor()));
                });
        api.get("/v1/models/{model}", Permission.MODEL_READ).project(modelProject).describe("model.show", "A model with its aliases")
                .handle(call -> call.ok(keel.registry().requireModel(call.path("model"))));
        api.delete("/v1/models/{model}", Permission.MODEL_WRITE).project(modelProject)
                .describe("model.delete", "Delete a model that has no versions (409 when it has any)").handle(call -> {
                    keel.registry().deleteEmptyModel(call.path("model"));
                    call.context().status(204);
                });
        api.put("/v1/models/{model}/gate", Permission.MODEL_PROMOTE).project(modelProject)
                .describe("model.gate", "Replace the model's promotion gate").handle(call ->
                        call.ok(keel.registry().updateGate(call.path("model"), call.json(Gate.class).toGate())));
        api.get("/v1/models/{model}/versions", Permission.MODEL_READ).project(modelProject).describe("version.list", "Versions of a model")
                .handle(call -> call.ok(Map.of("versions", keel.registry().listVersions(call.path("model")).stream().map(this::view).toList())));
        api.post("/v1/models/{model}/versions", Permission.MODEL_WRITE).project(modelProject)
                .describe("version.register", "Upload a new version: multipart (file + metadata) or a raw body with an X-Keel-Metadata header")
                .handle(this::register);
        api.get("/v1/models/{model}/versions/{version}", Permission.MODEL_READ).project(modelProject)
                .describe("version.show", "A version by number, alias or 'latest'")
                .handle(call -> call.ok(view(keel.registry().resolve(call.path("model"), call.path("version")))));
        api.get("/v1/models/{model}/versions/{version}/artifact", Permission.MODEL_READ).project(modelProject)
                .describe("version.artifact", "Download a version's artifact, verified against its hash").handle(call -> {
                    ModelVersion version = keel.registry().resolve(call.path("model"), call.path("version"));
                    byte[] bytes = keel.registry().artifact(version);
                    call.context().header("Digest", "sha-256=" + version.artifact().sha256())
                            .header("Content-Disposition", "attachment; filename=\"" + version.label().replace(':', '-') + "." + version.format() + "\"")
                            .contentType("application/octet-stream").result(bytes);
                });
        api.post("/v1/models/{model}/aliases/{alias}", Permission.MODEL_PROMOTE).project(modelProject)
                .describe("model.promote", "Point an alias at a version (a promotion); the gate must pass and the version must load and "
                        + "score a smoke row (409 otherwise, kept in the history as refused)").handle(call -> {
                    Promote request = call.json(Promote.class);
                    KeelException.requireArgument(request.version() != null, "field 'version' is required (the version number to promote)");
                    call.ok(keel.registry().promote(call.path("model"), call.path("alias"), request.version(), request.reason(), call.actor()));
                });
        api.post("/v1/models/{model}/aliases/{alias}/rollback", Permission.MODEL_PROMOTE).project(modelProject)
                .describe("model.rollback", "Move an alias back to its previous holder; needs a reason").handle(call -> {
                    Rollback request = call.json(Rollback.class);
                    call.ok(keel.registry().rollback(call.path("model"), call.path("alias"), request.reason(), call.actor()));
                });
        api.put("/v1/models/{model}/signing", Permission.MODEL_PROMOTE).project(modelProject)
                .describe("model.signing", "Require a valid signature (by any trusted key, or by the keys listed) before any version of the "
                        + "model is promoted or loaded: {required, keys}").handle(call ->
                        call.ok(keel.registry().updateSigning(call.path("model"), call.json(SigningPolicy.class))));
        api.get("/v1/models/{model}/versions/{version}/signing-payload", Permission.MODEL_READ).project(modelProject)
                .describe("version.signingPayload", "The exact bytes a signature of the version is made over (RFC 8785 canonical JSON)")
                .handle(call -> {
                    ModelVersion version = keel.registry().resolve(call.path("model"), call.path("version"));
                    call.context().contentType("application/json").result(SignaturePayload.of(version));
                });
        api.get("/v1/models/{model}/versions/{version}/signatures", Permission.MODEL_READ).project(modelProject)
                .describe("version.signatures", "The version's signatures, each verified against the keys trusted now, and the keys one of "
                        + "which must have signed it before it loads").handle(call -> {
                    ModelVersion version = keel.registry().resolve(call.path("model"), call.path("version"));
                    Map<String, Object> answer = new java.util.LinkedHashMap<>();
                    answer.put("model", version.model());
                    answer.put("version", version.version());
                    answer.put("signatures", keel.registry().signatures(version));
                    answer.put("requiredKeys", keel.registry().signatureRequirement(version));
                    call.ok(answer);
                });
        api.post("/v1/models/{model}/versions/{version}/signatures", Permission.MODEL_WRITE).project(modelProject)
                .describe("version.sign", "Attach an Ed25519 signature {keyId, signature (base64)} over the version's signing payload; "
                        + "refused (400, naming the field) unless it verifies under that trusted key").handle(call -> {
                    ModelVersion version = keel.registry().resolve(call.path("model"), call.path("version"));
                    ModelRegistry.SignatureAttached attached = keel.registry().attachSignature(version.model(), version.version(),
                            call.json(NewSignature.class), call.actor());
                    if (attached.added()) {
                        call.created(attached.signature());
                    } else {
                        call.ok(attached.signature());
                    }
                });
        api.get("/v1/models/{model}/history", Permission.MODEL_READ).project(modelProject)
                .describe("model.history", "Every alias move: who, when, from, to, why").handle(call ->
                        call.ok(Map.of("events", keel.registry().history(call.path("model"), call.query("alias")))));
    }

    private void register(Call call) throws IOException {
        String model = call.path("model");
        keel.registry().requireModel(model);
        long limit = keel.config().artifacts().maxModelSize();
        String contentType = call.mediaType();
        byte[] artifact;
        VersionMetadata metadata;
        if (contentType.equals("multipart/form-data")) {
            String header = call.context().header("Content-Type");
            if (!header.toLowerCase(java.util.Locale.ROOT).matches(".*;\\s*boundary=\"?[^\";]+.*")) {
                throw new KeelException(ErrorCode.INVALID_REQUEST, "a multipart/form-data body needs a boundary parameter in its Content-Type, "
                        + "such as 'multipart/form-data; boundary=x'", List.of(new KeelException.FieldError("Content-Type", "expected a boundary")));
            }
            UploadedFile file;
            String text;
            try {
                file = call.context().uploadedFile("file");
                text = call.context().formParam("metadata");
            } catch (Exception e) { // Javalin rethrows the servlet container's checked exception undeclared
                // the container drops the connection after a body it could not parse; say so, so that clients do not reuse it
                call.context().header("Connection", "close");
                throw new KeelException(ErrorCode.INVALID_REQUEST, "the multipart body could not be read; expected parts 'file' (the model) and "
                        + "optionally 'metadata' (JSON), separated by the boundary of the Content-Type");
            }
            if (file == null) {
                throw new KeelException(ErrorCode.INVALID_REQUEST, "the multipart body needs a part named 'file' holding the model",
                        List.of(new KeelException.FieldError("file", "missing")));
            }
            if (file.size() > limit) {
                throw tooLarge(file.size(), limit);
            }
            try (InputStream in = file.content()) {
                artifact = in.readAllBytes();
            }
            metadata = parseMetadata(text);
        } else if (contentType.isEmpty() || contentType.startsWith("application/octet-stream")) {
            long length = call.context().req().getContentLengthLong();
            if (length > limit) {
                throw Call.refuse(call.context(), tooLarge(length, limit));
            }
            artifact = call.body();
            if (artifact.length > limit) {
                throw tooLarge(artifact.length, limit);
            }
            metadata = parseMetadata(call.context().header("X-Keel-Metadata"));
        } else {
            throw Call.unsupportedMedia(contentType, "multipart/form-data (parts 'file' and 'metadata') or application/octet-stream with an "
                    + "optional X-Keel-Metadata JSON header");
        }
        NewVersion request = new NewVersion(metadata.format(), metadata.features(), metadata.metrics(), metadata.tags(), metadata.lineage(),
                metadata.description());
        List<NewSignature> signatures = metadata.signatures() == null ? List.of() : metadata.signatures();
        for (int i = 0; i < signatures.size(); i++) {
            if (signatures.get(i) == null) {
                throw new KeelException(ErrorCode.INVALID_REQUEST, "field 'signatures[" + i + "]' is null; expected {keyId, signature}",
                        List.of(new KeelException.FieldError("signatures[" + i + "]", "expected an object")));
            }
        }
        call.created(keel.registry().registerVersion(model, artifact, request, signatures, call.actor()));
    }

    private static KeelException tooLarge(long size, long limit) {
        return new KeelException(ErrorCode.PAYLOAD_TOO_LARGE, "the model is " + size + " bytes; the limit is " + limit
                + " bytes (artifacts.max-model-size)");
    }

    /** The version metadata of an upload (the multipart part or the X-Keel-Metadata header): a JSON object, 400 otherwise. */
    static VersionMetadata parseMetadata(String text) {
        if (text == null || text.isBlank()) {
            return new VersionMetadata(null, null, null, null, null, null, null);
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(text);
        } catch (IOException e) {
            String why = e instanceof com.fasterxml.jackson.core.JsonProcessingException json ? Json.describeFailure(json)
                    : String.valueOf(e.getMessage());
            throw new KeelException(ErrorCode.INVALID_JSON, "the version metadata is not valid JSON: " + why);
        }
        if (node == null || !node.isObject()) {
            throw new KeelException(ErrorCode.INVALID_JSON, "the version metadata must be a JSON object");
        }
        return Call.bind(node, VersionMetadata.class);
    }

    /**
     * A version as the API shows it: its record, with the metrics its uploader claimed under {@code metrics} and, apart, the
     * metrics Keel measured itself when it retrained the version ({@code verifiedMetrics}, {@code gatePassed}).
     */
    private Map<String, Object> view(ModelVersion version) {
        Map<String, Object> view = dev.keel.core.json.Json.MAPPER.convertValue(version,
                new com.fasterxml.jackson.core.type.TypeReference<java.util.LinkedHashMap<String, Object>>() { });
        keel.training().evaluation(version.model(), version.version()).ifPresent(evaluation -> {
            view.put("verifiedMetrics", evaluation.metrics());
            view.put("gatePassed", evaluation.passed());
        });
        return view;
    }
}
