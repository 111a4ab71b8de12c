package dev.keel.cli;

import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Where the server is and how to authenticate: {@code --url}/{@code KEEL_URL}, {@code --token}/{@code KEEL_TOKEN} (else
 * what {@code keel login} stored in the credentials file), and how to print ({@code -o table|json}). The options are
 * declared once on {@code keel} and inherited by every subcommand, so they may come before or after the subcommand; this
 * mixin reads them for the command it is mixed into.
 */
@Command
final class ClientOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    private Main root() {
        return (Main) mixee.root().userObject();
    }

    KeelClient client() {
        Main root = root();
        Optional<String> url = Optional.ofNullable(root.url).or(() -> Optional.ofNullable(System.getenv("KEEL_URL")));
        Optional<String> token = Optional.ofNullable(root.token).or(() -> Optional.ofNullable(System.getenv("KEEL_TOKEN")))
                .filter(value -> !value.isBlank());
        Optional<Credentials> stored = url.isPresent() && token.isPresent() ? Optional.empty() : Credentials.read(credentialsFile());
        return new KeelClient(url.or(() -> stored.flatMap(Credentials::url)).orElse("http://localhost:8080"),
                token.or(() -> stored.map(Credentials::token)));
    }

    /** The file {@code keel login} writes and every command reads a token from when none is given. */
    Path credentialsFile() {
        return Credentials.location(Optional.ofNullable(root().credentials), System.getenv());
    }

    /** The {@code --token} given on the command line, if any. */
    Optional<String> givenToken() {
        return Optional.ofNullable(root().token);
    }

    /** The {@code --url} given on the command line, if any. */
    Optional<String> givenUrl() {
        return Optional.ofNullable(root().url);
    }

    boolean json() {
        return "json".equalsIgnoreCase(root().output);
    }

    /** Prints the answer as JSON with {@code -o json}, else as {@code human} prints it. */
    void print(com.fasterxml.jackson.databind.JsonNode answer, Runnable human) {
        if (json()) {
            Output.json(System.out, answer);
        } else {
            human.run();
        }
    }
}
