package dev.keel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./keel} launcher, run for real on a copy of the script whose JDK and Maven are stand-ins (shell scripts that
 * record their PID and sleep): the JVM takes the launcher's PID, so killing that PID stops it, and a launcher killed while
 * it builds stops the build too.
 */
class LauncherTest {
    @TempDir
    Path home;

    private void layout(boolean built) throws IOException {
        Files.copy(Path.of("..", "keel"), home.resolve("keel"));
        Path fakeJdk = home.resolve("jdk");
        Files.createDirectories(fakeJdk.resolve("bin"));
        executable(fakeJdk.resolve("bin").resolve("java"), "#!/bin/sh\necho $$ > \"$KEEL_HOME/java.pid\"\nexec sleep 120\n");
        Files.createDirectories(home.resolve("build"));
        Files.writeString(home.resolve("build").resolve("find-java.sh"), "keel_find_java() { KEEL_JAVA_HOME='" + fakeJdk + "'; }\n");
        executable(home.resolve("mvnw"), "#!/bin/sh\necho $$ > mvn.pid\nexec sleep 120\n");
        if (built) {
            Files.createDirectories(home.resolve("keel-cli").resolve("target"));
            Files.writeString(home.resolve("keel-cli").resolve("target").resolve(".keel-build-stamp"), "");
        }
    }

    private static void executable(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Process launch() throws IOException {
        return new ProcessBuilder("bash", home.resolve("keel").toString(), "server").directory(home.toFile())
                .redirectErrorStream(true).redirectOutput(home.resolve("out.txt").toFile()).start();
    }

    /** The PID a stand-in wrote, once it has written it (the process is given up to a minute to start). */
    private static long awaitPid(Path file) throws Exception {
        for (int i = 0; i < 600; i++) {
            if (Files.exists(file)) {
                String text = Files.readString(file).strip();
                if (!text.isEmpty()) {
                    return Long.parseLong(text);
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no PID written to " + file);
    }

    @Test
    void server_theJvmTakesTheLaunchersPid_soKillingThatPidStopsIt() throws Exception {
        layout(true);
        Process launcher = launch();
        try {
            long javaPid = awaitPid(home.resolve("java.pid"));

            assertThat(javaPid).isEqualTo(launcher.pid());
            launcher.destroy();
            assertThat(launcher.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(ProcessHandle.of(javaPid).map(ProcessHandle::isAlive)).isIn(Optional.empty(), Optional.of(false));
        } finally {
            launcher.destroyForcibly();
        }
    }

    @Test
    void build_killingTheLauncherWhileItBuilds_stopsTheBuild() throws Exception {
        layout(false);
        Process launcher = launch();
        try {
            long mavenPid = awaitPid(home.resolve("mvn.pid"));
            ProcessHandle maven = ProcessHandle.of(mavenPid).orElseThrow();

            launcher.destroy();
            assertThat(launcher.waitFor(60, TimeUnit.SECONDS)).isTrue();
            maven.onExit().get(60, TimeUnit.SECONDS);
            assertThat(maven.isAlive()).isFalse();
            assertThat(home.resolve("java.pid")).doesNotExist();
        } finally {
            launcher.destroyForcibly();
            ProcessHandle.of(awaitPid(home.resolve("mvn.pid"))).ifPresent(ProcessHandle::destroyForcibly);
        }
    }
}
