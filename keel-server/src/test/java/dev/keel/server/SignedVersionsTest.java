package dev.keel.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.incident.Incident;
import dev.keel.core.json.Json;
import dev.keel.core.registry.ModelVersion;
import dev.keel.core.security.Ed25519Keys;
import dev.keel.core.security.ProjectService;
import dev.keel.core.security.Role;
import dev.keel.core.serving.EndpointConfig;
import dev.keel.core.serving.EndpointStatus;
import dev.keel.core.testing.OnEachStore;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

/**
 * Signed model versions through the API of a real server: signatures over the served payload, the refusals of signatures
 * that do not verify, promotion to a guarded alias, a model's own requirement, and the check made whenever a version loads.
 */
@OnEachStore
class SignedVersionsTest {
    @Parameter
    StoreKind kind;
    @TempDir
    Path keys;

    private final KeyPair release = Ed25519Keys.generate();
    private final KeyPair ci = Ed25519Keys.generate();
    private final KeyPair stranger = Ed25519Keys.generate();
    private TestingServer server;
    private String admin;

    @BeforeEach
    void start() throws IOException {
        Path releaseFile = Files.writeString(keys.resolve("release.pub"), Ed25519Keys.pem("PUBLIC KEY", release.getPublic().getEncoded()));
        Path ciFile = Files.writeString(keys.resolve("ci.pub"), Ed25519Keys.pem("PUBLIC KEY", ci.getPublic().getEncoded()));
        server = TestingServer.start(kind, """
                security:
                  signing:
                    keys:
                      release: '%s'
                      ci: '%s'
                    require-for-aliases: [production]
                serving:
                  refresh-interval: 200ms
                """.formatted(releaseFile, ciFile));
        admin = server.adminToken();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aSignatureOverTheServedPayload_isAttached_verifiesAndIsIdempotent() {
        expect(server.createModel("churn"), 201);
        expect(server.upload("churn", TestModels.creditGOnnx(), null), 201);
        byte[] payload = server.get("/v1/models/churn/versions/1/signing-payload", admin).bytes();
        JsonNode fields = Json.read(new String(payload, StandardCharsets.UTF_8), JsonNode.class);
        assertThat(fields.get("model").asText()).isEqualTo("churn");
        assertThat(fields.get("version").asInt()).isEqualTo(1);
        assertThat(fields.get("project").asText()).isEqualTo(ProjectService.DEFAULT);
        assertThat(fields.get("artifact").get("sha256").asText()).isEqualTo(TestModels.CREDIT_G_ONNX_SHA256);

        TestingServer.Response attached = attach("churn", 1, "release", sign(release.getPrivate(), payload));
        TestingServer.Response again = attach("churn", 1, "release", sign(release.getPrivate(), payload));
        JsonNode listed = server.get("/v1/models/churn/versions/1/signatures", admin).json();

        expect(attached, 201);
        assertThat(attached.json().get("keyId").asText()).isEqualTo("release");
        expect(again, 200);
        assertThat(listed.get("signatures")).hasSize(1);
        assertThat(listed.get("signatures").get(0).get("valid").asBoolean()).isTrue();
        assertThat(listed.get("signatures").get(0).get("signature").get("keyId").asText()).isEqualTo("release");
        assertThat(Ed25519Keys.verify(release.getPublic(), payload,
                Base64.getDecoder().decode(listed.get("signatures").get(0).get("signature").get("signature").asText()))).isTrue();
        assertThat(listed.get("requiredKeys").isNull()).as("nothing requires a signature of churn:1").isTrue();
    }

    @Test
    void signaturesThatDoNotVerify_areRefusedWith400NamingTheField_andNothingIsStored() {
        expect(server.createModel("churn"), 201);
        expect(server.createModel("fraud"), 201);
        expect(server.upload("churn", TestModels.creditGOnnx(), null), 201);
        expect(server.upload("churn", TestModels.creditGOnnx(), null), 201);
        expect(server.upload("fraud", TestModels.creditGOnnx(), null), 201);
        byte[] first = payload("churn", 1);
        byte[] second = payload("churn", 2);

        assertRefused(attach("churn", 2, "stranger", sign(stranger.getPrivate(), second)), "keyId", "not a trusted signing key");
        assertRefused(attach("churn", 2, "release", sign(stranger.getPrivate(), second)), "signature", "not a valid Ed25519 signature");
        // a replay: release signed version 1, whose payload differs from version 2's in its number only
        assertRefused(attach("churn", 2, "release", sign(release.getPrivate(), first)), "signature", "not a valid Ed25519 signature");
        // the same artifact and number under another model's name
        assertRefused(attach("churn", 1, "release", sign(release.getPrivate(), payload("fraud", 1))), "signature", "not a valid");
        assertRefused(attach("churn", 2, "release", "not base64!"), "signature", "not base64");
        assertRefused(attach("churn", 2, "release", Base64.getEncoder().encodeToString(new byte[12])), "signature", "decodes to 12 bytes");
        assertRefused(server.postJson("/v1/models/churn/versions/2/signatures", admin, "{\"signature\": \"AAAA\"}"), "keyId", "required");
        assertRefused(server.postJson("/v1/models/churn/versions/2/signatures", admin, "{\"key_id\": \"release\"}"), "signature", "required");

        assertThat(server.get("/v1/models/churn/versions/2/signatures", admin).json().get("signatures")).isEmpty();
        assertThat(server.get("/v1/models/churn/versions/1/signatures", admin).json().get("signatures")).isEmpty();
    }

    @Test
    void aVersionRegisteredWithSignaturesMadeAhead_keepsThem_andOneThatDoesNotVerifyAddsNoVersion() {
        expect(server.createModel("churn"), 201);
        expect(server.upload("churn", TestModels.creditGOnnx(), null), 201);
        byte[] payloadOfTwo = payload("churn", 1); // the same artifact and schema: version 2's payload differs in its number only
        String forTwo = new String(payloadOfTwo, StandardCharsets.UTF_8).replace("\"version\":1", "\"version\":2");
        String good = sign(release.getPrivate(), forTwo.getBytes(StandardCharsets.UTF_8));

        TestingServer.Response refused = server.upload("churn", TestModels.creditGOnnx(),
                Json.write(Map.of("signatures", List.of(Map.of("keyId", "release", "signature", sign(ci.getPrivate(), payloadOfTwo))))));
        TestingServer.Response registered = server.upload("churn", TestModels.creditGOnnx(),
                Json.write(Map.of("signatures", List.of(Map.of("keyId", "release", "signature", good)))));

        assertRefused(refused, "signatures[0].signature", "not a valid Ed25519 signature");
        expect(registered, 201);
        assertThat(registered.json().get("version").asInt()).as("the refused upload added no version").isEqualTo(2);
        JsonNode listed = server.get("/v1/models/churn/versions/2/signatures", admin).json().get("signatures");
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).get("valid").asBoolean()).isTrue();
    }

    @Test
    void promotionToAGuardedAlias_isRefusedUnsignedAndKeptInHistory_andAllowedOnceSigned() {
        expect(server.createModel("churn"), 201);
        expect(server.upload("churn", TestModels.creditGOnnx(), null), 201);

        TestingServer.Response champion = promote("churn", "champion", 1);
        TestingServer.Response unsigned = promote("churn", "production", 1);
        expect(attach("churn", 1, "ci", sign(ci.getPrivate(), payload("churn", 1))), 201);
        TestingServer.Response signed = promote("churn", "production", 1);

        expect(champion, 200);
        expect(unsigned, 409);
        assertThat(unsigned.body()).contains("churn:1 cannot become 'production'", "needs a valid signature by one of the keys [release, ci]",
                "security.signing.require-for-aliases guards alias 'production'", "unsigned");
        expect(signed, 200);
        JsonNode history = server.get("/v1/models/churn/history?alias=production", admin).json().get("events");
        assertThat(history).hasSize(2);
        assertThat(history.get(0).get("action").asText()).isEqualTo("refused");
        assertThat(history.get(0).get("reason").asText()).contains("unsigned");
        assertThat(history.get(1).get("action").asText()).isEqualTo("promote");
        assertThat(server.get("/v1/models/churn/versions/production/signatures", admin).json().get("requiredKeys"))
                .extracting(JsonNode::asText).containsExactly("release", "ci");
    }

    @Test
    void aModelsOwnRequirement_isSetByPromoters_namesTrustedKeysOnly_andGuardsEveryAlias() {
        expect(server.createModel("churn"), 201);
        expect(server.upload("churn", TestModels.creditGOnnx(), null), 201);
        String scientist = server.token("scientist", Map.of(ProjectService.DEFAULT, Role.SCIENTIST));
        String operator = server.token("operator", Map.of(ProjectService.DEFAULT, Role.OPERATOR));

        TestingServer.Response forbidden = put("/v1/models/churn/signing", scientist, "{\"required\": true}");
        TestingServer.Response unknown = put("/v1/models/churn/signing", operator, "{\"required\": true, \"keys\": [\"release\", \"nobody\"]}");
        TestingServer.Response contradictory = put("/v1/models/churn/signing", operator, "{\"required\": false, \"keys\": [\"release\"]}");
        TestingServer.Response set = put("/v1/models/churn/signing", operator, "{\"required\": true, \"keys\": [\"release\"]}");
        TestingServer.Response unsigned = server.postJson("/v1/models/churn/aliases/champion", operator, "{\"version\": 1}");
        expect(attach("churn", 1, "ci", sign(ci.getPrivate(), payload("churn", 1))), 201);
        TestingServer.Response byOtherKey = server.postJson("/v1/models/churn/aliases/champion", operator, "{\"version\": 1}");
        expect(attach("churn", 1, "release", sign(release.getPrivate(), payload("churn", 1))), 201);
        TestingServer.Response signed = server.postJson("/v1/models/churn/aliases/champion", operator, "{\"version\": 1}");

        expect(forbidden, 403);
        assertRefused(unknown, "keys", "[nobody]");
        assertThat(contradictory.status()).isEqualTo(400);
        assertThat(contradictory.body()).contains("'required' is false");
        expect(set, 200);
        assertThat(set.json().get("signing").get("keys")).extracting(JsonNode::asText).containsExactly("release");
        expect(unsigned, 409);
        assertThat(unsigned.body()).contains("needs a valid signature by key 'release'", "model 'churn' requires signatures", "unsigned");
        expect(byOtherKey, 409);
        assertThat(byOtherKey.body()).contains("the signature by key 'ci' is valid but that key is not one of [release]");
        expect(signed, 200);
    }

    @Test
    void aVersionThatFailsItsSignatureCheckAtLoad_isNotServed_thePreviousKeepsServing_andItIsAnIncident() throws Exception {
        expect(server.createModel("churn"), 201);
        expect(server.upload("churn", TestModels.creditGOnnx(), null), 201);
        expect(server.upload("churn", withDocString(TestModels.creditGOnnx(), "second"), null), 201);
        expect(attach("churn", 1, "release", sign(release.getPrivate(), payload("churn", 1))), 201);
        expect(attach("churn", 2, "release", sign(release.getPrivate(), payload("churn", 2))), 201);
        expect(promote("churn", "production", 1), 200);
        server.keel().serving().create(EndpointConfig.of("churn-online", "churn", "production"), "test");
        awaitServing();
        TestingServer.Response served = predict();
        assertThat(served.status()).as(served.toString()).isEqualTo(200);
        ModelVersion second = server.keel().registry().requireVersion("churn", 2);
        ModelVersion first = server.keel().registry().requireVersion("churn", 1);

        // a registry write by someone without the private key: version 2 now names version 1's artifact, and the alias moves to it
        server.keel().database().update("UPDATE model_versions SET artifact_sha256 = ?, artifact_size = ? WHERE model = 'churn' AND version = 2",
                first.artifact().sha256(), first.artifact().size());
        server.keel().database().update("UPDATE model_aliases SET version = 2 WHERE model = 'churn' AND alias = 'production'");

        EndpointStatus status = awaitProblem("churn-online");
        assertThat(status.problems()).anySatisfy(problem -> assertThat(problem).contains("churn:2 is not loaded",
                "the signature by key 'release' does not verify"));
        assertThat(server.keel().serving().mainVersion("churn-online").version()).isEqualTo(1);
        assertThat(predict().json().get("version").asInt()).isEqualTo(1);
        server.keel().incidents().sink().flush();
        List<Incident> incidents = server.keel().incidents().list(ProjectService.DEFAULT, EnumSet.allOf(Incident.Status.class), 100).stream()
                .filter(incident -> incident.kind().equals("artifact.integrity_failed")).toList();
        assertThat(incidents).isNotEmpty();
        assertThat(incidents.getFirst().objects()).containsEntry("model", List.of("churn")).containsEntry("version", List.of("2"));
        assertThat(second.artifact().sha256()).isNotEqualTo(first.artifact().sha256());
    }

    @Test
    void anUnsignedCanaryOrFallback_mayNotAnswerForAGuardedAlias_evenWhenLoadedAlreadyForAnotherEndpoint() {
        expect(server.createModel("churn"), 201);
        expect(server.upload("churn", TestModels.creditGOnnx(), null), 201);
        expect(server.upload("churn", withDocString(TestModels.creditGOnnx(), "second"), null), 201);
        expect(attach("churn", 2, "release", sign(release.getPrivate(), payload("churn", 2))), 201);
        expect(promote("churn", "production", 2), 200);
        // version 1 needs no signature on its own: an endpoint by number loads it
        expect(server.postJson("/v1/endpoints", admin, "{\"name\": \"churn-v1\", \"model\": \"churn\", \"alias\": \"1\"}"), 201);

        TestingServer.Response canary = server.postJson("/v1/endpoints", admin, "{\"name\": \"churn-online\", \"model\": \"churn\", "
                + "\"alias\": \"production\", \"canary\": {\"version\": 1, \"percent\": 10}}");
        TestingServer.Response plain = server.postJson("/v1/endpoints", admin, "{\"name\": \"churn-online\", \"model\": \"churn\", "
                + "\"alias\": \"production\"}");

        expect(canary, 409);
        assertThat(canary.body()).contains("churn:1 is not loaded", "security.signing.require-for-aliases guards alias 'production'", "unsigned");
        expect(plain, 201);
    }

    @Test
    void aSignedVersionWhoseArtifactFileWasChangedOnDisk_isRefusedAtLoad() throws IOException {
        expect(server.createModel("churn"), 201);
        expect(server.upload("churn", TestModels.creditGOnnx(), null), 201);
        expect(attach("churn", 1, "release", sign(release.getPrivate(), payload("churn", 1))), 201);
        expect(put("/v1/models/churn/signing", admin, "{\"required\": true}"), 200);
        ModelVersion version = server.keel().registry().requireVersion("churn", 1);
        Path stored = Path.of(server.keel().artifacts().locate(version.artifact().sha256()).orElseThrow());
        byte[] bytes = Files.readAllBytes(stored);
        bytes[bytes.length / 2] ^= 0x01;
        stored.toFile().setWritable(true);
        Files.write(stored, bytes);

        assertThatThrownBy(() -> server.keel().serving().create(EndpointConfig.of("churn-online", "churn", "1"), "test"))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY_FAILURE));
        assertThatThrownBy(() -> server.keel().registry().servableArtifact(version))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.getMessage()).contains("failed its integrity check"));
    }

    /**
     * Waits until the endpoint answers, twice a few refreshes apart: a refresh that read the stored endpoints just before this
     * one was created drops it until the next refresh adds it back.
     */
    private void awaitServing() throws InterruptedException {
        for (int round = 0; round < 2; round++) {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (predict().status() != 200 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            Thread.sleep(600);
        }
    }

    private EndpointStatus awaitProblem(String endpoint) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        EndpointStatus status = server.keel().serving().status(endpoint);
        while (status.problems().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            status = server.keel().serving().status(endpoint);
        }
        return status;
    }

    private TestingServer.Response predict() {
        String zeros = String.join(", ", Collections.nCopies(11, "0"));
        return server.postJson("/v1/endpoints/churn-online/predict", admin, "{\"instances\": [{\"features\": [" + zeros + "]}]}");
    }

    /** The model with its ONNX doc string (ModelProto field 6) set again: the same graph in other bytes. */
    private static byte[] withDocString(byte[] model, String text) {
        byte[] doc = text.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[model.length + 2 + doc.length];
        System.arraycopy(model, 0, out, 0, model.length);
        out[model.length] = 0x32;
        out[model.length + 1] = (byte) doc.length;
        System.arraycopy(doc, 0, out, model.length + 2, doc.length);
        return out;
    }

    private byte[] payload(String model, int version) {
        TestingServer.Response response = server.get("/v1/models/" + model + "/versions/" + version + "/signing-payload", admin);
        expect(response, 200);
        return response.bytes();
    }

    private static String sign(PrivateKey key, byte[] payload) {
        return Base64.getEncoder().encodeToString(Ed25519Keys.sign(key, payload));
    }

    private TestingServer.Response attach(String model, int version, String keyId, String signature) {
        return server.postJson("/v1/models/" + model + "/versions/" + version + "/signatures", admin,
                Json.write(Map.of("keyId", keyId, "signature", signature)));
    }

    private TestingServer.Response promote(String model, String alias, int version) {
        return server.postJson("/v1/models/" + model + "/aliases/" + alias, admin, "{\"version\": " + version + "}");
    }

    private TestingServer.Response put(String path, String token, String json) {
        return server.send("PUT", path, token, json.getBytes(StandardCharsets.UTF_8), "application/json", Map.of());
    }

    private static void assertRefused(TestingServer.Response response, String field, String message) {
        assertThat(response.status()).as(response.toString()).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
        JsonNode errors = response.json().get("errors");
        assertThat(errors).as(response.toString()).isNotNull();
        assertThat(errors).anySatisfy(error -> assertThat(error.get("field").asText()).isEqualTo(field));
        assertThat(response.body()).contains(message);
    }

    private static void expect(TestingServer.Response response, int status) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
    }
}
