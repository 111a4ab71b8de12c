package dev.keel.server.serving;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.keel.core.testing.ParsedOrRefused;
import dev.keel.server.Call;
import java.util.Optional;

/** Fuzzes the body of {@code POST /v1/endpoints}: an endpoint's configuration, or a 4xx refusal naming the field. */
class EndpointBodyFuzzTest {
    @FuzzTest(maxDuration = "20s")
    void endpoint(byte[] input) throws Exception {
        ParsedOrRefused.check(() -> Call.bind(Call.jsonObject(input), EndpointBody.class).toConfig(Optional.empty()));
    }
}
