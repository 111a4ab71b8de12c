package dev.keel.core.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.UncheckedIOException;

/** The one configured JSON mapper of Keel, and shortcuts for storing values as JSON text. */
public final class Json {
    private static final String HEX = "0123456789ABCDEF";
    /** The deepest nesting of arrays and objects read. */
    public static final int MAX_NESTING_DEPTH = 200;
    /** The most characters of one number read. */
    public static final int MAX_NUMBER_LENGTH = 400;
    /** The most characters of one string read. */
    public static final int MAX_STRING_LENGTH = 8 << 20;
    /**
     * What any JSON Keel reads may hold: documents nested deeper, numbers longer or strings longer fail while parsing, before
     * anything large is built.
     */
    public static final StreamReadConstraints READ_LIMITS = StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH)
            .maxNumberLength(MAX_NUMBER_LENGTH).maxStringLength(MAX_STRING_LENGTH).build();
    /**
     * Shared, thread-safe mapper: ISO-8601 times, unknown properties rejected. Its parsers and generators take their
     * buffers from one shared pool: the default pool keeps them per thread, and every request has a virtual thread of its
     * own, so each would allocate fresh buffers. Its read limits ({@link #READ_LIMITS}) hold for every body Keel reads.
     */
    public static final ObjectMapper MAPPER = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            .recyclerPool(com.fasterxml.jackson.core.util.JsonRecyclerPools.sharedConcurrentDequePool())
            .streamReadConstraints(READ_LIMITS).build())
            .registerModule(new JavaTimeModule())
            .registerModule(new com.fasterxml.jackson.datatype.jdk8.Jdk8Module())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(com.fasterxml.jackson.core.StreamReadFeature.USE_FAST_DOUBLE_PARSER.mappedFeature());

    private Json() {
    }

    /**
     * Appends {@code text} as a JSON string, escaped as Jackson's generator escapes it: quotes, backslashes, control
     * characters (the two-character escapes where JSON has one, else a six-character escape with upper-case hex digits),
     * and each half of a surrogate pair as a six-character escape; other characters as they are.
     */
    public static void appendString(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || Character.isSurrogate(c)) {
                        out.append("\\u").append(HEX.charAt(c >> 12 & 0xF)).append(HEX.charAt(c >> 8 & 0xF))
                                .append(HEX.charAt(c >> 4 & 0xF)).append(HEX.charAt(c & 0xF));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /**
     * Says why JSON could not be read, in the caller's terms: the limit that was exceeded, or the syntax error and where it
     * is (when the parser knows). Never a Java type name.
     */
    public static String describeFailure(JsonProcessingException failure) {
        if (failure instanceof StreamConstraintsException) {
            String message = String.valueOf(failure.getOriginalMessage());
            if (message.contains("nesting depth")) {
                return "it is nested deeper than " + MAX_NESTING_DEPTH + " levels of arrays and objects (the limit)";
            }
            if (message.contains("Number value length")) {
                return "a number is longer than " + MAX_NUMBER_LENGTH + " characters (the limit)";
            }
            if (message.contains("String value length")) {
                return "a string is longer than " + MAX_STRING_LENGTH + " characters (the limit)";
            }
            return "it exceeds a JSON read limit";
        }
        String message = String.valueOf(failure.getOriginalMessage()).lines().findFirst().orElse("");
        var location = failure.getLocation();
        if (location == null || location.getLineNr() < 0) {
            return message;
        }
        return message + " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static <T> T read(String text, Class<T> type) {
        try {
            return MAPPER.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static <T> T read(String text, TypeReference<T> type) {
        try {
            return MAPPER.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
