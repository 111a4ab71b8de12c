package dev.keel.core.registry;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.security.Ed25519Keys;
import dev.keel.core.security.SigningSettings;
import dev.keel.core.store.Database;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Signatures of model versions: their SQL, the checks a new one must pass (a trusted key, base64, a valid Ed25519 signature
 * over the version's payload), and the requirement a model's policy or a guarded alias puts on promotion and loading.
 */
final class VersionSigning {
    private final Database database;
    private final SigningSettings settings;

    VersionSigning(Database database, SigningSettings settings) {
        this.database = database;
        this.settings = settings;
    }

    SigningSettings settings() {
        return settings;
    }

    /** Checks a policy before it is stored: every key it names must be trusted, and a requirement needs some trusted key. */
    void checkPolicy(SigningPolicy policy) {
        List<String> unknown = policy.keys().stream().filter(id -> settings.key(id).isEmpty()).toList();
        if (!unknown.isEmpty()) {
            throw new KeelException(ErrorCode.INVALID_REQUEST, "field 'keys' names " + unknown + ", which are not trusted signing keys; "
                    + trusted(), List.of(new KeelException.FieldError("keys", "unknown key ids " + unknown)));
        }
        if (policy.required() && settings.keys().isEmpty()) {
            throw new KeelException(ErrorCode.INVALID_REQUEST, "field 'required' is true but the server trusts no signing key "
                    + "(security.signing.keys is empty), so no version could be promoted or loaded",
                    List.of(new KeelException.FieldError("required", "no trusted signing keys are configured")));
        }
    }

    /**
     * Checks a signature and stores it in the caller's transaction; a signature by the same key that is stored already is
     * returned as it is, with {@code added} false.
     *
     * @param field the name of the field in errors, e.g. {@code signatures[0]}; empty for a body of its own
     * @throws KeelException INVALID_REQUEST naming the field: an unknown key, base64 that is not, or a signature that does not
     *     verify over the version's payload
     */
    ModelRegistry.SignatureAttached attach(Connection connection, ModelVersion version, NewSignature given, String field, String actor,
                                           Instant now) throws SQLException {
        String prefix = field.isEmpty() ? "" : field + ".";
        String keyId = given.keyId();
        if (keyId == null || keyId.isBlank()) {
            throw invalid(prefix + "keyId", "field '" + prefix + "keyId' is required: the id of a trusted signing key; " + trusted());
        }
        SigningSettings.TrustedKey key = settings.key(keyId).orElseThrow(() -> invalid(prefix + "keyId", "field '" + prefix + "keyId' is '"
                + keyId + "', which is not a trusted signing key; " + trusted()));
        byte[] signature = decode(prefix + "signature", given.signature());
        if (!Ed25519Keys.verify(key.key(), SignaturePayload.of(version), signature)) {
            throw invalid(prefix + "signature", "field '" + prefix + "signature' is not a valid Ed25519 signature by key '" + keyId
                    + "' over the signing payload of " + version.label() + " (GET /v1/models/" + version.model() + "/versions/"
                    + version.version() + "/signing-payload gives the bytes to sign)");
        }
        String text = Base64.getEncoder().encodeToString(signature);
        Optional<VersionSignature> existing = Database.queryOne(connection,
                "SELECT * FROM model_version_signatures WHERE model = ? AND version = ? AND key_id = ?", VersionSigning::signature,
                version.model(), version.version(), keyId);
        if (existing.isPresent()) {
            return new ModelRegistry.SignatureAttached(existing.get(), false);
        }
        Database.update(connection, """
                INSERT INTO model_version_signatures (model, version, key_id, signature, created_at, created_by)
                VALUES (?, ?, ?, ?, ?, ?)""", version.model(), version.version(), keyId, text, now, actor);
        return new ModelRegistry.SignatureAttached(new VersionSignature(version.model(), version.version(), keyId, text, now, actor), true);
    }

    List<VersionSignature> signatures(ModelVersion version) {
        return database.query("SELECT * FROM model_version_signatures WHERE model = ? AND version = ? ORDER BY created_at, key_id",
                VersionSigning::signature, version.model(), version.version());
    }

    /** Each stored signature of the version, checked against the keys trusted now. */
    List<SignatureCheck> check(ModelVersion version) {
        byte[] payload = SignaturePayload.of(version);
        List<SignatureCheck> checks = new ArrayList<>();
        for (VersionSignature signature : signatures(version)) {
            Optional<SigningSettings.TrustedKey> key = settings.key(signature.keyId());
            Optional<String> problem;
            if (key.isEmpty()) {
                problem = Optional.of("key '" + signature.keyId() + "' is no longer trusted (not in security.signing.keys)");
            } else if (!Ed25519Keys.verify(key.get().key(), payload, storedBytes(signature))) {
                problem = Optional.of("the signature by key '" + signature.keyId() + "' does not verify over the version's payload");
            } else {
                problem = Optional.empty();
            }
            checks.add(new SignatureCheck(signature, problem.isEmpty(), problem));
        }
        return checks;
    }

    /**
     * The keys one of which must have signed a version of the model held by (or promoted to) {@code aliases}; empty when
     * neither the model's policy nor the server's guarded aliases ask for a signature.
     */
    Optional<List<String>> requirement(RegisteredModel model, List<String> aliases) {
        List<String> guarded = aliases.stream().filter(settings::guards).toList();
        if (!model.signing().required() && guarded.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(model.signing().keys().isEmpty() ? List.copyOf(settings.keys().keySet()) : model.signing().keys());
    }

    /** Why the version does not meet the requirement, or empty when a signature by one of the keys verifies. */
    Optional<String> problem(ModelVersion version, List<String> keys, String because) {
        List<SignatureCheck> checks = check(version);
        if (checks.stream().anyMatch(check -> check.valid() && keys.contains(check.signature().keyId()))) {
            return Optional.empty();
        }
        String needed = "it needs a valid signature by " + (keys.size() == 1 ? "key '" + keys.getFirst() + "'" : "one of the keys " + keys)
                + " (" + because + ")";
        if (checks.isEmpty()) {
            return Optional.of(needed + " but it is unsigned");
        }
        List<String> found = checks.stream().map(check -> check.problem().orElse("the signature by key '" + check.signature().keyId()
                + "' is valid but that key is not one of " + keys)).toList();
        return Optional.of(needed + " but " + String.join("; ", found));
    }

    /** Why the bytes are not the artifact the version's payload names, or empty when their SHA-256 is that hash. */
    static Optional<String> hashProblem(ModelVersion version, byte[] artifact) {
        String actual;
        try {
            actual = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(artifact));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
        if (actual.equalsIgnoreCase(version.artifact().sha256())) {
            return Optional.empty();
        }
        return Optional.of("the artifact read has SHA-256 " + actual + " but the signed payload names " + version.artifact().sha256());
    }

    /** The stored signature's bytes; empty (so never valid) when the stored text is not base64, as only a hand-made row can be. */
    private static byte[] storedBytes(VersionSignature signature) {
        try {
            return Base64.getDecoder().decode(signature.signature());
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }

    private String trusted() {
        return settings.keys().isEmpty() ? "the server trusts no signing key (security.signing.keys is empty)"
                : "trusted keys are " + settings.keys().keySet();
    }

    private static byte[] decode(String field, String text) {
        if (text == null || text.isBlank()) {
            throw invalid(field, "field '" + field + "' is required: the Ed25519 signature, base64");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(text.strip());
        } catch (IllegalArgumentException e) {
            throw invalid(field, "field '" + field + "' is not base64 (RFC 4648, with padding); expected the 64-byte Ed25519 signature");
        }
        if (bytes.length != Ed25519Keys.SIGNATURE_LENGTH) {
            throw invalid(field, "field '" + field + "' decodes to " + bytes.length + " bytes; an Ed25519 signature is "
                    + Ed25519Keys.SIGNATURE_LENGTH);
        }
        return bytes;
    }

    private static KeelException invalid(String field, String message) {
        return new KeelException(ErrorCode.INVALID_REQUEST, message, List.of(new KeelException.FieldError(field, message)));
    }

    private static VersionSignature signature(java.sql.ResultSet row) throws SQLException {
        return new VersionSignature(row.getString("model"), row.getInt("version"), row.getString("key_id"), row.getString("signature"),
                Instant.ofEpochMilli(row.getLong("created_at")), row.getString("created_by"));
    }
}
