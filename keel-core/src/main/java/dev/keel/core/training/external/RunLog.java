package dev.keel.core.training.external;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The output of one run, read from the program's stdout and stderr on their own threads: each line goes to the caller's
 * consumer until {@code limitBytes} have been passed on, then one truncation line; the last {@link #TAIL_CHARS}
 * characters are kept for failure reports whatever the limit. Everything is read to the end, so a chatty program never
 * blocks on a full pipe.
 *
 * <p>Lines are the program's bytes decoded as UTF-8 (malformed bytes replaced), control characters other than tab replaced
 * by {@code U+FFFD}, and cut at {@link #MAX_LINE_CHARS} characters.
 */
final class RunLog {
    static final String TRUNCATED = "... log truncated";
    static final int TAIL_CHARS = 4096;
    static final int MAX_LINE_CHARS = 8192;
    private static final int MAX_LINE_BYTES = MAX_LINE_CHARS * 4;

    private final Consumer<String> consumer;
    private final long limitBytes;
    private final Deque<String> tail = new ArrayDeque<>();
    private int tailChars;
    private long passedOnBytes;
    private boolean truncated;
    private boolean consumerFailed;

    RunLog(Consumer<String> consumer, long limitBytes) {
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.limitBytes = limitBytes;
    }

    /** Reads {@code stream} to its end, passing each line on with {@code prefix}; returns when the stream closes. */
    void drain(InputStream stream, String prefix) {
        byte[] line = new byte[MAX_LINE_BYTES];
        int length = 0;
        boolean cut = false;
        byte[] buffer = new byte[8192];
        try (stream) {
            int read;
            while ((read = stream.read(buffer)) >= 0) {
                for (int i = 0; i < read; i++) {
                    byte b = buffer[i];
                    if (b == '\n') {
                        add(prefix, line, length, cut);
                        length = 0;
                        cut = false;
                    } else if (length < line.length) {
                        line[length++] = b;
                    } else {
                        cut = true;
                    }
                }
            }
        } catch (IOException ignored) {
            // the stream was closed under us after the run ended: what was read is kept
        }
        if (length > 0 || cut) {
            add(prefix, line, length, cut);
        }
    }

    private void add(String prefix, byte[] bytes, int length, boolean cut) {
        int end = length;
        if (end > 0 && bytes[end - 1] == '\r') {
            end--;
        }
        String text = clean(new String(bytes, 0, end, StandardCharsets.UTF_8), cut);
        String entry = prefix + text;
        synchronized (this) {
            remember(entry);
            if (truncated) {
                return;
            }
            long size = entry.getBytes(StandardCharsets.UTF_8).length + 1L;
            if (passedOnBytes + size > limitBytes) {
                truncated = true;
                passOn(TRUNCATED);
                return;
            }
            passedOnBytes += size;
            passOn(entry);
        }
    }

    private static String clean(String text, boolean cut) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_LINE_CHARS) + 4);
        for (int i = 0; i < text.length() && out.length() < MAX_LINE_CHARS; i++) {
            char c = text.charAt(i);
            out.append(c < 0x20 && c != '\t' || c == 0x7f ? '\uFFFD' : c);
        }
        if (cut || out.length() < text.length()) {
            out.append(" [line cut]");
        }
        return out.toString();
    }

    private void remember(String entry) {
        String kept = entry.length() > TAIL_CHARS ? entry.substring(entry.length() - TAIL_CHARS) : entry;
        tail.addLast(kept);
        tailChars += kept.length() + 1;
        while (tailChars > TAIL_CHARS && tail.size() > 1) {
            tailChars -= tail.removeFirst().length() + 1;
        }
    }

    private void passOn(String entry) {
        if (consumerFailed) {
            return;
        }
        try {
            consumer.accept(entry);
        } catch (RuntimeException e) {
            // a failing consumer loses the rest of the log; the run goes on and the tail is still kept
            consumerFailed = true;
        }
    }

    /** The last lines read, joined with newlines. */
    synchronized String tail() {
        return String.join("\n", tail);
    }
}
