package dev.keel.cli;

import java.util.Optional;
import picocli.CommandLine.Option;

/** Where the server is and how to authenticate: {@code --url}/{@code KEEL_URL}, {@code --token}/{@code KEEL_TOKEN}. */
final class ClientOptions {
    @Option(names = "--url", description = "Keel server URL (default: $KEEL_URL or http://localhost:8080)")
    String url;

    @Option(names = "--token", description = "API token (default: $KEEL_TOKEN)")
    String token;

    @Option(names = {"-o", "--output"}, description = "table or json (default: table)", defaultValue = "table")
    String output;

    KeelClient client() {
        String base = url != null ? url : Optional.ofNullable(System.getenv("KEEL_URL")).orElse("http://localhost:8080");
        return new KeelClient(base, Optional.ofNullable(token != null ? token : System.getenv("KEEL_TOKEN")));
    }

    boolean json() {
        return "json".equalsIgnoreCase(output);
    }
}
