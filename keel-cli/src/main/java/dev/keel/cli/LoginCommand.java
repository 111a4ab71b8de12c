package dev.keel.cli;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code keel login --token <token>} or {@code keel login --device}: stores a token for the commands that follow. */
@Command(name = "login", description = {"Store a token for later commands: the one given with --token (an API token or a JWT of the"
    + " identity provider), or one from the identity provider's device login (--device).",
    "The token goes to the credentials file (mode 0600), which commands read when neither --token nor $KEEL_TOKEN is given."})
final class LoginCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Option(names = "--device", description = "Sign in at the identity provider in a browser (OAuth 2.0 device authorization grant)")
    boolean device;

    @Option(names = "--issuer", paramLabel = "URL", description = "The identity provider's issuer (default: $KEEL_OIDC_ISSUER)")
    String issuer;

    @Option(names = "--client-id", paramLabel = "ID", description = "Keel's client id at the identity provider (default: $KEEL_OIDC_CLIENT_ID)")
    String clientId;

    @Option(names = "--scope", paramLabel = "SCOPES", defaultValue = "openid profile", description = "Scopes to ask for (default: ${DEFAULT-VALUE})")
    String scope;

    @Option(names = "--audience", paramLabel = "AUDIENCE", description = "An audience to ask the provider for, for providers that need one")
    String audience;

    @Override
    public Integer call() {
        Optional<String> given = client.givenToken();
        if (device == given.isPresent()) {
            throw new Main.UsageError("keel login needs either --token <token> or --device, not " + (device ? "both" : "neither"));
        }
        String token;
        if (device) {
            String issuerUrl = Optional.ofNullable(issuer).or(() -> Optional.ofNullable(System.getenv("KEEL_OIDC_ISSUER")))
                    .orElseThrow(() -> new Main.UsageError("keel login --device needs --issuer <url> or $KEEL_OIDC_ISSUER"));
            String id = Optional.ofNullable(clientId).or(() -> Optional.ofNullable(System.getenv("KEEL_OIDC_CLIENT_ID")))
                    .orElseThrow(() -> new Main.UsageError("keel login --device needs --client-id <id> or $KEEL_OIDC_CLIENT_ID"));
            URI issuerUri = DeviceLogin.url(issuerUrl, "--issuer");
            token = new DeviceLogin(Thread::sleep, Clock.systemUTC(), System.out).login(issuerUri, id, scope, Optional.ofNullable(audience));
        } else {
            token = given.orElseThrow();
        }
        Path file = client.credentialsFile();
        new Credentials(token, client.givenUrl()).write(file);
        System.out.println("logged in; the token is stored in " + file.toAbsolutePath() + " for later commands");
        return 0;
    }
}
