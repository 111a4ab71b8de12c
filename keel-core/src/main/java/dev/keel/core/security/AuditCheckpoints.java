package dev.keel.core.security;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Signed checkpoints of the audit chain: one JSON line per checkpoint in a file outside the store, each an Ed25519
 * signature over (last seq, head hash, audit key id, legacy entries, time). The private key is a PKCS#8 file readable by
 * the owner only; its public key is written next to it ({@code .pub}, X.509 PEM) for auditors.
 */
public final class AuditCheckpoints {
    private static final String PAYLOAD_VERSION = "keel-audit-checkpoint/1";
    private static final JsonFactory JSON = new JsonFactory();

    private final Path file;
    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final String signingKeyId;
    private final List<Consumer<Checkpoint>> listeners = new ArrayList<>();

    private AuditCheckpoints(Path file, PrivateKey privateKey, PublicKey publicKey) {
        this.file = file;
        this.privateKey = privateKey;
        this.publicKey = publicKey;
        this.signingKeyId = HexFormat.of().formatHex(Arrays.copyOf(AuditChain.sha256(publicKey.getEncoded()), 8));
    }

    /**
     * One checkpoint: the chain had {@code seq} entries ending in {@code hash} at {@code at}.
     *
     * @param keyId the audit key id the chain was verified under before signing
     * @param legacyEntries how many entries at the start of the chain are plain SHA-256 ones, from before keyed chaining
     * @param signingKeyId names the Ed25519 key that signed it (first 8 bytes of the SHA-256 of its public key)
     * @param signature base64 Ed25519 signature over the other fields
     */
    public record Checkpoint(long seq, String hash, String keyId, long legacyEntries, Instant at, String signingKeyId,
                             String signature) {
        public Checkpoint {
            Objects.requireNonNull(hash, "hash");
            Objects.requireNonNull(keyId, "keyId");
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(signingKeyId, "signingKeyId");
            Objects.requireNonNull(signature, "signature");
        }
    }

    /** The checkpoints in the file, in file order, and the first line that could not be read, if any. */
    public record Read(List<Checkpoint> checkpoints, Optional<String> problem) {
    }

    /**
     * Opens the checkpoint file and the signing key; creates the key pair when the key file is missing and no checkpoint
     * has been written yet.
     *
     * @throws KeelException INVALID_CONFIG when the key cannot be read, or is missing while checkpoints exist
     */
    public static AuditCheckpoints open(Path file, Path signingKeyFile) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(signingKeyFile, "signingKeyFile");
        String setting = "security.audit-signing-key-file";
        if (!Files.exists(signingKeyFile)) {
            if (hasContent(file)) {
                throw new KeelException(ErrorCode.INVALID_CONFIG, "audit signing key '" + signingKeyFile + "' (" + setting + ") does not"
                        + " exist, but checkpoints in '" + file + "' were signed with it; restore the key from a backup");
            }
            try {
                KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
                KeyFiles.writeOwnerOnly(signingKeyFile, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("this JVM has no Ed25519", e);
            }
        }
        try {
            KeyFactory factory = KeyFactory.getInstance("Ed25519");
            PrivateKey privateKey = factory.generatePrivate(new PKCS8EncodedKeySpec(unpem(setting, signingKeyFile,
                    Files.readString(signingKeyFile, StandardCharsets.US_ASCII), "PRIVATE KEY")));
            PublicKey publicKey;
            try {
                publicKey = factory.generatePublic(new X509EncodedKeySpec(Ed25519Keys.publicKeyOf(privateKey).getEncoded()));
            } catch (KeelException e) {
                throw new GeneralSecurityException(e.getMessage(), e);
            }
            AuditCheckpoints checkpoints = new AuditCheckpoints(file.toAbsolutePath(), privateKey, publicKey);
            checkpoints.exportPublicKey(publicKeyFile(signingKeyFile));
            return checkpoints;
        } catch (IOException e) {
            throw new KeelException(ErrorCode.INVALID_CONFIG, "cannot read audit signing key '" + signingKeyFile + "' (" + setting + "): " + e, e);
        } catch (GeneralSecurityException e) {
            throw new KeelException(ErrorCode.INVALID_CONFIG, "audit signing key '" + signingKeyFile + "' (" + setting
                    + ") is not a PKCS#8 Ed25519 private key: " + e.getMessage(), e);
        }
    }

