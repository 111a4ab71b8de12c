package dev.keel.core.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;

/** JSON text for the nested values the JDBC repositories store (stages, expectation outcomes, profiles). */
final class DataJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new Jdk8Module())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private DataJson() {
    }

    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new KeelException(ErrorCode.INTERNAL, "cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    static <T> T read(String json, TypeReference<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new KeelException(ErrorCode.INTERNAL, "stored JSON does not read as " + type.getType() + ": " + e.getOriginalMessage(),
                    e);
        }
    }
}
