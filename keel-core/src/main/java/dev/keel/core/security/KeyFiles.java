package dev.keel.core.security;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;

/**
 * Secret key material kept outside the metadata store: read from a configured value or a key file, and created (random,
 * readable by the owner only) when neither exists yet.
 */
public final class KeyFiles {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private KeyFiles() {
    }

    /**
     * The key of {@code setting}: decoded from {@code value} (hex or base64) when given, else read from {@code file}, else a
     * new random key of {@code length} bytes written to {@code file} when {@code mayCreate}.
     *
     * @param setting the configuration key, named in every error
     * @throws KeelException INVALID_CONFIG when the key is shorter than {@code length} bytes or the file cannot be read,
     *     or UNAVAILABLE when it is missing and may not be created
     */
    public static byte[] load(String setting, Optional<String> value, Path file, int length, boolean mayCreate) {
        if (value.isPresent()) {
            return requireLength(setting, decode(setting, value.get().trim()), length, "the value");
        }
        if (Files.exists(file)) {
            try {
                return requireLength(setting, decode(setting, Files.readString(file, StandardCharsets.US_ASCII).trim()), length,
                        "key file '" + file + "'");
            } catch (IOException e) {
                throw new KeelException(ErrorCode.INVALID_CONFIG, "cannot read key file '" + file + "' (" + setting + "): " + e, e);
            }
        }
        if (!mayCreate) {
            throw new KeelException(ErrorCode.INVALID_CONFIG, "key file '" + file + "' (" + setting + ") does not exist, and a new key"
                    + " would not match what is stored already; restore the file from a backup or set " + setting);
        }
        byte[] key = new byte[length];
        RANDOM.nextBytes(key);
        writeOwnerOnly(file, HexFormat.of().formatHex(key) + "\n");
        return load(setting, value, file, length, false);
    }

    /** Writes a new file readable and writable by its owner only; an existing file is kept (the first writer wins). */
    public static void writeOwnerOnly(Path file, String content) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path staged = Files.createTempFile(parent, ".key-", ".tmp");
            try {
                restrict(staged);
                Files.writeString(staged, content, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.SYNC);
                Files.move(staged, file);
            } catch (FileAlreadyExistsException e) {
                // another process created it first: keep theirs
            } finally {
                Files.deleteIfExists(staged);
            }
        } catch (IOException e) {
            throw new KeelException(ErrorCode.INVALID_CONFIG, "cannot write key file '" + file + "': " + e, e);
        }
    }

    private static void restrict(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, OWNER_ONLY);
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the directory's access rules apply
        }
    }

    /**
     * Key material of exactly {@code length} bytes, decoded from hex or base64 {@code text}; errors name {@code setting} and
     * {@code where} but never the text.
     *
     * @throws KeelException INVALID_CONFIG when the text is not hex or base64 or does not decode to {@code length} bytes
     */
    public static byte[] decodeExact(String setting, String text, int length, String where) {
        byte[] key = decode(setting, text.trim());
        if (key.length != length) {
            throw new KeelException(ErrorCode.INVALID_CONFIG, setting + ": " + where + " holds " + key.length + " bytes of key; exactly "
                    + length + " are required (e.g. openssl rand -hex " + length + ")");
        }
        return key;
    }

    private static byte[] decode(String setting, String text) {
        if (text.matches("(?i)[0-9a-f]+") && text.length() % 2 == 0) {
            return HexFormat.of().parseHex(text);
        }
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new KeelException(ErrorCode.INVALID_CONFIG, setting + " must be hex or base64 key material");
        }
    }

    private static byte[] requireLength(String setting, byte[] key, int length, String where) {
        if (key.length < length) {
            throw new KeelException(ErrorCode.INVALID_CONFIG, setting + ": " + where + " holds " + key.length + " bytes of key; at least "
                    + length + " are required (e.g. openssl rand -hex " + length + ")");
        }
        return key;
    }
}