    /** Where the public key of a signing key file is exported: the same name with {@code .pub} for its extension. */
    public static Path publicKeyFile(Path signingKeyFile) {
        String name = signingKeyFile.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return signingKeyFile.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".pub");
    }

    /** The file checkpoints are appended to. */
    public Path file() {
        return file;
    }

    /** Names the signing key: the first 8 bytes of the SHA-256 of its public key, in hex. */
    public String signingKeyId() {
        return signingKeyId;
    }

    /** Called with each checkpoint after it was written to the file (on the thread that wrote it). */
    public void addListener(Consumer<Checkpoint> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Signs and appends a checkpoint; returns it. */
    synchronized Checkpoint write(long seq, String hash, String keyId, long legacyEntries, Instant at) {
        Instant millis = Instant.ofEpochMilli(at.toEpochMilli());
        Checkpoint unsigned = new Checkpoint(seq, hash, keyId, legacyEntries, millis, signingKeyId, "");
        String signature;
        try {
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(privateKey);
            signer.update(payload(unsigned));
            signature = Base64.getEncoder().encodeToString(signer.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign an audit checkpoint", e);
        }
        Checkpoint checkpoint = new Checkpoint(seq, hash, keyId, legacyEntries, millis, signingKeyId, signature);
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, line(checkpoint) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE, StandardOpenOption.SYNC);
        } catch (IOException e) {
            throw new KeelException(ErrorCode.UNAVAILABLE, "cannot append an audit checkpoint to '" + file + "': " + e.getMessage(), e);
        }
        for (Consumer<Checkpoint> listener : listeners) {
            listener.accept(checkpoint);
        }
        return checkpoint;
    }

    /** Reads every checkpoint in the file; a missing file holds none. */
    public Read read() {
        if (!Files.exists(file)) {
            return new Read(List.of(), Optional.empty());
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new KeelException(ErrorCode.UNAVAILABLE, "cannot read the audit checkpoints in '" + file + "': " + e.getMessage(), e);
        }
        List<Checkpoint> checkpoints = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String text = lines.get(i).strip();
            if (text.isEmpty()) {
                continue;
            }
            Optional<Checkpoint> parsed = parse(text);
            if (parsed.isEmpty()) {
                return new Read(checkpoints, Optional.of("line " + (i + 1) + " of " + file + " is not a checkpoint"));
            }
            checkpoints.add(parsed.get());
        }
        return new Read(List.copyOf(checkpoints), Optional.empty());
    }

    /** True when the checkpoint's signature is valid under this server's public key. */
    public boolean signatureValid(Checkpoint checkpoint) {
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(publicKey);
            verifier.update(payload(checkpoint));
            return verifier.verify(Base64.getDecoder().decode(checkpoint.signature()));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            return false;
        }
    }

    /** The checkpoint as one line of JSON, as written to the file and sent to a webhook. */
    public static String line(Checkpoint checkpoint) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("seq", checkpoint.seq());
        fields.put("hash", checkpoint.hash());
        fields.put("keyId", checkpoint.keyId());
        fields.put("legacyEntries", checkpoint.legacyEntries());
        fields.put("at", checkpoint.at().toString());
        fields.put("signingKeyId", checkpoint.signingKeyId());
        fields.put("signature", checkpoint.signature());
        return Json.write(fields);
    }

    private static Optional<Checkpoint> parse(String text) {
        try {
            JsonNode node = Json.MAPPER.readTree(text);
            for (String field : List.of("seq", "hash", "keyId", "legacyEntries", "at", "signingKeyId", "signature")) {
                if (!node.hasNonNull(field)) {
                    return Optional.empty();
                }
            }
            if (!node.get("seq").canConvertToLong() || !node.get("legacyEntries").canConvertToLong()) {
                return Optional.empty();
            }
            return Optional.of(new Checkpoint(node.get("seq").asLong(), node.get("hash").asText(), node.get("keyId").asText(),
                    node.get("legacyEntries").asLong(), Instant.parse(node.get("at").asText()), node.get("signingKeyId").asText(),
                    node.get("signature").asText()));
        } catch (IOException | DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** What is signed: a JSON array of a version tag and every field but the signature. */
    static byte[] payload(Checkpoint checkpoint) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(160);
        try (JsonGenerator generator = JSON.createGenerator(out)) {
            generator.writeStartArray();
            generator.writeString(PAYLOAD_VERSION);
            generator.writeNumber(checkpoint.seq());
            generator.writeString(checkpoint.hash());
            generator.writeString(checkpoint.keyId());
            generator.writeNumber(checkpoint.legacyEntries());
            generator.writeString(checkpoint.at().toString());
            generator.writeString(checkpoint.signingKeyId());
            generator.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private void exportPublicKey(Path target) throws IOException {
        String text = pem("PUBLIC KEY", publicKey.getEncoded());
        if (Files.exists(target) && Files.readString(target, StandardCharsets.US_ASCII).equals(text)) {
            return;
        }
        Files.createDirectories(target.toAbsolutePath().getParent());
        Files.writeString(target, text, StandardCharsets.US_ASCII);
    }

    private static boolean hasContent(Path file) {
        try {
            return Files.exists(file) && Files.size(file) > 0;
        } catch (IOException e) {
            return true;
        }
    }

    static String pem(String type, byte[] der) {
        return Ed25519Keys.pem(type, der);
    }

    private static byte[] unpem(String setting, Path file, String text, String type) {
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from < 0 || to < from) {
            throw new KeelException(ErrorCode.INVALID_CONFIG, "'" + file + "' (" + setting + ") must hold a PEM block '" + begin + "'");
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw new KeelException(ErrorCode.INVALID_CONFIG, "'" + file + "' (" + setting + ") holds a PEM block that is not base64");
        }
    }
}
