package dev.keel.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One path checked for a project: under its source roots, outside Keel's directories, links and {@code ..} resolved first. */
class SourceAccessTest {
    @TempDir
    Path directory;

    private Path sources;
    private Path riskSources;
    private Path keelData;
    private SourceAccess access;

    @BeforeEach
    void configure() throws Exception {
        sources = Files.createDirectories(directory.resolve("sources"));
        riskSources = Files.createDirectories(directory.resolve("risk-sources"));
        keelData = Files.createDirectories(sources.resolve("keel-data"));
        Files.writeString(sources.resolve("a.csv"), "x\n1\n");
        Files.writeString(riskSources.resolve("b.csv"), "x\n1\n");
        Files.writeString(keelData.resolve("store.db"), "");
        Files.writeString(directory.resolve("secret.txt"), "s");
        PipelinesConfig settings = new PipelinesConfig(false, ZoneOffset.UTC, sources, directory.resolve("datasets"), List.of(sources), Map.of(),
                false, false, List.of(), Map.of("risk", List.of(riskSources)), 1_000);
        access = SourceAccess.of(settings, "jdbc:sqlite:" + keelData.resolve("store.db"), List.of(keelData));
    }

    @Test
    void confine_underTheRoot_returnsTheRealPath() throws Exception {
        assertThat(access.confine("default", "a.csv", sources.resolve("a.csv"))).isEqualTo(sources.resolve("a.csv").toRealPath());
    }

    @Test
    void confine_dotDotOutOfTheRoot_isForbiddenNamingThePathAsWritten() {
        assertThatThrownBy(() -> access.confine("default", "../secret.txt", sources.resolve("../secret.txt")))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN))
                .hasMessageContaining("'../secret.txt'").hasMessageContaining("outside the source roots");
    }

    @Test
    void confine_symbolicLinkOutOfTheRoot_isForbidden() throws Exception {
        Path link = Files.createSymbolicLink(sources.resolve("link.txt"), directory.resolve("secret.txt"));

        assertThatThrownBy(() -> access.confine("default", "link.txt", link))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN))
                .hasMessageContaining("'link.txt'").hasMessageContaining("symbolic link");
    }

    @Test
    void confine_keelsOwnDirectoryUnderTheRoot_isForbidden() {
        assertThatThrownBy(() -> access.confine("default", "keel-data/store.db", keelData.resolve("store.db")))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN))
                .hasMessageContaining("Keel's own data directory");
    }

    @Test
    void confine_aProjectWithItsOwnRoots_readsThoseAndNotTheSharedOnes() throws Exception {
        assertThat(access.confine("risk", "b.csv", riskSources.resolve("b.csv"))).isEqualTo(riskSources.resolve("b.csv").toRealPath());
        assertThatThrownBy(() -> access.confine("risk", "a.csv", sources.resolve("a.csv")))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN));
        assertThatThrownBy(() -> access.confine("default", "b.csv", riskSources.resolve("b.csv")))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN));
    }
}
