package dev.keel.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.config.ConfigNode;
import dev.keel.core.testing.StoreKind;
import dev.keel.core.testing.TestingClock;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code server.tls} on a real server: key stores made with the JDK's keytool in the test, the server on an HTTPS port 0,
 * callers that trust its certificate; old protocols and non-AEAD suites refused, HSTS sent, and mutual TLS enforced.
 */
class TlsTest {
    private static final String PASSWORD = "test-store-password";

    @TempDir
    static Path stores;

    @BeforeAll
    static void makeStores() {
        keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", store("server.p12"),
                "-storepass", PASSWORD, "-keypass", PASSWORD);
        keytool("-genkeypair", "-alias", "client", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=batch-scorer",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", store("client.p12"), "-storepass", PASSWORD, "-keypass", PASSWORD);
        keytool("-genkeypair", "-alias", "stranger", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=stranger",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", store("stranger.p12"), "-storepass", PASSWORD, "-keypass", PASSWORD);
        keytool("-exportcert", "-alias", "server", "-keystore", store("server.p12"), "-storepass", PASSWORD, "-file", store("server.crt"));
        keytool("-exportcert", "-alias", "client", "-keystore", store("client.p12"), "-storepass", PASSWORD, "-file", store("client.crt"));
        keytool("-importcert", "-noprompt", "-alias", "server", "-file", store("server.crt"), "-storetype", "PKCS12",
                "-keystore", store("trusts-server.p12"), "-storepass", PASSWORD);
        keytool("-importcert", "-noprompt", "-alias", "client", "-file", store("client.crt"), "-storetype", "PKCS12",
                "-keystore", store("trusts-client.p12"), "-storepass", PASSWORD);
    }

    private static String store(String name) {
        return stores.resolve(name).toString();
    }

    private static void keytool(String... arguments) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(arguments));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            assertThat(process.waitFor()).as("keytool " + String.join(" ", arguments) + ": " + output).isZero();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static TestingServer start(String extra) {
        return TestingServer.startWithServerConfig(StoreKind.SQLITE, """
                tls:
                  keystore: '%s'
                  keystore-password: '%s'
                """.formatted(store("server.p12"), PASSWORD) + extra.indent(2), new TestingClock());
    }

    private static SSLContext context(String keyStore) {
        try {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(Path.of(store("trusts-server.p12")))) {
                trusted.load(in, PASSWORD.toCharArray());
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            KeyManagerFactory keys = null;
            if (keyStore != null) {
                KeyStore own = KeyStore.getInstance("PKCS12");
                try (InputStream in = Files.newInputStream(Path.of(store(keyStore)))) {
                    own.load(in, PASSWORD.toCharArray());
                }
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(own, PASSWORD.toCharArray());
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpResponse<String> get(TestingServer server, SSLContext context, String path, String token) throws IOException {
        HttpClient client = HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://localhost:" + server.server().port() + path))
                .timeout(Duration.ofSeconds(10));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The protocol and suite a handshake offering only these agreed on. */
    private static String handshake(TestingServer server, String protocol, String suite) throws IOException {
        try (SSLSocket socket = (SSLSocket) context(null).getSocketFactory().createSocket("127.0.0.1", server.server().port())) {
            socket.setSoTimeout(5000);
            socket.setEnabledProtocols(new String[] {protocol});
            if (suite != null) {
                socket.setEnabledCipherSuites(new String[] {suite});
            }
            socket.startHandshake();
            return socket.getSession().getProtocol() + " " + socket.getSession().getCipherSuite();
        }
    }

    @Test
    void https_servesTheApi_withHsts_andNoPlainHttp() throws IOException {
        try (TestingServer server = start("")) {
            HttpResponse<String> answer = get(server, context(null), "/v1/whoami", server.adminToken());
            HttpResponse<String> missing = get(server, context(null), "/no/such/route", null);

            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            assertThat(answer.version()).isNotNull();
            assertThat(answer.headers().firstValue("Strict-Transport-Security")).hasValue(SecurityHeaders.HSTS);
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(missing.headers().firstValue("Strict-Transport-Security")).hasValue(SecurityHeaders.HSTS);
            assertThat(handshake(server, "TLSv1.3", null)).startsWith("TLSv1.3 TLS_");
            assertThatThrownBy(() -> server.get("/health/live", null)).as("plain HTTP on the TLS port").isInstanceOf(UncheckedIOException.class);
        }
    }

    @Test
    void oldProtocolsAndNonAeadSuites_areRefused() throws IOException {
        try (TestingServer server = start("")) {
            assertThat(handshake(server, "TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")).isEqualTo("TLSv1.2 TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");

            assertThatThrownBy(() -> handshake(server, "TLSv1.1", null)).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> handshake(server, "TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256")).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> handshake(server, "TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA")).isInstanceOf(IOException.class);
        }
    }

    @Test
    void onlyTls13_whenConfigured_refusesTls12() throws IOException {
        try (TestingServer server = start("protocols: [TLSv1.3]")) {
            assertThat(handshake(server, "TLSv1.3", null)).startsWith("TLSv1.3");
            assertThatThrownBy(() -> handshake(server, "TLSv1.2", null)).isInstanceOf(IOException.class);
        }
    }

    @Test
    void mutualTls_need_refusesCallersWithoutATrustedCertificate_andAcceptsATrustedOne() throws IOException {
        try (TestingServer server = start("client-auth: need\ntruststore: '" + store("trusts-client.p12") + "'\ntruststore-password: '"
                + PASSWORD + "'")) {
            assertThatThrownBy(() -> get(server, context(null), "/health/live", null)).as("no client certificate").isInstanceOf(IOException.class);
            assertThatThrownBy(() -> get(server, context("stranger.p12"), "/health/live", null)).as("an untrusted certificate")
                    .isInstanceOf(IOException.class);

            HttpResponse<String> answer = get(server, context("client.p12"), "/v1/whoami", server.adminToken());
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        }
    }

    @Test
    void invalidTlsSettings_failNamingTheKeyAndWhatIsAllowed() {
        Map<String, Object> base = Map.of("keystore", store("server.p12"));

        assertThatThrownBy(() -> TlsSettings.read(node(Map.of("keystore", store("absent.p12")))))
                .hasMessageContaining("'keystore' is '" + store("absent.p12") + "'").hasMessageContaining("a readable PKCS12 file");
        assertThatThrownBy(() -> TlsSettings.read(node(with(base, "protocols", List.of("TLSv1.1")))))
                .hasMessageContaining("'protocols'").hasMessageContaining("[TLSv1.3, TLSv1.2]");
        assertThatThrownBy(() -> TlsSettings.read(node(with(base, "client-auth", "need"))))
                .hasMessageContaining("'truststore'").hasMessageContaining("client-auth is need");
        assertThatThrownBy(() -> TlsSettings.read(node(with(base, "client-auth", "maybe"))))
                .hasMessageContaining("one of none, want, need");
        assertThat(TlsSettings.read(node(Map.of()))).isEmpty();
        assertThat(TlsSettings.read(node(base)).orElseThrow().protocols()).containsExactly("TLSv1.3", "TLSv1.2");
        assertThat(TlsSettings.read(ConfigNode.root(base, Map.of("KEEL_KEYSTORE_PASSWORD", "from-env"))).orElseThrow().keystorePassword())
                .isEqualTo("from-env");
    }

    private static ConfigNode node(Map<String, Object> values) {
        return ConfigNode.root(values, Map.of());
    }

    private static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
        Map<String, Object> all = new java.util.HashMap<>(base);
        all.put(key, value);
        return all;
    }
}
