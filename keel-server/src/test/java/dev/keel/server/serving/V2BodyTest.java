package dev.keel.server.serving;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.json.Json;
import dev.keel.spi.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The streamed reading of common v2 requests gives exactly what the general path gives, and leaves everything else to it. */
class V2BodyTest {
    private static V2Body.Request fast(String body) {
        return V2Body.read(Bodies.factory(), body.getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, Tensor> general(String body) throws Exception {
        JsonNode tree = Json.MAPPER.copy().enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS.mappedFeature())
                .readTree(body);
        return V2Routes.inputs(tree.get("inputs"));
    }

    @Test
    void commonRequests_readAsTheGeneralPathReadsThem() throws Exception {
        String[] bodies = {
            "{\"inputs\":[{\"name\":\"features\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[0.1,48,-3.5e2]}]}",
            "{\"id\":\"r-1\",\"inputs\":[{\"name\":\"features\",\"shape\":[2,2],\"datatype\":\"FP32\",\"data\":[1,2,3,4.000000001]}]}",
            "{\"inputs\":[{\"data\":[0.30000000000000004,1e-300],\"datatype\":\"FP64\",\"shape\":[2],\"name\":\"x\"},"
                + "{\"name\":\"y\",\"shape\":[1,1],\"datatype\":\"FP32\",\"data\":[16777217]}]}",
            "{\"inputs\":[{\"name\":\"empty\",\"shape\":[0,63],\"datatype\":\"FP32\",\"data\":[]}]}",
        };
        for (String body : bodies) {
            V2Body.Request request = fast(body);
            assertThat(request).as(body).isNotNull();
            assertThat(request.inputs()).as(body).isEqualTo(general(body));
        }
        assertThat(fast(bodies[1]).id()).contains("r-1");
        assertThat(fast(bodies[0]).id()).isEmpty();
    }

    @Test
    void anythingElse_isLeftToTheGeneralPath() {
        String[] bodies = {
            "",
            "[]",
            "{\"inputs\":[]}",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[2],\"datatype\":\"FP32\",\"data\":[[1],[2]]}]}",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[2],\"datatype\":\"FP32\",\"data\":[1,\"2\"]}]}",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[3],\"datatype\":\"FP32\",\"data\":[1,2]}]}",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[NaN]}]}",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1e39]}]}",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"INT64\",\"data\":[1]}]}",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[-1],\"datatype\":\"FP32\",\"data\":[1]}]}",
            "{\"inputs\":[{\"name\":\"\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}]}",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]},"
                + "{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[2]}]}",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1],\"parameters\":{\"binary_data_size\":4}}]}",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}],\"outputs\":[{\"name\":\"label\"}]}",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}],\"parameters\":{\"key\":\"k\"}}",
            "{\"id\":7,\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}]}",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}]} trailing",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}",
        };
        for (String body : bodies) {
            assertThat(fast(body)).as(body).isNull();
        }
    }
}
