package dev.keel.core.security;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Envelope encryption of stored objects (artifacts, dataset snapshots): each object gets a random AES-256 data key, its bytes
 * are sealed with AES-256-GCM in segments of {@value #SEGMENT_SIZE} bytes, and the data key is wrapped (AES key wrap, RFC
 * 3394) under a key-encryption key whose id is kept in the object's header. The format is described in docs/security.md.
 *
 * <p>Every segment is authenticated before any of its bytes are returned; its nonce holds the segment's index and whether it
 * is the last, so reordered, dropped, truncated or appended segments fail. Files without the header are read as they are
 * (objects written before encryption was turned on).
 */
public final class Envelope {
    /** Plaintext bytes per segment. */
    public static final int SEGMENT_SIZE = 64 * 1024;
    static final byte[] MAGIC = {(byte) 0x89, 'K', 'E', 'E', 'L', 'E', 'N', 'C'};
    static final byte VERSION = 1;
    /** How {@link #sealText} marks a sealed value. */
    public static final String TEXT_PREFIX = "keel-enc:";
    static final int TAG_BYTES = 16;
    static final int PREFIX_BYTES = 7;
    private static final int MAX_SEGMENT_SIZE = 1 << 24;
    private static final String WRAP = "AESWrap";
    private static final String SEAL = "AES/GCM/NoPadding";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final EncryptionKeys keys;

    public Envelope(EncryptionKeys keys) {
        this.keys = Objects.requireNonNull(keys, "keys");
    }

    /** No keys: new objects are stored in plaintext; encrypted ones fail to open, naming their key. */
    public static Envelope plaintext() {
        return new Envelope(EncryptionKeys.none());
    }

    /** True when new objects are encrypted. */
    public boolean encrypting() {
        return keys.active().isPresent();
    }

    public EncryptionKeys keys() {
        return keys;
    }

    /** What {@link #rewrap} did to one file. */
    public enum Rewrap {
        /** Its data key is now wrapped under the active key. */
        REWRAPPED,
        /** Its data key was wrapped under the active key already. */
        CURRENT,
        /** It is not encrypted (written before encryption was on); left as it is. */
        PLAINTEXT
    }

    /**
     * A stream that writes {@code out} as an encrypted object under the active key: the header at once, then a segment each
     * {@value #SEGMENT_SIZE} bytes, and the last segment on {@link OutputStream#close()}. When encryption is off the stream is
     * {@code out} itself.
     */
    public OutputStream writer(OutputStream out) {
        Objects.requireNonNull(out, "out");
        if (keys.active().isEmpty()) {
            return out;
        }
        String keyId = keys.active().get();
        byte[] dataKey = new byte[EncryptionKeys.KEY_BYTES];
        RANDOM.nextBytes(dataKey);
        byte[] prefix = new byte[PREFIX_BYTES];
        RANDOM.nextBytes(prefix);
        Header header = new Header(SEGMENT_SIZE, prefix, keyId, wrap(keyId, dataKey));
        try {
            out.write(header.encode());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the encryption header: " + e.getMessage(), e);
        }
        SecretKeySpec key = new SecretKeySpec(dataKey, "AES");
        Arrays.fill(dataKey, (byte) 0);
        return new SealingStream(out, key, header);
    }

    /**
     * The plaintext of {@code file}: decrypted when it carries the header, else its bytes as they are. Reading fails with
     * {@link ErrorCode#INTEGRITY_FAILURE} at the first segment that does not authenticate, before any of its bytes are
     * returned, and with {@link ErrorCode#UNAVAILABLE} when its key is not configured.
     *
     * @param label what the file is, for messages ({@code artifact 3fa4...})
     */
    public InputStream open(Path file, String label) throws IOException {
        return open(Files.newInputStream(file), label);
    }

