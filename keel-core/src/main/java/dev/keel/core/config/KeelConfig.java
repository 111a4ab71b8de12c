package dev.keel.core.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.security.EncryptionKeys;
import dev.keel.core.security.KeyFiles;
import dev.keel.core.store.Database;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Keel's configuration: one YAML file (optional) plus {@code KEEL_*} environment overrides, validated at start-up.
 *
 * @param root the whole tree, for components that read their own section
 */
public record KeelConfig(Server server, Path dataDirectory, Store store, Artifacts artifacts, Logging logging, Security security,
                         ConfigNode root) {
    /** Top-level sections that components read and validate themselves. */
    public static final List<String> COMPONENT_SECTIONS = List.of("serving", "pipelines", "monitoring", "alerts", "incidents", "training",
            "batch");

    public KeelConfig {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(dataDirectory, "dataDirectory");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(artifacts, "artifacts");
        Objects.requireNonNull(logging, "logging");
        Objects.requireNonNull(security, "security");
        Objects.requireNonNull(root, "root");
    }

    /**
     * The HTTP server.
     *
     * @param shutdownGrace how long in-flight requests may run on after a stop is asked for
     */
    public record Server(String host, int port, long maxRequestSize, Duration shutdownGrace) {
    }

    /** The metadata store: a JDBC URL ({@code jdbc:sqlite:...} or {@code jdbc:postgresql:...}). */
    public record Store(String url, String user, String password, Database.Pool pool) {
        /** The number of pooled connections ({@code pool-size}). */
        public int poolSize() {
            return pool.size();
        }

        @Override
        public String toString() {
            return "Store[url=" + url + ", user=" + user + ", pool=" + pool + "]";
        }
    }

    /** The local artifact store. */
    public record Artifacts(Path directory, long maxModelSize) {
    }

    /** Log output: {@code plain} or {@code json} lines, and whether each request is logged. */
    public record Logging(String format, boolean requests) {
    }

    /**
     * Authentication and audit settings.
     *
     * @param tokenCacheTtl how long a verified token is trusted before it is checked against the store again
     * @param tokenPepper the HMAC key token secrets are hashed under, hex or base64 ({@code token-pepper}, usually given as
     *     {@code KEEL_SECURITY_TOKEN_PEPPER}); when absent it is read from, or created in, {@code tokenPepperFile}
     * @param tokenPepperFile {@code token-pepper-file}, default {@code <data-dir>/keys/token-pepper.key}
     * @param audit the audit log's keys and checkpoints
     * @param encryption the key-encryption keys of encryption at rest ({@code encryption.keys}, a list of {@code {id, file}}
     *     or {@code {id, env}}) and the one new artifacts and snapshots are wrapped with ({@code encryption.active}); none
     *     by default, when objects are stored in plaintext
     */
    public record Security(Duration tokenCacheTtl, Optional<String> tokenPepper, Path tokenPepperFile, Audit audit,
                           EncryptionKeys encryption) {
        public Security {
            Objects.requireNonNull(tokenCacheTtl, "tokenCacheTtl");
            Objects.requireNonNull(tokenPepper, "tokenPepper");
            Objects.requireNonNull(tokenPepperFile, "tokenPepperFile");
            Objects.requireNonNull(audit, "audit");
            Objects.requireNonNull(encryption, "encryption");
        }

        @Override
        public String toString() {
            return "Security[tokenCacheTtl=" + tokenCacheTtl + ", tokenPepperFile=" + tokenPepperFile + ", audit=" + audit
                    + ", encryption=" + encryption + "]";
        }
    }

    /**
     * The audit log's keys and checkpoints, all kept outside the metadata store.
     *
     * @param key the HMAC key entries are chained under, hex or base64 ({@code audit-key}, usually given as
     *     {@code KEEL_SECURITY_AUDIT_KEY}); when absent it is read from, or created in, {@code keyFile}
     * @param keyFile {@code audit-key-file}, default {@code <data-dir>/keys/audit.key}
     * @param signingKeyFile the Ed25519 private key (PKCS#8 PEM) checkpoints are signed with ({@code audit-signing-key-file},
     *     default {@code <data-dir>/keys/audit-signing.key}); its public key is exported next to it as {@code .pub}
     * @param checkpointFile {@code audit-checkpoint-file}, default {@code <data-dir>/audit/checkpoints.jsonl}
     * @param checkpointInterval how often a checkpoint is written when the log grew ({@code audit-checkpoint-interval}, 1m)
     * @param checkpointEntries a checkpoint is also written after every this many entries ({@code audit-checkpoint-entries},
     *     1000; 0 turns it off)
     * @param checkpointWebhook where each checkpoint is also POSTed, if anywhere ({@code audit-checkpoint-webhook})
     */
    public record Audit(Optional<String> key, Path keyFile, Path signingKeyFile, Path checkpointFile, Duration checkpointInterval,
                        int checkpointEntries, Optional<java.net.URI> checkpointWebhook) {
        public Audit {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(keyFile, "keyFile");
            Objects.requireNonNull(signingKeyFile, "signingKeyFile");
            Objects.requireNonNull(checkpointFile, "checkpointFile");
            Objects.requireNonNull(checkpointInterval, "checkpointInterval");
            Objects.requireNonNull(checkpointWebhook, "checkpointWebhook");
        }

        @Override
        public String toString() {
            return "Audit[keyFile=" + keyFile + ", signingKeyFile=" + signingKeyFile + ", checkpointFile=" + checkpointFile
                    + ", checkpointInterval=" + checkpointInterval + ", checkpointEntries=" + checkpointEntries
                    + ", checkpointWebhook=" + checkpointWebhook.isPresent() + "]";
        }
    }

    /** Defaults only, with the environment applied. */
    public static KeelConfig load(Map<String, String> environment) {
        return fromTree(Map.of(), environment);
    }

    /** Reads the file (when given) and applies the environment. */
    public static KeelConfig load(Optional<Path> file, Map<String, String> environment) {
        if (file.isEmpty()) {
            return load(environment);
        }
        Path path = file.get();
        if (!Files.isRegularFile(path)) {
            throw new KeelException(ErrorCode.INVALID_CONFIG, "configuration file '" + path + "' does not exist or is not a file");
        }
        try {
            String text = Files.readString(path);
            return parse(text, environment);
        } catch (IOException e) {
            throw new KeelException(ErrorCode.INVALID_CONFIG, "cannot read configuration file '" + path + "': " + e.getMessage(), e);
        }
    }

    /** Parses YAML text and applies the environment. */
    @SuppressWarnings("unchecked")
    public static KeelConfig parse(String yaml, Map<String, String> environment) {
        Object tree;
        try {
            tree = new ObjectMapper(new YAMLFactory()).readValue(yaml, Object.class);
        } catch (IOException e) {
            String reason = e.getMessage().lines().findFirst().orElse("");
            throw new KeelException(ErrorCode.INVALID_CONFIG, "configuration is not valid YAML: " + reason, e);
        }
        if (tree == null) {
            tree = Map.of();
        }
        if (!(tree instanceof Map<?, ?>)) {
            throw new KeelException(ErrorCode.INVALID_CONFIG, "configuration must be a YAML mapping of sections, got " + tree);
        }
        return fromTree((Map<String, Object>) tree, environment);
    }

    private static KeelConfig fromTree(Map<String, Object> tree, Map<String, String> environment) {
        ConfigNode root = ConfigNode.root(tree, environment);
        ConfigNode serverNode = root.section("server");
        Server server = new Server(
                serverNode.string("host", "0.0.0.0"),
                serverNode.integer("port", 8080, 0, 65535),
                serverNode.size("max-request-size", 256L << 20),
                serverNode.duration("shutdown-grace", Duration.ofSeconds(20)));
        serverNode.section("rate-limits"); // read and validated by the server's RateLimits.Settings at start
        serverNode.section("tls"); // read and validated by the server's TlsSettings at start
        Path dataDirectory = root.path("data-dir", "keel-data");
        ConfigNode storeNode = root.section("store");
        String url = storeNode.string("url", "jdbc:sqlite:" + dataDirectory.resolve("keel.db"));
        if (!url.startsWith("jdbc:sqlite:") && !url.startsWith("jdbc:postgresql:")) {
            throw storeNode.invalid("url", url, "a jdbc:sqlite: or jdbc:postgresql: URL");
        }
        Duration leakThreshold = storeNode.duration("leak-detection", Duration.ofMinutes(1));
        if (!leakThreshold.isZero() && leakThreshold.compareTo(Duration.ofSeconds(2)) < 0) {
            throw storeNode.invalid("leak-detection", leakThreshold, "0 (off) or at least 2s");
        }
        Duration maxLifetime = storeNode.duration("max-lifetime", Duration.ofMinutes(30));
        if (!maxLifetime.isZero() && maxLifetime.compareTo(Duration.ofSeconds(30)) < 0) {
            throw storeNode.invalid("max-lifetime", maxLifetime, "0 (forever) or at least 30s");
        }
        Store store = new Store(url, storeNode.string("user", ""), storeNode.string("password", ""), new Database.Pool(
                storeNode.integer("pool-size", 8, 1, 256), storeNode.duration("connection-timeout", Duration.ofSeconds(30)), maxLifetime,
                leakThreshold));
        ConfigNode artifactsNode = root.section("artifacts");
        Artifacts artifacts = new Artifacts(
                artifactsNode.path("dir", dataDirectory.resolve("artifacts").toString()),
                artifactsNode.size("max-model-size", 200L << 20));
        ConfigNode loggingNode = root.section("logging");
        Logging logging = new Logging(loggingNode.oneOf("format", "plain", List.of("plain", "json")),
                loggingNode.bool("requests", true));
        ConfigNode securityNode = root.section("security");
        Security security = new Security(securityNode.duration("token-cache-ttl", Duration.ofSeconds(5)),
                securityNode.string("token-pepper").filter(value -> !value.isBlank()),
                path(securityNode, "token-pepper-file", dataDirectory.resolve("keys").resolve("token-pepper.key")),
                audit(securityNode, dataDirectory), encryption(securityNode, environment));
        securityNode.section("oidc"); // read and validated by dev.keel.core.security.OidcSettings when the server opens
        securityNode.section("signing"); // read and validated by dev.keel.core.security.SigningSettings when the server opens
        COMPONENT_SECTIONS.forEach(root::section);
        for (ConfigNode node : List.of(root, serverNode, storeNode, artifactsNode, loggingNode, securityNode)) {
            node.rejectUnknownKeys();
        }
        return new KeelConfig(server, dataDirectory, store, artifacts, logging, security, root);
    }

    private static Audit audit(ConfigNode node, Path dataDirectory) {
        Duration interval = node.duration("audit-checkpoint-interval", Duration.ofMinutes(1));
        if (interval.isZero() || interval.isNegative()) {
            throw node.invalid("audit-checkpoint-interval", interval, "a positive duration such as 30s or 1m");
        }
        Optional<java.net.URI> webhook = node.string("audit-checkpoint-webhook").filter(value -> !value.isBlank()).map(value -> {
            try {
                java.net.URI uri = new java.net.URI(value);
                if ((!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) || uri.getHost() == null) {
                    throw node.invalid("audit-checkpoint-webhook", value, "an http:// or https:// URL");
                }
                return uri;
            } catch (java.net.URISyntaxException e) {
                throw node.invalid("audit-checkpoint-webhook", value, "an http:// or https:// URL");
            }
        });
        return new Audit(node.string("audit-key").filter(value -> !value.isBlank()),
                path(node, "audit-key-file", dataDirectory.resolve("keys").resolve("audit.key")),
                path(node, "audit-signing-key-file", dataDirectory.resolve("keys").resolve("audit-signing.key")),
                path(node, "audit-checkpoint-file", dataDirectory.resolve("audit").resolve("checkpoints.jsonl")),
                interval, node.integer("audit-checkpoint-entries", 1000, 0, 1_000_000_000), webhook);
    }

    /** Reads {@code security.encryption}: every key is loaded now, so a missing or malformed key fails at start-up. */
    private static EncryptionKeys encryption(ConfigNode security, Map<String, String> environment) {
        ConfigNode node = security.section("encryption");
        Optional<String> active = node.string("active").map(String::trim).filter(value -> !value.isEmpty());
        Map<String, byte[]> material = new LinkedHashMap<>();
        for (ConfigNode entry : node.sections("keys")) {
            String id = entry.string("id").map(String::trim).orElse("");
            if (!id.matches("[A-Za-z0-9._-]{1,64}")) {
                throw entry.invalid("id", id, "a key id of 1 to 64 letters, digits, '.', '_' or '-' (such as k1 or 2026-12)");
            }
            if (material.containsKey(id)) {
                throw entry.invalid("id", id, "an id no other key in security.encryption.keys has");
            }
            Optional<String> file = entry.string("file").filter(value -> !value.isBlank());
            Optional<String> variable = entry.string("env").filter(value -> !value.isBlank());
            entry.rejectUnknownKeys();
            if (file.isPresent() == variable.isPresent()) {
                throw new KeelException(ErrorCode.INVALID_CONFIG, "invalid configuration: '" + entry.key("id") + "' is '" + id
                        + "' and its key must come from exactly one of '" + entry.key("file") + "' (a key file) and '" + entry.key("env")
                        + "' (an environment variable); " + (file.isPresent() ? "both are" : "neither is") + " set");
            }
            if (file.isPresent()) {
                Path path = Path.of(file.get()).toAbsolutePath().normalize();
                try {
                    material.put(id, KeyFiles.decodeExact(entry.key("file"), Files.readString(path, java.nio.charset.StandardCharsets.US_ASCII),
                            EncryptionKeys.KEY_BYTES, "key file '" + path + "'"));
                } catch (IOException e) {
                    throw new KeelException(ErrorCode.INVALID_CONFIG, "cannot read key file '" + path + "' (" + entry.key("file") + "): "
                            + e, e);
                }
            } else {
                String value = environment.get(variable.get());
                if (value == null || value.isBlank()) {
                    throw new KeelException(ErrorCode.INVALID_CONFIG, "invalid configuration: '" + entry.key("env") + "' names the"
                            + " environment variable " + variable.get() + ", which is not set; set it to a 32-byte key in hex or base64");
                }
                material.put(id, KeyFiles.decodeExact(entry.key("env"), value, EncryptionKeys.KEY_BYTES, "variable " + variable.get()));
            }
        }
        node.rejectUnknownKeys();
        if (material.isEmpty()) {
            if (active.isPresent()) {
                throw node.invalid("active", active.get(), "the id of one of security.encryption.keys, and no key is configured");
            }
            return EncryptionKeys.none();
        }
        if (active.isEmpty()) {
            throw node.invalid("active", "", "the id new objects are encrypted under, one of " + material.keySet());
        }
        if (!material.containsKey(active.get())) {
            throw node.invalid("active", active.get(), "one of the configured key ids " + material.keySet());
        }
        return EncryptionKeys.of(material, active.get());
    }

    private static Path path(ConfigNode node, String name, Path fallback) {
        return node.path(name, fallback.toString());
    }

    /** The same configuration with another port (the CLI's {@code --port}). */
    public KeelConfig withPort(int port) {
        return new KeelConfig(new Server(server.host(), port, server.maxRequestSize(), server.shutdownGrace()), dataDirectory, store,
                artifacts, logging, security, root);
    }
}
