package dev.keel.core.monitor;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.keel.core.json.Json;
import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A map held as its JSON text, read only if someone looks inside. The prediction log writes a row's outputs as JSON, so a
 * producer that can write that text directly hands it over this way and no map is built, copied or serialized per row.
 */
final class JsonText extends AbstractMap<String, Object> {
    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {
    };

    private final String json;
    private Map<String, Object> parsed;

    JsonText(String json) {
        this.json = Objects.requireNonNull(json, "json");
    }

    String json() {
        return json;
    }

    private Map<String, Object> parsed() {
        if (parsed == null) {
            parsed = Collections.unmodifiableMap(Json.read(json, MAP));
        }
        return parsed;
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        return parsed().entrySet();
    }

    @Override
    public Object get(Object key) {
        return parsed().get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        return parsed().containsKey(key);
    }

    @Override
    public int size() {
        return parsed().size();
    }
}
