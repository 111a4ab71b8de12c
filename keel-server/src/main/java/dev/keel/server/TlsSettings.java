package dev.keel.server;

import dev.keel.core.config.ConfigNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * {@code server.tls}: the PKCS12 key store the server presents, the protocols it speaks, and whether callers must present a
 * certificate that the trust store vouches for (mutual TLS).
 *
 * @param keystorePassword given in the file or as {@code KEEL_SERVER_TLS_KEYSTORE_PASSWORD}; never printed
 * @param truststore the PKCS12 store of the certificates that client certificates must chain to; needed unless client-auth is none
 */
record TlsSettings(Path keystore, String keystorePassword, List<String> protocols, ClientAuth clientAuth, Optional<Path> truststore,
                   String truststorePassword) {
    /** The protocols that may be configured; anything older is refused. */
    static final List<String> ALLOWED_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /**
     * AEAD suites with forward secrecy only: TLS 1.3's suites, and TLS 1.2's ECDHE suites with AES-GCM or ChaCha20-Poly1305.
     * CBC, RSA key exchange, plain DHE, RC4, 3DES and NULL suites are never offered.
     */
    static final List<String> CIPHER_SUITES = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    /** Whether a caller must present a client certificate. */
    enum ClientAuth {
        NONE, WANT, NEED
    }

    TlsSettings {
        Objects.requireNonNull(keystore, "keystore");
        Objects.requireNonNull(keystorePassword, "keystorePassword");
        protocols = List.copyOf(protocols);
        Objects.requireNonNull(clientAuth, "clientAuth");
        Objects.requireNonNull(truststore, "truststore");
        Objects.requireNonNull(truststorePassword, "truststorePassword");
    }

    /** Reads {@code server.tls}; empty when the section is absent (plain HTTP). A bad value fails naming key, value and what is allowed. */
    static Optional<TlsSettings> read(ConfigNode node) {
        if (node.names().isEmpty()) {
            return Optional.empty();
        }
        Path keystore = file(node, "keystore").orElseThrow(() -> node.invalid("keystore", "", "the path of a PKCS12 key store (.p12)"));
        String password = node.string("keystore-password", "");
        List<String> protocols = node.strings("protocols").orElse(ALLOWED_PROTOCOLS);
        if (protocols.isEmpty() || !ALLOWED_PROTOCOLS.containsAll(protocols)) {
            throw node.invalid("protocols", protocols, "one or both of " + ALLOWED_PROTOCOLS);
        }
        ClientAuth clientAuth = ClientAuth.valueOf(node.oneOf("client-auth", "none", List.of("none", "want", "need")).toUpperCase(Locale.ROOT));
        Optional<Path> truststore = file(node, "truststore");
        if (clientAuth != ClientAuth.NONE && truststore.isEmpty()) {
            throw node.invalid("truststore", "", "the path of a PKCS12 trust store when client-auth is " + clientAuth.name().toLowerCase(Locale.ROOT));
        }
        TlsSettings settings = new TlsSettings(keystore, password, protocols, clientAuth, truststore, node.string("truststore-password", ""));
        node.rejectUnknownKeys();
        return Optional.of(settings);
    }

    private static Optional<Path> file(ConfigNode node, String name) {
        Optional<String> value = node.string(name).filter(text -> !text.isBlank());
        if (value.isEmpty()) {
            return Optional.empty();
        }
        Path path = Path.of(value.get()).toAbsolutePath().normalize();
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw node.invalid(name, value.get(), "a readable PKCS12 file");
        }
        return Optional.of(path);
    }

    /** Jetty's TLS configuration for these settings. */
    SslContextFactory.Server contextFactory() {
        SslContextFactory.Server factory = new SslContextFactory.Server();
        factory.setKeyStoreType("PKCS12");
        factory.setKeyStorePath(keystore.toString());
        factory.setKeyStorePassword(keystorePassword);
        factory.setIncludeProtocols(protocols.toArray(String[]::new));
        factory.setIncludeCipherSuites(CIPHER_SUITES.toArray(String[]::new));
        factory.setRenegotiationAllowed(false);
        truststore.ifPresent(path -> {
            factory.setTrustStoreType("PKCS12");
            factory.setTrustStorePath(path.toString());
            factory.setTrustStorePassword(truststorePassword);
        });
        switch (clientAuth) {
            case NONE -> { }
            case WANT -> factory.setWantClientAuth(true);
            case NEED -> factory.setNeedClientAuth(true);
        }
        return factory;
    }

    @Override
    public String toString() {
        return "TlsSettings[keystore=" + keystore + ", protocols=" + protocols + ", clientAuth=" + clientAuth + ", truststore=" + truststore + "]";
    }
}
