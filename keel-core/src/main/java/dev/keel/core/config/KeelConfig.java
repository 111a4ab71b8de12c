package dev.keel.core.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
    public static final List<String> COMPONENT_SECTIONS = List.of("serving", "pipelines", "monitoring");

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
    public record Store(String url, String user, String password, int poolSize) {
        @Override
        public String toString() {
            return "Store[url=" + url + ", user=" + user + ", poolSize=" + poolSize + "]";
        }
    }

    /** The local artifact store. */
    public record Artifacts(Path directory, long maxModelSize) {
    }

    /** Log output: {@code plain} or {@code json} lines, and whether each request is logged. */
    public record Logging(String format, boolean requests) {
    }

    /**
     * Authentication settings.
     *
     * @param tokenCacheTtl how long a verified token is trusted before it is checked against the store again
     * @param tokenPepper the HMAC key token secrets are hashed under, hex or base64 ({@code token-pepper}, usually given as
     *     {@code KEEL_SECURITY_TOKEN_PEPPER}); when absent it is read from, or created in, {@code tokenPepperFile}
     * @param tokenPepperFile {@code token-pepper-file}, default {@code <data-dir>/keys/token-pepper.key}
     */
    public record Security(Duration tokenCacheTtl, Optional<String> tokenPepper, Path tokenPepperFile) {
        public Security {
            Objects.requireNonNull(tokenCacheTtl, "tokenCacheTtl");
            Objects.requireNonNull(tokenPepper, "tokenPepper");
            Objects.requireNonNull(tokenPepperFile, "tokenPepperFile");
        }

        @Override
        public String toString() {
            return "Security[tokenCacheTtl=" + tokenCacheTtl + ", tokenPepperFile=" + tokenPepperFile + "]";
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
        Path dataDirectory = Path.of(root.string("data-dir", "keel-data")).toAbsolutePath().normalize();
        ConfigNode storeNode = root.section("store");
        String url = storeNode.string("url", "jdbc:sqlite:" + dataDirectory.resolve("keel.db"));
        if (!url.startsWith("jdbc:sqlite:") && !url.startsWith("jdbc:postgresql:")) {
            throw storeNode.invalid("url", url, "a jdbc:sqlite: or jdbc:postgresql: URL");
        }
        Store store = new Store(url, storeNode.string("user", ""), storeNode.string("password", ""),
                storeNode.integer("pool-size", 8, 1, 256));
        ConfigNode artifactsNode = root.section("artifacts");
        Artifacts artifacts = new Artifacts(
                Path.of(artifactsNode.string("dir", dataDirectory.resolve("artifacts").toString())).toAbsolutePath().normalize(),
                artifactsNode.size("max-model-size", 200L << 20));
        ConfigNode loggingNode = root.section("logging");
        Logging logging = new Logging(loggingNode.oneOf("format", "plain", List.of("plain", "json")),
                loggingNode.bool("requests", true));
        ConfigNode securityNode = root.section("security");
        Security security = new Security(securityNode.duration("token-cache-ttl", Duration.ofSeconds(5)),
                securityNode.string("token-pepper").filter(value -> !value.isBlank()),
                Path.of(securityNode.string("token-pepper-file", dataDirectory.resolve("keys").resolve("token-pepper.key").toString()))
                        .toAbsolutePath().normalize());
        COMPONENT_SECTIONS.forEach(root::section);
        for (ConfigNode node : List.of(root, serverNode, storeNode, artifactsNode, loggingNode, securityNode)) {
            node.rejectUnknownKeys();
        }
        return new KeelConfig(server, dataDirectory, store, artifacts, logging, security, root);
    }

    /** The same configuration with another port (the CLI's {@code --port}). */
    public KeelConfig withPort(int port) {
        return new KeelConfig(new Server(server.host(), port, server.maxRequestSize(), server.shutdownGrace()), dataDirectory, store,
                artifacts, logging, security, root);
    }
}
