package dev.keel.engine.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.keel.core.data.JdbcConnection;
import dev.keel.core.data.PipelineRun;
import dev.keel.core.data.PipelineVersion;
import dev.keel.core.data.PipelinesConfig;
import dev.keel.core.data.RunStatus;
import dev.keel.core.data.SpecError;
import dev.keel.core.data.SourceAccess;
import dev.keel.core.data.Trigger;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.spi.data.ValueRef;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** File sources stay under the source roots, databases are named connections, HTTP sources reach public hosts only. */
class PipelineSourceAccessTest {
    @TempDir
    Path directory;

    private static String csvSource(String path) {
        return """
                pipeline: files
                sources:
                  - {name: rows, type: csv, path: "%s", header: false}
                outputs:
                  - {dataset: rows, from: rows}
                """.formatted(path);
    }

    private static void assertRefused(PipelineHarness harness, String spec, String... named) {
        assertThatThrownBy(() -> harness.service.register(spec)).isInstanceOfSatisfying(KeelException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_SPEC);
            assertThat(e.getMessage()).contains(named).doesNotContain("root:x:");
        });
    }

    private static PipelineRun runUnchecked(PipelineHarness harness, String spec) {
        harness.pipelines.insert(new PipelineVersion("files", 1, spec, "0".repeat(64), Instant.EPOCH));
        return harness.service.run("files", Trigger.API);
    }

    @Test
    void csvSource_absolutePathOutsideTheRoots_isRefusedNamingPathAndRoots() {
        PipelineHarness harness = new PipelineHarness(directory);

        assertRefused(harness, csvSource("/etc/passwd"), "sources[0].path", "'/etc/passwd' is outside the source roots",
                harness.base.toString(), "pipelines.source-roots");
        PipelineRun run = runUnchecked(harness, csvSource("/etc/passwd"));
        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.error()).get().asString().startsWith("bad spec error: sources[0].path").contains("outside the source roots");
        assertThat(harness.datasets.listLatest()).isEmpty();
    }

    @Test
    void csvSource_dotDotEscape_isRefused() {
        PipelineHarness harness = new PipelineHarness(directory);

        assertRefused(harness, csvSource("../../../../../../../../etc/passwd"), "'../../../../../../../../etc/passwd' is outside");
    }

    @Test
    void csvSource_symbolicLinkUnderARootPointingOutside_isRefusedAtRegistrationAndRun() throws IOException {
        PipelineHarness harness = new PipelineHarness(directory);
        Files.createSymbolicLink(harness.base.resolve("innocent.csv"), Path.of("/etc/passwd"));

        assertRefused(harness, csvSource("innocent.csv"), "'innocent.csv' leads through a symbolic link outside the source roots");
        PipelineRun run = runUnchecked(harness, csvSource("innocent.csv"));
        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.error()).get().asString().contains("symbolic link").doesNotContain("root:x:");
    }

    @Test
    void csvSource_swappedForALinkAfterRegistration_isRefusedWhenItRuns() throws IOException {
        PipelineHarness harness = new PipelineHarness(directory);
        Path file = harness.write("rows.csv", "a\n1\n");
        harness.service.register(csvSource("rows.csv"));
        Files.delete(file);
        Files.createSymbolicLink(file, Path.of("/etc/passwd"));

        PipelineRun run = harness.service.run("files", Trigger.API);

        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.error()).get().asString().startsWith("bad spec error").contains("symbolic link").doesNotContain("root:x:");
    }

    @Test
    void csvSource_danglingLinkToOutside_isRefused() throws IOException {
        PipelineHarness harness = new PipelineHarness(directory);
        Files.createSymbolicLink(harness.base.resolve("later.csv"), directory.resolve("outside/not-yet.csv"));

        assertRefused(harness, csvSource("later.csv"), "'later.csv' leads through a symbolic link outside the source roots");
    }

    @Test
    void csvSource_linkedDirectoryUnderARoot_isRefused() throws IOException {
        PipelineHarness harness = new PipelineHarness(directory);
        Files.createSymbolicLink(harness.base.resolve("etc"), Path.of("/etc"));

        assertRefused(harness, csvSource("etc/passwd"), "'etc/passwd' leads through a symbolic link");
    }

    @Test
    void csvSource_globOutsideTheRoots_isRefused() {
        PipelineHarness harness = new PipelineHarness(directory);

        assertRefused(harness, csvSource("/etc/*.conf"), "'/etc/*.conf' is outside the source roots");
        assertRefused(harness, csvSource("../*/passwd"), "'../*/passwd' is outside the source roots");
    }

    @Test
    void csvSource_globMatchingALinkToOutside_isRefusedWhenItRuns() throws IOException {
        PipelineHarness harness = new PipelineHarness(directory);
        harness.write("parts/a.csv", "1\n");
        harness.service.register(csvSource("parts/*.csv"));
        // The link appears after registration, which would have refused it.
        Files.createSymbolicLink(harness.base.resolve("parts/b.csv"), Path.of("/etc/passwd"));
        assertThat(harness.service.validate(csvSource("parts/*.csv"))).extracting(SpecError::message).singleElement().asString()
                .contains("'parts/b.csv' matched by 'parts/*.csv' leads through a symbolic link");

        PipelineRun run = harness.service.run("files", Trigger.API);

        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.error()).get().asString().contains("'parts/b.csv' matched by 'parts/*.csv' leads through a symbolic link")
                .doesNotContain("root:x:");
    }

    @Test
    void csvSource_underASecondConfiguredRoot_runs() throws IOException {
        Path shared = Files.createDirectories(directory.resolve("shared"));
        Files.writeString(shared.resolve("rows.csv"), "1\n2\n");
        PipelineHarness harness = new PipelineHarness(directory, Map.of(), base -> SourceAccess.of(new PipelinesConfig(false,
                ZoneOffset.UTC, base, directory.resolve("data/datasets"), List.of(base, shared), Map.of(), false, false, List.of()),
                "", List.of(directory.resolve("data"))));

        PipelineRun run = harness.run(csvSource(shared.resolve("rows.csv").toString()));

        assertThat(run.error()).isEmpty();
        assertThat(harness.service.dataset("rows", 1).rows()).isEqualTo(2);
    }

    @Test
    void aProjectWithSourceRootsOfItsOwn_readsOnlyUnderThem_whileOtherProjectsKeepTheSharedRoots() throws IOException {
        Path fraud = Files.createDirectories(directory.resolve("base/fraud"));
        Files.writeString(fraud.resolve("rows.csv"), "1\n2\n");
        Files.writeString(directory.resolve("base/shared.csv"), "1\n");
        PipelineHarness harness = new PipelineHarness(directory, Map.of(), base -> SourceAccess.of(new PipelinesConfig(false,
                ZoneOffset.UTC, base, directory.resolve("data/datasets"), List.of(base), Map.of(), false, false, List.of(),
                Map.of("fraud", List.of(fraud)), 1_000_000L), "", List.of(directory.resolve("data"))));
        String fraudSpec = "project: fraud\n" + csvSource("shared.csv");

        assertRefused(harness, fraudSpec, "'shared.csv'", "outside the source roots", fraud.toRealPath().toString());
        PipelineRun own = harness.run("project: fraud\n" + csvSource("fraud/rows.csv"));
        PipelineRun shared = harness.run(csvSource("shared.csv").replace("pipeline: files", "pipeline: shared")
                .replace("dataset: rows", "dataset: shared"));

        assertThat(own.error()).isEmpty();
        assertThat(shared.error()).isEmpty();
        assertThat(harness.service.dataset("rows", 1).rows()).isEqualTo(2);
    }

    @Test
    void csvSource_inKeelsDataDirectoryUnderARoot_isRefused() throws IOException {
        PipelineHarness harness = new PipelineHarness(directory, Map.of(), base -> SourceAccess.of(new PipelinesConfig(false,
                ZoneOffset.UTC, base, base.resolve("keel-data/datasets"), List.of(base), Map.of(), false, false, List.of()), "",
                List.of(base.resolve("keel-data"))));
        harness.write("keel-data/keel.db", "not really sqlite");

        assertRefused(harness, csvSource("keel-data/keel.db"), "lies in Keel's own data directory");
    }

    @Test
    void jdbcSource_inlineUrl_isRefusedAskingForAConnection() {
        PipelineHarness harness = new PipelineHarness(directory);

        assertRefused(harness, """
                pipeline: store
                sources:
                  - {name: tokens, type: jdbc, url: "jdbc:sqlite:%s", query: "SELECT * FROM tokens"}
                outputs:
                  - {dataset: tokens, from: tokens}
                """.formatted(directory.resolve("keel.db")), "sources[0].url", "JDBC URLs in specs are not allowed",
                "pipelines.connections", "connection: <name>");
    }

    @Test
    void jdbcSource_unknownConnection_isRefusedNamingTheDeclaredOnes() {
        PipelineHarness harness = new PipelineHarness(directory, Map.of(), base -> SourceAccess.confinedTo(base,
                List.of(new JdbcConnection("shop", "jdbc:postgresql://127.0.0.1:5432/test", "postgres", new ValueRef.Literal(""))),
                false));

        assertRefused(harness, """
                pipeline: store
                sources:
                  - {name: orders, type: jdbc, connection: warehouse, query: "SELECT 1"}
                outputs:
                  - {dataset: orders, from: orders}
                """, "sources[0].connection", "no connection named 'warehouse'", "[shop]");
    }

    @Test
    void connection_toKeelsOwnStore_failsAtStartNamingTheKey() {
        Path data = directory.resolve("data");
        String store = "jdbc:sqlite:" + data.resolve("keel.db");
        for (String url : List.of(store, "jdbc:sqlite:" + data.resolve("../data/keel.db"), "jdbc:sqlite:file:" + data.resolve("other.db"))) {
            PipelinesConfig settings = new PipelinesConfig(false, ZoneOffset.UTC, directory, data.resolve("datasets"),
                    List.of(directory), Map.of("mine", new JdbcConnection("mine", url, "", new ValueRef.Literal(""))), false, false,
                    List.of());

            assertThatThrownBy(() -> SourceAccess.of(settings, store, List.of(data)))
                    .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                    .hasMessageContaining("'pipelines.connections.mine.url'");
        }
        PipelinesConfig postgres = new PipelinesConfig(false, ZoneOffset.UTC, directory, data.resolve("datasets"), List.of(directory),
                Map.of("meta", new JdbcConnection("meta", "jdbc:postgresql://db:5432/keel?ssl=true", "", new ValueRef.Literal(""))),
                false, false, List.of());
        assertThatThrownBy(() -> SourceAccess.of(postgres, "jdbc:postgresql://db:5432/keel", List.of(data)))
                .hasMessageContaining("Keel's own metadata store");
    }

    @Test
    void inlineUrls_allowedByTheAdmin_stillRefuseFileDatabases() {
        PipelineHarness harness = new PipelineHarness(directory, Map.of(), base -> SourceAccess.of(new PipelinesConfig(false,
                ZoneOffset.UTC, base, directory.resolve("data/datasets"), List.of(base), Map.of(), true, false, List.of()), "",
                List.of(directory.resolve("data"))));

        assertRefused(harness, """
                pipeline: store
                sources:
                  - {name: files, type: jdbc, url: "jdbc:duckdb:", query: "SELECT * FROM read_text('/etc/passwd')"}
                outputs:
                  - {dataset: files, from: files}
                """, "a file database cannot be named by URL");
        assertRefused(harness, """
                pipeline: store
                sources:
                  - {name: rows, type: jdbc, url: "jdbc:postgresql://db.example/x", user: keel,
                     password: {env: KEEL_STORE_PASSWORD}, query: "SELECT 1"}
                outputs:
                  - {dataset: rows, from: rows}
                """, "sources[0].password", "one of Keel's own settings");
    }

    @Test
    void httpSource_onLoopback_isRefusedByDefault() {
        PipelineHarness harness = new PipelineHarness(directory);

        for (String url : List.of("http://127.0.0.1:8080/", "http://localhost/", "http://169.254.169.254/latest/meta-data/",
                "http://10.1.2.3/", "http://192.168.0.1/", "http://172.16.0.1/", "http://[::1]/", "http://[fe80::1]/",
                "http://[fd00::1]/", "http://0.0.0.0/", "http://224.0.0.1/")) {
            assertRefused(harness, """
                    pipeline: api
                    sources:
                      - {name: api, type: http, url: "%s"}
                    outputs:
                      - {dataset: api, from: api}
                    """.formatted(url), "sources[0].url", "HTTP sources may reach public addresses only");
        }
    }

    @Test
    void httpSource_redirectToADisallowedHost_isRefusedBeforeTheRequest() throws IOException {
        AtomicInteger secretHits = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        int port = server.getAddress().getPort();
        server.createContext("/start", exchange -> {
            exchange.getResponseHeaders().add("Location", "http://localhost:" + port + "/secret");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        server.createContext("/secret", exchange -> {
            secretHits.incrementAndGet();
            byte[] body = "[{\"secret\": 1}]".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            // The admin allows the host 127.0.0.1 by name; the redirect goes to another name of the loopback.
            PipelineHarness harness = new PipelineHarness(directory, Map.of(), base -> SourceAccess.of(new PipelinesConfig(false,
                    ZoneOffset.UTC, base, directory.resolve("data/datasets"), List.of(base), Map.of(), false, false,
                    List.of("127.0.0.1")), "", List.of(directory.resolve("data"))));

            PipelineRun run = harness.run("""
                    pipeline: api
                    sources:
                      - {name: api, type: http, url: "http://127.0.0.1:%d/start"}
                    outputs:
                      - {dataset: api, from: api}
                    """.formatted(port));

            assertThat(run.status()).isEqualTo(RunStatus.FAILED);
            assertThat(run.error()).get().asString().contains("the host 'localhost' is a loopback address");
            assertThat(secretHits).hasValue(0);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void httpHeader_readingKeelsOwnEnvironment_isRefused() {
        PipelineHarness harness = new PipelineHarness(directory);

        assertRefused(harness, """
                pipeline: api
                sources:
                  - {name: api, type: http, url: "https://example.com/", headers: {Authorization: {env: KEEL_ADMIN_TOKEN}}}
                outputs:
                  - {dataset: api, from: api}
                """, "sources[0].headers.Authorization", "one of Keel's own settings");
        assertRefused(harness, """
                pipeline: api
                sources:
                  - {name: api, type: http, url: "https://example.com/", headers: {Authorization: {file: /etc/passwd}}}
                outputs:
                  - {dataset: api, from: api}
                """, "sources[0].headers.Authorization", "'/etc/passwd' is outside the source roots");
    }
}
