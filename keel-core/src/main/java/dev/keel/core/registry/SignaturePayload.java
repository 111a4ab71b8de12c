package dev.keel.core.registry;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The bytes a model version's signature is made over: the RFC 8785 (JSON Canonicalization Scheme) form of one JSON object
 * that names the version and fixes its artifact, format, feature schema, claimed metrics and lineage. Documented field by
 * field in {@code docs/security.md}, so that a tool outside Keel can rebuild it and sign it.
 */
public final class SignaturePayload {
    /** The value of the payload's {@code type} field; a later layout gets a new one. */
    public static final String TYPE = "keel.model-version.v1";

    private SignaturePayload() {
    }

    /** The canonical payload of the version, UTF-8. */
    public static byte[] of(ModelVersion version) {
        return canonical(tree(version)).getBytes(StandardCharsets.UTF_8);
    }

    /** The payload as a tree of maps, lists, strings, numbers, booleans and nulls, before canonicalization. */
    static Map<String, Object> tree(ModelVersion version) {
        Map<String, Object> artifact = new LinkedHashMap<>();
        artifact.put("sha256", version.artifact().sha256());
        artifact.put("size", version.artifact().size());
        List<Object> features = new ArrayList<>();
        for (FeatureSpec feature : version.features()) {
            Map<String, Object> spec = new LinkedHashMap<>();
            spec.put("name", feature.name());
            spec.put("type", feature.type());
            spec.put("min", feature.min().orElse(null));
            spec.put("max", feature.max().orElse(null));
            spec.put("allowed", feature.allowed());
            spec.put("sensitive", feature.sensitive());
            features.add(spec);
        }
        Lineage lineage = version.lineage();
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("datasetSha256", lineage.datasetSha256().orElse(null));
        provenance.put("datasetUri", lineage.datasetUri().orElse(null));
        provenance.put("codeVersion", lineage.codeVersion().orElse(null));
        provenance.put("runId", lineage.runId().orElse(null));
        provenance.put("parameters", lineage.parameters());
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("type", TYPE);
        payload.put("project", version.project());
        payload.put("model", version.model());
        payload.put("version", version.version());
        payload.put("format", version.format());
        payload.put("artifact", artifact);
        payload.put("features", features);
        payload.put("metrics", version.metrics());
        payload.put("lineage", provenance);
        return payload;
    }

    /** RFC 8785: members sorted by the UTF-16 code units of their names, no whitespace, ECMAScript number form, minimal escapes. */
    static String canonical(Object value) {
        StringBuilder out = new StringBuilder(512);
        write(out, value);
        return out.toString();
    }

    private static void write(StringBuilder out, Object value) {
        switch (value) {
            case null -> out.append("null");
            case String text -> string(out, text);
            case Boolean flag -> out.append(flag);
            case Integer number -> out.append(number.intValue());
            case Long number -> number(out, number.doubleValue(), number);
            case Double number -> number(out, number, null);
            case Map<?, ?> map -> {
                TreeMap<String, Object> sorted = new TreeMap<>();
                map.forEach((key, member) -> sorted.put(key.toString(), member));
                out.append('{');
                boolean first = true;
                for (Map.Entry<String, Object> entry : sorted.entrySet()) {
                    out.append(first ? "" : ",");
                    first = false;
                    string(out, entry.getKey());
                    out.append(':');
                    write(out, entry.getValue());
                }
                out.append('}');
            }
            case List<?> list -> {
                out.append('[');
                for (int i = 0; i < list.size(); i++) {
                    out.append(i == 0 ? "" : ",");
                    write(out, list.get(i));
                }
                out.append(']');
            }
            default -> throw new IllegalArgumentException("no canonical JSON form for " + value.getClass().getSimpleName());
        }
    }

    /** A long is written exactly while a double holds it exactly (artifact sizes always are); else as the double. */
    private static void number(StringBuilder out, double value, Long exact) {
        if (exact != null && Math.abs(exact) <= (1L << 53)) {
            out.append(exact.longValue());
            return;
        }
        out.append(ecmaScript(value));
    }

    /**
     * The ECMAScript {@code Number.prototype.toString} form of a finite double (RFC 8785 section 3.2.2.3): the shortest digits
     * that round-trip (from {@link Double#toString}, which since JDK 19 finds them too but keeps two where one would do), laid
     * out plainly for exponents from -6 to 20 and as {@code d.ddde+x} beyond.
     */
    static String ecmaScript(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("a signed payload holds finite numbers only, got " + value);
        }
        if (value == 0) {
            return "0";
        }
        BigDecimal decimal = new BigDecimal(Double.toString(Math.abs(value))).stripTrailingZeros();
        if (decimal.precision() == 2) {
            // Java renders at least two digits where one would do (Double.MIN_VALUE is 4.9E-324); ECMAScript takes the one
            BigDecimal one = decimal.round(new java.math.MathContext(1, java.math.RoundingMode.HALF_EVEN));
            if (Double.parseDouble(one.toString()) == Math.abs(value)) {
                decimal = one.stripTrailingZeros();
            }
        }
        String digits = decimal.unscaledValue().toString();
        int k = digits.length();
        int n = k - decimal.scale(); // the value is 0.digits * 10^n
        StringBuilder out = new StringBuilder(value < 0 ? "-" : "");
        if (k <= n && n <= 21) {
            out.append(digits).append("0".repeat(n - k));
        } else if (0 < n && n <= 21) {
            out.append(digits, 0, n).append('.').append(digits, n, k);
        } else if (-6 < n && n <= 0) {
            out.append("0.").append("0".repeat(-n)).append(digits);
        } else {
            int exponent = n - 1;
            out.append(digits.charAt(0));
            if (k > 1) {
                out.append('.').append(digits, 1, k);
            }
            out.append('e').append(exponent < 0 ? "-" : "+").append(Math.abs(exponent));
        }
        return out.toString();
    }

    private static void string(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
