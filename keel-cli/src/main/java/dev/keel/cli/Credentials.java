package dev.keel.cli;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The token {@code keel login} stored for later commands, and the server URL it was stored for: a file readable by its
 * owner only, by default {@code ~/.config/keel/credentials} ({@code $XDG_CONFIG_HOME/keel/credentials} when that is set,
 * or {@code --credentials}/{@code $KEEL_CREDENTIALS}).
 */
record Credentials(String token, Optional<String> url) {
    Credentials {
        if (token.isBlank() || token.chars().anyMatch(character -> character < 0x21 || character > 0x7e)) {
            throw new Main.UsageError("a token is printable ASCII without spaces; the one given has " + token.length() + " characters"
                    + " and is not");
        }
    }

    /** Where the file is: the option, else {@code KEEL_CREDENTIALS}, else under the XDG config directory or {@code ~/.config}. */
    static Path location(Optional<String> option, Map<String, String> environment) {
        if (option.isPresent()) {
            return Path.of(option.get());
        }
        String explicit = environment.get("KEEL_CREDENTIALS");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String xdg = environment.get("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return base.resolve("keel").resolve("credentials");
    }

    /** The stored credentials; empty when the file does not exist. */
    static Optional<Credentials> read(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the credentials in " + file, e);
        }
        String token = properties.getProperty("token", "");
        if (token.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(new Credentials(token, Optional.ofNullable(properties.getProperty("url")).filter(value -> !value.isBlank())));
    }

    /** Writes the file with mode 0600 (its directory 0700), replacing what was there in one step. */
    void write(Path file) {
        Path absolute = file.toAbsolutePath();
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        try {
            Path directory = absolute.getParent();
            if (!Files.isDirectory(directory)) {
                if (posix) {
                    Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } else {
                    Files.createDirectories(directory);
                }
            }
            Path staged = posix
                    ? Files.createTempFile(directory, ".credentials", ".tmp", PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rw-------")))
                    : Files.createTempFile(directory, ".credentials", ".tmp");
            StringBuilder text = new StringBuilder("# written by keel login; holds a bearer token: keep it private\n");
            text.append("token=").append(token).append('\n');
            url.ifPresent(value -> text.append("url=").append(value.replace("\\", "\\\\")).append('\n'));
            Files.writeString(staged, text, StandardCharsets.UTF_8);
            Files.move(staged, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the credentials to " + absolute, e);
        }
    }

    /** Removes the file; true when there was one. */
    static boolean delete(Path file) {
        try {
            return Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + file, e);
        }
    }
}
