package dev.keel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.security.Ed25519Keys;
import dev.keel.core.security.KeyFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code keel model sign|verify|keygen}: Ed25519 signatures of model versions, made on this machine with a private key. */
final class SigningCommands {
    private SigningCommands() {
    }

    /** The version's signing payload, fetched after the version itself so that a wrong name or number gets the server's message. */
    private static byte[] payload(KeelClient api, String model, String version) {
        String path = "/v1/models/" + KeelClient.encode(model) + "/versions/" + KeelClient.encode(version);
        api.get(path);
        return api.getBytes(path + "/signing-payload");
    }

    @Command(name = "sign", description = "Sign a version's payload with an Ed25519 private key (PKCS#8 PEM) here and attach the signature")
    static final class Sign implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", description = "Model name")
        String name;

        @Parameters(index = "1", description = "Version number")
        int version;

        @Option(names = "--key", required = true, description = "The private key, PKCS#8 PEM (openssl genpkey -algorithm ed25519, keel model keygen)")
        Path key;

        @Option(names = "--key-id", description = "The id the server trusts the public key under (security.signing.keys); default: the key "
                + "file's name without its extension")
        String keyId;

        @Override
        public Integer call() throws IOException {
            PrivateKey privateKey = Ed25519Keys.privateKey(Files.readString(key, StandardCharsets.US_ASCII), "key file '" + key + "'");
            String id = keyId != null ? keyId : stem(key);
            KeelClient api = client.client();
            byte[] payload = payload(api, name, Integer.toString(version));
            String signature = Base64.getEncoder().encodeToString(Ed25519Keys.sign(privateKey, payload));
            JsonNode attached = api.post("/v1/models/" + KeelClient.encode(name) + "/versions/" + version + "/signatures",
                    Map.of("keyId", id, "signature", signature));
            client.print(attached, () -> System.out.println("signed " + name + ":" + version + " with key '" + id + "' (public key "
                    + Ed25519Keys.fingerprint(Ed25519Keys.publicKeyOf(privateKey)) + ")"));
            return 0;
        }

        private static String stem(Path file) {
            String fileName = file.getFileName().toString();
            int dot = fileName.lastIndexOf('.');
            return dot > 0 ? fileName.substring(0, dot) : fileName;
        }
    }

    @Command(name = "verify", description = "Check a version's signatures: as the server checks them, and against a public key here when given")
    static final class Verify implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", description = "Model name")
        String name;

        @Parameters(index = "1", description = "Version number, alias or 'latest'")
        String version;

        @Option(names = "--public-key", description = "Also verify here against this Ed25519 public key (PEM), trusting the server for nothing")
        Path publicKey;

        @Override
        public Integer call() throws IOException {
            KeelClient api = client.client();
            byte[] payload = payload(api, name, version);
            JsonNode answer = api.get("/v1/models/" + KeelClient.encode(name) + "/versions/" + KeelClient.encode(version) + "/signatures");
            PublicKey local = publicKey == null ? null
                    : Ed25519Keys.publicKey(Files.readString(publicKey, StandardCharsets.US_ASCII), "key file '" + publicKey + "'");
            boolean anyValid = false;
            boolean localValid = false;
            StringBuilder text = new StringBuilder();
            text.append(name).append(':').append(answer.path("version").asInt()).append(answer.path("requiredKeys").isArray()
                    ? " needs a signature by one of " + answer.path("requiredKeys") : " needs no signature").append('\n');
            for (JsonNode check : answer.path("signatures")) {
                JsonNode signature = check.path("signature");
                boolean valid = check.path("valid").asBoolean();
                anyValid |= valid;
                text.append("  key '").append(signature.path("keyId").asText()).append("' by ").append(signature.path("createdBy").asText())
                        .append(" at ").append(signature.path("createdAt").asText()).append(": ")
                        .append(valid ? "valid" : "INVALID: " + check.path("problem").asText()).append('\n');
                if (local != null && Ed25519Keys.verify(local, payload, Base64.getDecoder().decode(signature.path("signature").asText()))) {
                    localValid = true;
                }
            }
            if (answer.path("signatures").isEmpty()) {
                text.append("  unsigned\n");
            }
            if (local != null) {
                text.append("  ").append(publicKey).append(" (").append(Ed25519Keys.fingerprint(local)).append("): ")
                        .append(localValid ? "a signature verifies here" : "NO signature verifies here").append('\n');
            }
            client.print(answer, () -> System.out.print(text));
            return (local != null ? localValid : anyValid) ? 0 : 1;
        }
    }

    @Command(name = "keygen", description = "Make an Ed25519 key pair: the private key (PKCS#8 PEM) for 'keel model sign', the public key for "
            + "security.signing.keys")
    static final class Keygen implements Callable<Integer> {
        @Option(names = "--out", description = "Write PATH.pem (the private key, readable by its owner only) and PATH.pub; without it both are "
                + "printed")
        Path out;

        @Override
        public Integer call() {
            KeyPair pair = Ed25519Keys.generate();
            String privatePem = Ed25519Keys.pem("PRIVATE KEY", pair.getPrivate().getEncoded());
            String publicPem = Ed25519Keys.pem("PUBLIC KEY", pair.getPublic().getEncoded());
            if (out == null) {
                System.out.print(privatePem + publicPem);
                return 0;
            }
            Path privateFile = out.resolveSibling(out.getFileName() + ".pem");
            Path publicFile = out.resolveSibling(out.getFileName() + ".pub");
            if (Files.exists(privateFile) || Files.exists(publicFile)) {
                System.err.println("error: " + privateFile + " or " + publicFile + " exists already; choose another --out");
                return 1;
            }
            KeyFiles.writeOwnerOnly(privateFile, privatePem);
            try {
                Files.writeString(publicFile, publicPem, StandardCharsets.US_ASCII);
            } catch (IOException e) {
                System.err.println("error: cannot write " + publicFile + ": " + e.getMessage());
                return 1;
            }
            System.out.println("wrote " + privateFile + " (private, keep it secret) and " + publicFile + " (public, for security.signing.keys;"
                    + " fingerprint " + Ed25519Keys.fingerprint(pair.getPublic()) + ")");
            return 0;
        }
    }
}
