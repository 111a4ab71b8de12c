package dev.keel.server.serving;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.json.Json;
import dev.keel.server.Call;
import java.io.IOException;

/**
 * Reads prediction bodies: JSON that may hold NaN and Infinity, so that such values are named as bad fields, not as bad JSON.
 * Numbers are read with Jackson's fast (and still correctly rounded) floating-point parser: a body is mostly numbers.
 */
final class Bodies {
    private static final ObjectMapper LENIENT = Json.MAPPER.copy().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS.mappedFeature())
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER.mappedFeature());

    private Bodies() {
    }

    static JsonNode read(Call call) {
        byte[] bytes = call.body();
        if (bytes.length == 0) {
            throw new KeelException(ErrorCode.INVALID_JSON, "the request needs a JSON body");
        }
        JsonNode body;
        try {
            body = LENIENT.readTree(bytes);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new KeelException(ErrorCode.INVALID_JSON, "the body is not valid JSON: " + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        } catch (IOException e) {
            throw new KeelException(ErrorCode.INVALID_JSON, "the body could not be read: " + e.getMessage());
        }
        if (body == null || !body.isObject()) {
            throw new KeelException(ErrorCode.INVALID_JSON, "the body must be a JSON object");
        }
        return body;
    }
}
