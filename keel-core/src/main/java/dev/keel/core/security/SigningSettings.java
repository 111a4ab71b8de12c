package dev.keel.core.security;

import dev.keel.core.config.ConfigNode;
import dev.keel.core.error.KeelException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The section {@code security.signing}: the Ed25519 public keys trusted to sign model versions, by id, and the aliases that
 * only a version with a valid signature by one of them may hold.
 *
 * @param keys the trusted keys by id ({@code keys: {id: path-to-PEM-public-key}})
 * @param requireForAliases {@code require-for-aliases}: aliases of every model guarded by a signature
 */
public record SigningSettings(Map<String, TrustedKey> keys, List<String> requireForAliases) {
    /** What a key id may look like. */
    public static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final Pattern ALIAS = Pattern.compile("[a-z][a-z0-9_-]{0,62}");

    public SigningSettings {
        keys = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(keys, "keys")));
        requireForAliases = List.copyOf(Objects.requireNonNull(requireForAliases, "requireForAliases"));
    }

    /** One trusted public key, with the file it was read from. */
    public record TrustedKey(String id, PublicKey key, Path file) {
        public TrustedKey {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(file, "file");
        }
    }

    /** No trusted keys and no guarded aliases: signatures can be neither attached nor required. */
    public static SigningSettings none() {
        return new SigningSettings(Map.of(), List.of());
    }

    /**
     * Reads and checks {@code security.signing}: every key file must hold an Ed25519 public key, every alias of
     * {@code require-for-aliases} must be an alias name, and guarded aliases need at least one key.
     *
     * @throws KeelException INVALID_CONFIG naming the key, its value and what is allowed
     */
    public static SigningSettings from(ConfigNode node) {
        ConfigNode keysNode = node.section("keys");
        Map<String, TrustedKey> keys = new LinkedHashMap<>();
        for (String id : keysNode.names()) {
            String value = keysNode.string(id).orElse("");
            if (!KEY_ID.matcher(id).matches()) {
                throw keysNode.invalid(id, value, "under a key id of 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit");
            }
            if (value.isBlank()) {
                throw keysNode.invalid(id, value, "the path of a PEM file holding an Ed25519 public key ('-----BEGIN PUBLIC KEY-----')");
            }
            Path file = Path.of(value).toAbsolutePath().normalize();
            String text;
            try {
                text = Files.readString(file, StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw keysNode.invalid(id, value, "a readable PEM file holding an Ed25519 public key (" + e.getClass().getSimpleName() + ")");
            }
            PublicKey key;
            try {
                key = Ed25519Keys.publicKey(text, "key file '" + file + "'");
            } catch (KeelException e) {
                throw keysNode.invalid(id, value, "a PEM file holding an Ed25519 public key ('-----BEGIN PUBLIC KEY-----', as written by "
                        + "'openssl pkey -pubout'); " + e.getMessage());
            }
            keys.put(id, new TrustedKey(id, key, file));
        }
        List<String> aliases = node.strings("require-for-aliases").orElse(List.of());
        for (String alias : aliases) {
            if (!ALIAS.matcher(alias).matches()) {
                throw node.invalid("require-for-aliases", aliases, "a list of alias names (1-63 lower-case letters, digits, '_' or '-')");
            }
        }
        if (!aliases.isEmpty() && keys.isEmpty()) {
            throw node.invalid("require-for-aliases", aliases, "empty while 'security.signing.keys' names no trusted key "
                    + "(no version could ever be promoted to those aliases)");
        }
        keysNode.rejectUnknownKeys();
        node.rejectUnknownKeys();
        return new SigningSettings(keys, aliases);
    }

    /** The trusted key of the id. */
    public Optional<TrustedKey> key(String id) {
        return Optional.ofNullable(keys.get(id));
    }

    /** True when server policy requires a signature for versions held by, or promoted to, the alias. */
    public boolean guards(String alias) {
        return requireForAliases.contains(alias);
    }
}
