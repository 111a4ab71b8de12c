package dev.keel.core.security;

import dev.keel.spi.data.DatasetProfile;
import dev.keel.spi.data.TableData;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Masks the values of sensitive columns for a principal without {@link Permission#SENSITIVE_READ}: in rows, in records of feature
 * values, in dataset profiles and in text that would echo a value. Hashes are keyed (HMAC-SHA256) and scoped to the project, so
 * that one project's hashes cannot be matched against another's and a short list of candidate values cannot be hashed by a reader
 * to find the one behind a hash.
 */
public final class ColumnMasker {
    private static final String ALGORITHM = "HmacSHA256";
    private static final int HASH_HEX_DIGITS = 16;
    private final SecretKeySpec key;

    /**
     * @param key the masking key, at least 32 bytes; the same on every replica so that a value hashes alike everywhere
     */
    public ColumnMasker(byte[] key) {
        Objects.requireNonNull(key, "key");
        if (key.length < 32) {
            throw new IllegalArgumentException("a masking key has at least 32 bytes; got " + key.length);
        }
        this.key = new SecretKeySpec(key.clone(), ALGORITHM);
    }

    /** A masker whose key is derived from a server secret (the token pepper) under a label of its own, so that the two never coincide. */
    public static ColumnMasker derivedFrom(byte[] serverSecret) {
        Mac mac = mac(new SecretKeySpec(serverSecret.clone(), ALGORITHM));
        return new ColumnMasker(mac.doFinal("keel column masking v1".getBytes(StandardCharsets.UTF_8)));
    }

    /** The value as a principal without the permission sees it; null stays null. */
    public Object mask(String project, Masking masking, Object value) {
        if (value == null) {
            return null;
        }
        return switch (masking) {
            case HASH -> hash(project, value);
            case REDACT -> Masking.REDACTED;
            case NULL -> null;
        };
    }

    /** {@code h:} and 16 hex digits of the keyed hash of the value's text in the project. */
    public String hash(String project, Object value) {
        Mac mac = mac(key);
        mac.update(project.getBytes(StandardCharsets.UTF_8));
        mac.update((byte) 0);
        mac.update(String.valueOf(value).getBytes(StandardCharsets.UTF_8));
        return "h:" + HexFormat.of().formatHex(mac.doFinal()).substring(0, HASH_HEX_DIGITS);
    }

    /** The rows with every sensitive column's values masked; the column's type is {@code string} once masked, unless masked to null. */
    public TableData table(String project, TableData table, SensitiveColumns sensitive) {
        if (sensitive.isEmpty() || table.columns().stream().noneMatch(sensitive::contains)) {
            return table;
        }
        List<Optional<Masking>> masks = table.columns().stream().map(sensitive::masking).toList();
        List<String> types = new ArrayList<>(table.types());
        for (int column = 0; column < masks.size(); column++) {
            if (masks.get(column).isPresent() && masks.get(column).get() != Masking.NULL) {
                types.set(column, "string");
            }
        }
        List<Object[]> rows = new ArrayList<>(table.rows().size());
        for (Object[] row : table.rows()) {
            Object[] masked = row.clone();
            for (int column = 0; column < masked.length; column++) {
                if (masks.get(column).isPresent()) {
                    masked[column] = mask(project, masks.get(column).get(), masked[column]);
                }
            }
            rows.add(masked);
        }
        return new TableData(table.columns(), types, rows);
    }

    /** A record from column (or feature) to value with the sensitive ones masked, in the same order. */
    public Map<String, Object> record(String project, Map<String, Object> record, SensitiveColumns sensitive) {
        if (sensitive.isEmpty() || record.keySet().stream().noneMatch(sensitive::contains)) {
            return record;
        }
        Map<String, Object> masked = new java.util.LinkedHashMap<>();
        record.forEach((column, value) -> masked.put(column, sensitive.masking(column).map(masking -> mask(project, masking, value))
                .orElse(value)));
        return masked;
    }

    /**
     * The profile with every sensitive column's statistics that show values withheld: minimum, maximum, mean, quantiles and
     * histogram always (a hash has no order); its top values hashed for {@link Masking#HASH} and dropped otherwise. Counts of
     * values, nulls and distinct values stay: they say how complete a column is, not what it holds.
     */
    public DatasetProfile profile(String project, DatasetProfile profile, SensitiveColumns sensitive) {
        if (sensitive.isEmpty()) {
            return profile;
        }
        List<DatasetProfile.ColumnProfile> columns = new ArrayList<>(profile.columns().size());
        for (DatasetProfile.ColumnProfile column : profile.columns()) {
            Optional<Masking> masking = sensitive.masking(column.name());
            if (masking.isEmpty()) {
                columns.add(column);
                continue;
            }
            List<DatasetProfile.ValueCount> top = masking.get() != Masking.HASH ? List.of() : column.topValues().stream()
                    .map(value -> new DatasetProfile.ValueCount(hash(project, value.value()), value.count())).toList();
            columns.add(new DatasetProfile.ColumnProfile(column.name(), column.type(), column.count(), column.nulls(), column.distinct(),
                    column.approximate(), column.distinctError(), Optional.empty(), Optional.empty(), Optional.empty(), List.of(),
                    List.of(), top));
        }
        return new DatasetProfile(profile.rows(), columns);
    }

    private static Mac mac(SecretKeySpec key) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException("the masking key is not usable for " + ALGORITHM, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is not available in this JDK", e);
        }
    }
}
