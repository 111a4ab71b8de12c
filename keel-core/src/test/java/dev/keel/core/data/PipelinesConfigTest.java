package dev.keel.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.config.KeelConfig;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.spi.data.ValueRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelinesConfigTest {
    @TempDir
    Path directory;

    private PipelinesConfig parse(String yaml, Map<String, String> environment) {
        KeelConfig config = KeelConfig.parse(yaml, environment);
        return PipelinesConfig.from(config.root().section("pipelines"), config.dataDirectory());
    }

    @Test
    void defaults_confineSourcesToTheBaseDirectoryWithoutConnections() {
        PipelinesConfig config = parse("pipelines:\n  base-directory: '" + directory + "'\n", Map.of());

        assertThat(config.sourceRoots()).containsExactly(directory);
        assertThat(config.connections()).isEmpty();
        assertThat(config.allowInlineJdbcUrls()).isFalse();
        assertThat(config.httpAllowPrivate()).isFalse();
        assertThat(config.httpAllowedHosts()).isEmpty();
    }

    @Test
    void profileExactDistinctMaxRows_defaultsToAMillionAndRefusesANegativeBound() {
        assertThat(parse("pipelines:\n  base-directory: '" + directory + "'\n", Map.of()).profileExactDistinctMaxRows())
                .isEqualTo(1_000_000);
        assertThat(parse("pipelines:\n  base-directory: '" + directory + "'\n  profile-exact-distinct-max-rows: 5000\n", Map.of())
                .profileExactDistinctMaxRows()).isEqualTo(5000);
        assertThatThrownBy(() -> parse("pipelines:\n  base-directory: '" + directory + "'\n  profile-exact-distinct-max-rows: -1\n",
                Map.of())).isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageContaining("profile-exact-distinct-max-rows");
    }

    @Test
    void runLimits_defaultToNoneAndAreReadFromSourceSlowAfterAndMaxQuarantineRate() {
        assertThat(parse("pipelines:\n  base-directory: '" + directory + "'\n", Map.of()).runLimits()).isEqualTo(RunLimits.NONE);
        assertThat(parse("pipelines:\n  base-directory: '" + directory + "'\n  source-slow-after: 30s\n  max-quarantine-rate: 0.02\n",
                Map.of()).runLimits()).isEqualTo(new RunLimits(java.time.Duration.ofSeconds(30), 0.02));
        assertThatThrownBy(() -> parse("pipelines:\n  base-directory: '" + directory + "'\n  max-quarantine-rate: 2\n", Map.of()))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageContaining("max-quarantine-rate");
        assertThatThrownBy(() -> parse("pipelines:\n  base-directory: '" + directory + "'\n  source-slow-after: later\n", Map.of()))
                .isInstanceOf(KeelException.class).hasMessageContaining("source-slow-after");
    }

    @Test
    void readsRootsConnectionsAndHttpSettings() throws IOException {
        Files.createDirectories(directory.resolve("landing"));
        Path shared = Files.createDirectories(directory.resolve("shared"));
        PipelinesConfig config = parse("""
                pipelines:
                  base-directory: '%s'
                  source-roots: [landing, '%s']
                  allow-inline-jdbc-urls: true
                  connections:
                    shop: {url: 'jdbc:postgresql://db:5432/shop', user: reader, password-env: SHOP_PASSWORD}
                    crm: {url: 'jdbc:postgresql://crm/crm', password-file: /run/secrets/crm}
                  http:
                    allow-private: true
                    allowed-hosts: [api.internal]
                """.formatted(directory, shared), Map.of());

        assertThat(config.sourceRoots()).containsExactly(directory.resolve("landing"), shared);
        assertThat(config.connections().get("shop")).isEqualTo(new JdbcConnection("shop", "jdbc:postgresql://db:5432/shop", "reader",
                new ValueRef.Env("SHOP_PASSWORD")));
        assertThat(config.connections().get("crm").password()).isEqualTo(new ValueRef.File("/run/secrets/crm"));
        assertThat(config.allowInlineJdbcUrls()).isTrue();
        assertThat(config.httpAllowPrivate()).isTrue();
        assertThat(config.httpAllowedHosts()).containsExactly("api.internal");
    }

    @Test
    void sourceRoots_fromTheEnvironment_areCommaSeparated() throws IOException {
        Path one = Files.createDirectories(directory.resolve("one"));
        Path two = Files.createDirectories(directory.resolve("two"));

        PipelinesConfig config = parse("logging: {requests: false}\n", Map.of("KEEL_PIPELINES_SOURCE_ROOTS", one + "," + two));

        assertThat(config.sourceRoots()).containsExactly(one, two);
    }

    @Test
    void projectSourceRoots_replaceTheSharedRootsForThatProjectOnly() throws IOException {
        Path fraud = Files.createDirectories(directory.resolve("fraud-landing"));
        PipelinesConfig config = parse("""
                pipelines:
                  base-directory: '%s'
                  project-source-roots:
                    fraud: [fraud-landing]
                """.formatted(directory), Map.of());

        assertThat(config.sourceRoots()).containsExactly(directory);
        assertThat(config.projectSourceRoots()).containsOnlyKeys("fraud");
        assertThat(config.projectSourceRoots().get("fraud")).containsExactly(fraud);
        assertThatThrownBy(() -> parse("pipelines:\n  base-directory: '" + directory + "'\n  project-source-roots:\n    fraud: []\n",
                Map.of())).hasMessageContaining("project-source-roots").hasMessageContaining("non-empty list");
        assertThatThrownBy(() -> parse("pipelines:\n  project-source-roots:\n    fraud: ['" + directory.resolve("missing") + "']\n",
                Map.of())).hasMessageContaining("fraud").hasMessageContaining("existing directories");
    }

    @Test
    void invalidSettings_failNamingTheKey() {
        assertThatThrownBy(() -> parse("pipelines:\n  source-roots: ['" + directory.resolve("missing") + "']\n", Map.of()))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageContaining("'pipelines.source-roots'").hasMessageContaining("existing directories");
        assertThatThrownBy(() -> parse("pipelines:\n  connections:\n    shop: {user: x}\n", Map.of()))
                .hasMessageContaining("'pipelines.connections.shop.url'");
        assertThatThrownBy(() -> parse("pipelines:\n  connections:\n    shop: {url: 'postgres://x'}\n", Map.of()))
                .hasMessageContaining("'pipelines.connections.shop.url'").hasMessageContaining("jdbc:");
        assertThatThrownBy(() -> parse("pipelines:\n  connections:\n    shop: {url: 'jdbc:postgresql://u:pw@x/y'}\n", Map.of()))
                .hasMessageContaining("'pipelines.connections.shop.url'").hasMessageNotContaining("pw@");
        assertThatThrownBy(() -> parse("pipelines:\n  connections:\n    shop: {url: 'jdbc:postgresql://x/y', password: hunter2}\n",
                Map.of())).hasMessageContaining("unknown configuration key 'pipelines.connections.shop.password'");
        assertThatThrownBy(() -> parse("pipelines:\n  connections:\n    shop: {url: 'jdbc:postgresql://x/y', password-env: A,"
                + " password-file: b}\n", Map.of())).hasMessageContaining("'pipelines.connections.shop.password-file'");
        assertThatThrownBy(() -> parse("pipelines:\n  connections:\n    Shop: {url: 'jdbc:postgresql://x/y'}\n", Map.of()))
                .hasMessageContaining("'pipelines.connections.Shop'");
        assertThatThrownBy(() -> parse("pipelines:\n  http: {allow-privat: true}\n", Map.of()))
                .hasMessageContaining("unknown configuration key 'pipelines.http.allow-privat'");
    }

    @Test
    void sourceAccess_refusesAConnectionToTheStoreAtStart() {
        KeelConfig config = KeelConfig.parse("""
                data-dir: '%s'
                pipelines:
                  base-directory: '%s'
                  connections:
                    meta: {url: 'jdbc:sqlite:%s'}
                """.formatted(directory.resolve("data"), directory, directory.resolve("data/keel.db")), Map.of());
        PipelinesConfig settings = PipelinesConfig.from(config.root().section("pipelines"), config.dataDirectory());

        assertThatThrownBy(() -> SourceAccess.of(settings, config.store().url(), List.of(config.dataDirectory())))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageContaining("'pipelines.connections.meta.url'").hasMessageContaining("Keel's own metadata store");
    }
}
