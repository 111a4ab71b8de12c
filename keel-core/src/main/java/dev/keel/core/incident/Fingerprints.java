package dev.keel.core.incident;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Groups failures the way Sentry groups events: by what failed and why, not by the ids, numbers, paths and times that make
 * every occurrence's message different. The fingerprint is 16 hex digits of SHA-256 over the component, the object kind, the
 * signal kind and the normalised message; which object failed is kept apart (an incident lists every object involved), so
 * one cause that breaks two pipelines is one incident.
 */
public final class Fingerprints {
    private static final Pattern TIMESTAMP = Pattern.compile(
            "\\d{4}-\\d{2}-\\d{2}([T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:?\\d{2})?)?");
    private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern URL = Pattern.compile("[a-zA-Z][a-zA-Z0-9+.-]*://[^\\s'\"),;]+");
    private static final Pattern PATH = Pattern.compile("(?<![\\w.])(?:[A-Za-z]:)?(?:[/\\\\][\\w.@%+~-]+){2,}[/\\\\]?");
    private static final Pattern QUOTED = Pattern.compile("'[^']{0,200}'|\"[^\"]{0,200}\"|`[^`]{0,200}`");
    private static final Pattern HEX = Pattern.compile("\\b(?=[0-9a-fA-F]*\\d)[0-9a-fA-F]{8,}\\b");
    private static final Pattern ID = Pattern.compile("\\b[a-zA-Z]+[-_](?=[\\w-]*\\d)[\\w-]{4,}\\b");
    private static final Pattern NUMBER = Pattern.compile("(?<![A-Za-z_0-9])[-+]?\\d+(?:[.,]\\d+)*(?:[eE][-+]?\\d+)?");
    private static final Pattern SPACE = Pattern.compile("\\s+");
    /** Normalised messages are cut here: what follows is detail, not cause. */
    static final int MAX_CAUSE = 300;

    private Fingerprints() {
    }

    /**
     * The message with what varies between occurrences replaced: URLs by {@code <url>}, paths by {@code <path>}, timestamps
     * by {@code <time>}, UUIDs by {@code <uuid>}, quoted values by {@code <value>}, ids like {@code run-3f2a} by
     * {@code <id>}, long hex strings by {@code <hex>} and numbers by {@code <n>}; whitespace collapsed, lower case, at most 300 characters.
     */
    public static String normalise(String message) {
        String text = message.length() > Signal.MAX_MESSAGE ? message.substring(0, Signal.MAX_MESSAGE) : message;
        text = URL.matcher(text).replaceAll("<url>");
        text = PATH.matcher(text).replaceAll("<path>");
        text = TIMESTAMP.matcher(text).replaceAll("<time>");
        text = UUID.matcher(text).replaceAll("<uuid>");
        text = QUOTED.matcher(text).replaceAll("<value>");
        text = ID.matcher(text).replaceAll("<id>");
        text = HEX.matcher(text).replaceAll("<hex>");
        text = NUMBER.matcher(text).replaceAll("<n>");
        text = SPACE.matcher(text).replaceAll(" ").strip().toLowerCase(java.util.Locale.ROOT);
        return text.length() > MAX_CAUSE ? text.substring(0, MAX_CAUSE) : text;
    }

    /**
     * The message with every digit of a free-standing number (a run of digits not preceded by a letter, digit or
     * underscore: what {@link #normalise} turns into {@code <n>} or folds into a longer token) replaced by {@code #}, one for
     * one. Messages equal after masking normalise equally, since normalising looks at where digits are, never at their
     * values; the incident sink counts them under one key without normalising each. Answers the message itself when there
     * is nothing to mask.
     */
    static String maskNumbers(String message) {
        StringBuilder masked = null;
        boolean inRun = false;
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            boolean digit = c >= '0' && c <= '9';
            if (digit && !inRun) {
                char before = i == 0 ? ' ' : message.charAt(i - 1);
                inRun = !(Character.isLetterOrDigit(before) || before == '_');
            } else if (!digit) {
                inRun = false;
            }
            if (digit && inRun) {
                if (masked == null) {
                    masked = new StringBuilder(message.length()).append(message, 0, i);
                }
                masked.append('#');
            } else if (masked != null) {
                masked.append(c);
            }
        }
        return masked == null ? message : masked.toString();
    }

    /** The fingerprint of a signal: component, object kind, kind and normalised message. */
    public static String of(Signal signal) {
        return of(signal.component(), signal.objectKind(), signal.kind(), normalise(signal.message()));
    }

    /** The fingerprint of the given parts, for a policy that groups by its own choice of fields. */
    public static String of(String... parts) {
        StringBuilder identity = new StringBuilder();
        for (String part : parts) {
            identity.append(part).append('\u00ff');
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(identity.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
