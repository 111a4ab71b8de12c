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
        return V2Body.read(body.getBytes(StandardCharsets.UTF_8));
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
            " \n{ \"inputs\" :\t[ { \"name\" : \"x\" , \"shape\" : [ 2 ] , \"datatype\" : \"FP64\" , \"data\" : [ 1 , 2 ] } ] }\r\n",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[14],\"datatype\":\"FP64\",\"data\":[1E5,-0,-0.0,0.000001,1e-5,0.1e1,"
                + "123456789012345678901234567890,9007199254740993,1.7976931348623157e308,4.9e-324,2.2250738585072011e-308,"
                + "12345678.9,-7.25E+2,1e22]}]}",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[4],\"datatype\":\"FP32\",\"data\":[3.4028234e38,1.4e-45,0.1,16777216.5]}]}",
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
    void numbersInEveryNotation_areReadAsTheGeneralPathReadsThem() throws Exception {
        java.util.Random random = new java.util.Random(20261126);
        int count = 20_000;
        StringBuilder data = new StringBuilder();
        StringBuilder floatData = new StringBuilder();
        for (int i = 0; i < count; i++) {
            double value = switch (i % 5) {
                case 0 -> random.nextGaussian() * Math.pow(10, random.nextInt(40) - 20);
                case 1 -> random.nextInt(100_000) / Math.pow(10, random.nextInt(8));
                case 2 -> Double.longBitsToDouble(random.nextLong() & 0x7FEFFFFFFFFFFFFFL);
                case 3 -> (float) (random.nextDouble() * 1e6);
                default -> random.nextLong() / 1e3;
            };
            String text = switch (i % 3) {
                case 0 -> Double.toString(value);
                case 1 -> String.format(java.util.Locale.ROOT, "%." + random.nextInt(20) + "e", value);
                default -> new java.math.BigDecimal(value).round(new java.math.MathContext(1 + random.nextInt(25))).toPlainString();
            };
            data.append(i == 0 ? "" : ",").append(text);
            floatData.append(i == 0 ? "" : ",").append(Math.abs(value) < 1e38 ? text : "1e38");
        }
        String doubles = "{\"inputs\":[{\"name\":\"x\",\"shape\":[" + count + "],\"datatype\":\"FP64\",\"data\":[" + data + "]}]}";
        String floats = "{\"inputs\":[{\"name\":\"x\",\"shape\":[" + count + "],\"datatype\":\"FP32\",\"data\":[" + floatData + "]}]}";
        for (String body : new String[] {doubles, floats}) {
            V2Body.Request request = fast(body);
            assertThat(request).isNotNull();
            assertThat(request.inputs()).isEqualTo(general(body));
        }
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
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[01]}]}",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1.]}]}",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[.5]}]}",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[+1]}]}",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1e]}]}",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1,]}]}",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[2],\"datatype\":\"FP32\",\"data\":[1 2]}]}",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1x]}]}",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1.0],\"datatype\":\"FP32\",\"data\":[1]}]}",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[],\"datatype\":\"FP32\",\"data\":[]}]}",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1e400]}]}",
            "{\"inputs\":[{\"name\":\"n\\u0061me\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}]}",
            "{\"inputs\":[{\"name\":\"caf\u00e9\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}]}",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]},]}",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}],}",
            "{}",
        };
        for (String body : bodies) {
            assertThat(fast(body)).as(body).isNull();
        }
    }
}