    /** The plaintext of a stream, as {@link #open(Path, String)} reads a file. */
    public InputStream open(InputStream stream, String label) throws IOException {
        BufferedInputStream in = new BufferedInputStream(stream, SEGMENT_SIZE + TAG_BYTES + 1);
        try {
            in.mark(MAGIC.length);
            byte[] start = in.readNBytes(MAGIC.length);
            if (!Arrays.equals(start, MAGIC)) {
                in.reset();
                return in;
            }
            Header header = Header.read(new DataInputStream(in), label);
            byte[] dataKey = unwrap(header, label);
            SecretKeySpec key = new SecretKeySpec(dataKey, "AES");
            Arrays.fill(dataKey, (byte) 0);
            return new OpeningStream(new PushbackInputStream(in, 1), key, header, label);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /**
     * A short secret (a column value) in the same format, as text: {@value #TEXT_PREFIX} and the base64 of the encrypted
     * bytes; {@code plaintext} itself when encryption is off.
     */
    public String sealText(String plaintext) {
        if (!encrypting()) {
            return plaintext;
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (OutputStream out = writer(bytes)) {
            out.write(plaintext.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return TEXT_PREFIX + java.util.Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    /** True when {@code stored} was written by {@link #sealText}. */
    public static boolean isSealedText(String stored) {
        return stored.startsWith(TEXT_PREFIX);
    }

    /**
     * The plaintext of a value {@link #sealText} wrote, or {@code stored} itself when it is not sealed (written before
     * encryption was on).
     *
     * @throws KeelException INTEGRITY_FAILURE when it does not authenticate, UNAVAILABLE when its key is not configured
     */
    public String openText(String stored, String label) {
        if (!isSealedText(stored)) {
            return stored;
        }
        byte[] sealed;
        try {
            sealed = java.util.Base64.getDecoder().decode(stored.substring(TEXT_PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw damaged(label, "its sealed text is not base64");
        }
        if (sealed.length < MAGIC.length || !Arrays.equals(sealed, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw damaged(label, "its sealed text does not start with the encryption header");
        }
        try (InputStream in = open(new java.io.ByteArrayInputStream(sealed), label)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code stored} sealed again under the active key when it is sealed under another; empty when it is plaintext or under
     * the active key already. Short values are re-encrypted whole (a new data key), not re-wrapped.
     */
    public Optional<String> rewrapText(String stored, String label) {
        if (!isSealedText(stored)) {
            return Optional.empty();
        }
        String active = keys.active().orElseThrow(() -> new IllegalStateException("re-wrapping needs an active key"));
        String plaintext = openText(stored, label);
        byte[] sealed = java.util.Base64.getDecoder().decode(stored.substring(TEXT_PREFIX.length()));
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(sealed, MAGIC.length, sealed.length))) {
            if (Header.read(in, label).keyId().equals(active)) {
                return Optional.empty();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Optional.of(sealText(plaintext));
    }

    /** True when {@code file} starts with the encryption header's magic bytes. */
    public static boolean isEncrypted(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(MAGIC.length), MAGIC);
        }
    }

    /** The id of the key {@code file}'s data key is wrapped under; empty when it is not encrypted. */
    public static Optional<String> keyId(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            if (!Arrays.equals(in.readNBytes(MAGIC.length), MAGIC)) {
                return Optional.empty();
            }
            return Optional.of(Header.read(in, file.toString()).keyId());
        }
    }

    /**
     * Wraps {@code file}'s data key under the active key: a copy with the new header and the same sealed segments is written
     * in {@code temporaryDirectory} (on the same file system), flushed to disk and renamed over the file, so a reader sees
     * either the old or the new file, both complete. The segments are copied, not decrypted.
     *
     * @throws IllegalStateException when encryption is off
     * @throws KeelException UNAVAILABLE when the file's key is not configured, INTEGRITY_FAILURE when its header is damaged
     */
    public Rewrap rewrap(Path file, Path temporaryDirectory) throws IOException {
        if (keys.active().isEmpty()) {
            throw new IllegalStateException("re-wrapping needs an active key (security.encryption.active)");
        }
        String active = keys.active().get();
        Header header;
        long bodyOffset;
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            if (!Arrays.equals(in.readNBytes(MAGIC.length), MAGIC)) {
                return Rewrap.PLAINTEXT;
            }
            header = Header.read(in, file.toString());
            bodyOffset = header.encode().length;
        }
        if (header.keyId().equals(active)) {
            return Rewrap.CURRENT;
        }
        byte[] dataKey = unwrap(header, file.toString());
        Header rewrapped = new Header(header.segmentSize(), header.noncePrefix(), active, wrap(active, dataKey));
        Arrays.fill(dataKey, (byte) 0);
        Path temporary = temporaryDirectory.resolve(UUID.randomUUID() + ".rewrap");
        try {
            try (FileChannel source = FileChannel.open(file, StandardOpenOption.READ);
                 FileChannel target = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer head = ByteBuffer.wrap(rewrapped.encode());
                while (head.hasRemaining()) {
                    target.write(head);
                }
                long size = source.size();
                for (long position = bodyOffset; position < size; ) {
                    position += source.transferTo(position, size - position, target);
                }
                target.force(true);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return Rewrap.REWRAPPED;
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private byte[] wrap(String keyId, byte[] dataKey) {
        SecretKey keyEncryptionKey = keys.key(keyId).orElseThrow();
        try {
            Cipher cipher = Cipher.getInstance(WRAP);
            cipher.init(Cipher.WRAP_MODE, keyEncryptionKey);
            return cipher.wrap(new SecretKeySpec(dataKey, "AES"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES key wrap is not available: " + e, e);
        }
    }

    private byte[] unwrap(Header header, String label) {
        SecretKey keyEncryptionKey = keys.key(header.keyId()).orElseThrow(() -> new KeelException(ErrorCode.UNAVAILABLE, label
                + " is encrypted under key '" + header.keyId() + "', which is not among the configured keys " + keys.ids()
                + "; add it to security.encryption.keys to read the file"));
        try {
            Cipher cipher = Cipher.getInstance(WRAP);
            cipher.init(Cipher.UNWRAP_MODE, keyEncryptionKey);
            byte[] dataKey = cipher.unwrap(header.wrappedKey(), "AES", Cipher.SECRET_KEY).getEncoded();
            if (dataKey.length != EncryptionKeys.KEY_BYTES) {
                throw new java.security.InvalidKeyException("unwrapped " + dataKey.length + " bytes");
            }
            return dataKey;
        } catch (java.security.InvalidKeyException e) {
            throw new KeelException(ErrorCode.INTEGRITY_FAILURE, label + ": its data key does not unwrap under key '" + header.keyId()
                    + "' (the configured key material differs from the one it was written under, or the header was altered); it was"
                    + " not used", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES key wrap is not available: " + e, e);
        }
    }

    /** The 12-byte GCM nonce of a segment: the object's random prefix, the segment's index, and 1 for the last segment. */
    static byte[] nonce(byte[] prefix, int index, boolean last) {
        return ByteBuffer.allocate(PREFIX_BYTES + 5).put(prefix).putInt(index).put((byte) (last ? 1 : 0)).array();
    }

    /**
     * The header: magic, version, segment size, nonce prefix, key id and wrapped data key. Everything but the key id and the
     * wrapped key is authenticated with every segment, so re-wrapping rewrites the header alone.
     */
    record Header(int segmentSize, byte[] noncePrefix, String keyId, byte[] wrappedKey) {
        byte[] encode() {
            byte[] id = keyId.getBytes(StandardCharsets.US_ASCII);
            return ByteBuffer.allocate(MAGIC.length + 1 + 4 + PREFIX_BYTES + 1 + id.length + 1 + wrappedKey.length).put(MAGIC).put(VERSION)
                    .putInt(segmentSize).put(noncePrefix).put((byte) id.length).put(id).put((byte) wrappedKey.length).put(wrappedKey).array();
        }

        /** The bytes every segment authenticates, followed there by its index and last flag. */
        byte[] associatedData(int index, boolean last) {
            return ByteBuffer.allocate(MAGIC.length + 1 + 4 + PREFIX_BYTES + 5).put(MAGIC).put(VERSION).putInt(segmentSize).put(noncePrefix)
                    .putInt(index).put((byte) (last ? 1 : 0)).array();
        }

        /** Reads the header after the magic bytes. */
        static Header read(DataInputStream in, String label) throws IOException {
            try {
                int version = in.readUnsignedByte();
                if (version != VERSION) {
                    throw damaged(label, "its format version is " + version + "; this Keel reads version " + VERSION);
                }
                int segmentSize = in.readInt();
                if (segmentSize < 1 || segmentSize > MAX_SEGMENT_SIZE) {
                    throw damaged(label, "its segment size is " + segmentSize + "; expected 1 to " + MAX_SEGMENT_SIZE);
                }
                byte[] prefix = in.readNBytes(PREFIX_BYTES);
                byte[] id = in.readNBytes(in.readUnsignedByte());
                String keyId = new String(id, StandardCharsets.US_ASCII);
                try {
                    EncryptionKeys.requireId(keyId);
                } catch (KeelException e) {
                    throw damaged(label, "its key id is not a valid id");
                }
                int wrappedLength = in.readUnsignedByte();
                byte[] wrapped = in.readNBytes(wrappedLength);
                if (prefix.length != PREFIX_BYTES || wrapped.length != wrappedLength || wrappedLength == 0) {
                    throw new EOFException();
                }
                return new Header(segmentSize, prefix, keyId, wrapped);
            } catch (EOFException e) {
                throw damaged(label, "its encryption header is cut short");
            }
        }
    }

    static KeelException damaged(String label, String reason) {
        return new KeelException(ErrorCode.INTEGRITY_FAILURE, label + " is damaged or altered: " + reason + "; it was not used");
    }

    /** Seals the bytes written to it segment by segment. */
    private static final class SealingStream extends OutputStream {
        private final OutputStream out;
        private final SecretKey dataKey;
        private final Header header;
        private final Cipher cipher;
        private final byte[] buffer;
        private final byte[] sealed;
        private int filled;
        private int index;
        private boolean closed;

        SealingStream(OutputStream out, SecretKey dataKey, Header header) {
            this.out = out;
            this.dataKey = dataKey;
            this.header = header;
            this.buffer = new byte[header.segmentSize()];
            this.sealed = new byte[header.segmentSize() + TAG_BYTES];
            try {
                this.cipher = Cipher.getInstance(SEAL);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM is not available: " + e, e);
            }
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, bytes.length);
            if (closed) {
                throw new IOException("the encrypting stream is closed");
            }
            while (length > 0) {
                if (filled == buffer.length) {
                    seal(false);
                }
                int taken = Math.min(length, buffer.length - filled);
                System.arraycopy(bytes, offset, buffer, filled, taken);
                filled += taken;
                offset += taken;
                length -= taken;
            }
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                seal(true);
            } finally {
                Arrays.fill(buffer, (byte) 0);
                out.close();
            }
        }

        private void seal(boolean last) throws IOException {
            if (index == -1) {
                throw new IOException("an encrypted object holds at most 2^32 - 1 segments");
            }
            try {
                cipher.init(Cipher.ENCRYPT_MODE, dataKey, new GCMParameterSpec(TAG_BYTES * 8, nonce(header.noncePrefix(), index, last)));
                cipher.updateAAD(header.associatedData(index, last));
                int length = cipher.doFinal(buffer, 0, filled, sealed, 0);
                out.write(sealed, 0, length);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot seal segment " + index + ": " + e, e);
            }
            index++;
            filled = 0;
        }
    }

    /** Opens and authenticates the segments read from it, one at a time. */
    private static final class OpeningStream extends InputStream {
        private final PushbackInputStream in;
        private final SecretKey dataKey;
        private final Header header;
        private final String label;
        private final Cipher cipher;
        private final byte[] sealed;
        private final byte[] plain;
        private int position;
        private int limit;
        private int index;
        private boolean finished;

        OpeningStream(PushbackInputStream in, SecretKey dataKey, Header header, String label) {
            this.in = in;
            this.dataKey = dataKey;
            this.header = header;
            this.label = label;
            this.sealed = new byte[header.segmentSize() + TAG_BYTES];
            this.plain = new byte[header.segmentSize()];
            try {
                this.cipher = Cipher.getInstance(SEAL);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM is not available: " + e, e);
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, bytes.length);
            if (length == 0) {
                return 0;
            }
            while (position == limit) {
                if (finished) {
                    return -1;
                }
                next();
            }
            int taken = Math.min(length, limit - position);
            System.arraycopy(plain, position, bytes, offset, taken);
            position += taken;
            return taken;
        }

        private void next() throws IOException {
            int read = in.readNBytes(sealed, 0, sealed.length);
            if (read < TAG_BYTES) {
                throw damaged(label, "it ends inside segment " + index + " (truncated)");
            }
            boolean last = read < sealed.length;
            if (!last) {
                int following = in.read();
                if (following < 0) {
                    last = true;
                } else {
                    in.unread(following);
                }
            }
            try {
                cipher.init(Cipher.DECRYPT_MODE, dataKey, new GCMParameterSpec(TAG_BYTES * 8, nonce(header.noncePrefix(), index, last)));
                cipher.updateAAD(header.associatedData(index, last));
                limit = cipher.doFinal(sealed, 0, read, plain, 0);
            } catch (AEADBadTagException e) {
                throw new KeelException(ErrorCode.INTEGRITY_FAILURE, label + " is damaged or altered: segment " + index
                        + " fails its authentication tag (a changed byte, a cut, a reordered or added segment, or another data key);"
                        + " it was not used", e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot open segment " + index + " of " + label + ": " + e, e);
            }
            position = 0;
            index++;
            finished = last;
        }

        @Override
        public void close() throws IOException {
            Arrays.fill(plain, (byte) 0);
            in.close();
        }
    }
}
