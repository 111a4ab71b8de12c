package dev.keel.engine.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The locked DuckDB on its own, without the SQL guard in front: the second line of defence holds for every statement even if
 * the guard missed one (checked against the bundled DuckDB version).
 */
class SandboxTest {
    @TempDir
    Path directory;

    private Connection duck;
    private Path staging;

    @BeforeEach
    void lock() throws Exception {
        staging = Files.createDirectories(directory.resolve("staging"));
        Files.writeString(directory.resolve("secret.txt"), "the secret");
        duck = DriverManager.getConnection("jdbc:duckdb:");
        try (Statement statement = duck.createStatement()) {
            statement.execute("CREATE TABLE people AS SELECT 'ada' AS name");
        }
        Sandbox.lock(duck, staging);
    }

    @AfterEach
    void close() throws SQLException {
        duck.close();
    }

    private Object query(String sql) throws SQLException {
        try (Statement statement = duck.createStatement()) {
            if (!statement.execute(sql)) {
                return null;
            }
            try (ResultSet result = statement.getResultSet()) {
                return result.next() ? result.getObject(1) : null;
            }
        }
    }

    static Stream<String> escapes() {
        return Stream.of("SELECT content FROM read_text('{dir}/secret.txt')", "SELECT content FROM read_blob('/etc/passwd')",
                "SELECT * FROM read_csv('/etc/passwd', header = false)", "SELECT * FROM glob('/root/*')",
                "SELECT * FROM read_text('{staging}/../secret.txt')", "SELECT * FROM sniff_csv('/etc/passwd')",
                "SELECT * FROM read_parquet('/etc/passwd')", "SELECT * FROM read_json_auto('/etc/passwd')",
                "ATTACH '{dir}/other.db' AS other", "COPY people TO '{dir}/out.csv'", "COPY people TO '{staging}/../out.csv'",
                "INSTALL httpfs", "LOAD httpfs", "EXPORT DATABASE '{dir}/export'",
                "CREATE SECRET s (TYPE s3, KEY_ID 'a', SECRET 'b')", "SET enable_external_access = true",
                "RESET enable_external_access", "SET lock_configuration = false", "RESET lock_configuration",
                "SET allowed_directories = ['/']", "SET autoload_known_extensions = true");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("escapes")
    void lockedDatabase_refusesFilesExtensionsAndSettings(String template) {
        String sql = template.replace("{dir}", directory.toString()).replace("{staging}", staging.toString());
        assertThatThrownBy(() -> query(sql)).isInstanceOfSatisfying(SQLException.class, e -> assertThat(Sandbox.refused(e)).isTrue());
        assertThat(directory.resolve("out.csv")).doesNotExist();
    }

    @Test
    void lockedDatabase_stillWritesAndReadsTheStagingDirectory() throws SQLException {
        Path output = staging.resolve("people.parquet");
        query("COPY people TO '" + output + "' (FORMAT parquet)");

        assertThat(output).exists();
        assertThat(query("SELECT count(*) FROM read_parquet('" + output + "')")).isEqualTo(1L);
        assertThat(query("SELECT current_setting('enable_external_access')")).isEqualTo(false);
    }

    @Test
    void refusedMessages_areReplacedByOneWithoutPaths() {
        assertThatThrownBy(() -> query("SELECT content FROM read_text('" + directory.resolve("secret.txt") + "')"))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(SourceLoader.firstLine(e)).isEqualTo(Sandbox.REFUSED)
                        .doesNotContain(directory.toString()));
    }
}
