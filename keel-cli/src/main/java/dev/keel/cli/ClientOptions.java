package dev.keel.cli;

import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Where the server is and how to authenticate: {@code --url}/{@code KEEL_URL}, {@code --token}/{@code KEEL_TOKEN}, and how
 * to print ({@code -o table|json}). The options are declared once on {@code keel} and inherited by every subcommand, so
 * they may come before or after the subcommand; this mixin reads them for the command it is mixed into.
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
        String base = root.url != null ? root.url : Optional.ofNullable(System.getenv("KEEL_URL")).orElse("http://localhost:8080");
        return new KeelClient(base, Optional.ofNullable(root.token != null ? root.token : System.getenv("KEEL_TOKEN")));
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
