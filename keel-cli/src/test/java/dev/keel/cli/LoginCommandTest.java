package dev.keel.cli;

import static dev.keel.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.config.KeelConfig;
import dev.keel.core.testing.TestingIdentityProvider;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoginCommandTest {
    @TempDir
    Path directory;

    private final TestingIdentityProvider provider = new TestingIdentityProvider();

    @AfterEach
    void stop() {
        provider.close();
    }

    private ServerCommand.Started server() throws Exception {
        Path config = directory.resolve("keel.yaml");
        Files.writeString(config, """
                data-dir: '%s'
                server: {host: 127.0.0.1, port: 0}
                logging: {requests: false}
                serving: {workers: 1}
                security:
                  oidc:
                    issuer: '%s'
                    audience: keel
                    mappings:
                      - {group: ml-team, project: default, role: scientist}
                """.formatted(directory.resolve("data"), provider.issuer()));
        return ServerCommand.start(KeelConfig.load(Optional.of(config), Map.of()), new PrintStream(PrintStream.nullOutputStream()));
    }

    @Test
    void loginWithAToken_storesItOwnerOnly_andLaterCommandsUseIt() throws Exception {
        ServerCommand.Started started = server();
        try {
            String url = "http://127.0.0.1:" + started.server().port();
            Path credentials = directory.resolve("config").resolve("keel").resolve("credentials");
            String jwt = provider.token("alice", Instant.now(), "ml-team");

            Cli.Run login = run(new String[] {"--credentials", credentials.toString(), "--url", url}, "login", "--token", jwt);
            Cli.Run listed = run(new String[] {"--credentials", credentials.toString()}, "project", "list");
            Cli.Run denied = run(new String[] {"--credentials", credentials.toString()}, "token", "list");

            assertThat(login.code()).as(login.err()).isZero();
            assertThat(login.out()).contains("logged in", credentials.toString());
            assertThat(Files.readString(credentials)).contains("token=" + jwt, "url=" + url);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials))).isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials.getParent()))).isEqualTo("rwx------");
            assertThat(listed.code()).as(listed.err()).isZero();
            assertThat(listed.out()).contains("default");
            assertThat(denied.code()).isEqualTo(1);
            assertThat(denied.err()).contains("HTTP 403");
            Cli.Run logout = run(new String[] {"--credentials", credentials.toString()}, "logout");
            assertThat(logout.code()).isZero();
            assertThat(credentials).doesNotExist();
        } finally {
            started.server().close();
        }
    }

    @Test
    void loginWithTheDeviceFlow_printsWhereToSignIn_pollsUntilTheToken_andStoresIt() throws Exception {
        String jwt = provider.token("bob", Instant.now(), "ml-team");
        provider.pollInterval(1);
        provider.tokenAnswers("authorization_pending", "authorization_pending", "{\"access_token\": \"" + jwt + "\", \"token_type\": \"Bearer\"}");
        Path credentials = directory.resolve("credentials");

        Cli.Run login = run(new String[] {"--credentials", credentials.toString()}, "login", "--device", "--issuer", provider.issuer(),
                "--client-id", "keel-cli");

        assertThat(login.code()).as(login.err()).isZero();
        assertThat(login.out()).contains("open " + provider.issuer() + "/activate and enter the code WDJB-MJHT", "logged in");
        assertThat(provider.tokenRequests()).hasSize(3);
        assertThat(Files.readString(credentials)).contains("token=" + jwt).doesNotContain("url=");
    }

    @Test
    void login_needsExactlyOneOfTokenAndDevice() {
        Path credentials = directory.resolve("credentials");

        Cli.Run neither = run(new String[] {"--credentials", credentials.toString()}, "login");
        Cli.Run both = run(new String[] {"--credentials", credentials.toString()}, "login", "--device", "--token", "x");
        Cli.Run noIssuer = run(new String[] {"--credentials", credentials.toString()}, "login", "--device", "--client-id", "keel-cli");

        assertThat(neither.code()).isEqualTo(2);
        assertThat(neither.err()).contains("either --token <token> or --device, not neither");
        assertThat(both.code()).isEqualTo(2);
        assertThat(noIssuer.code()).isEqualTo(2);
        assertThat(credentials).doesNotExist();
    }
}
