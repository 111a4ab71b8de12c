package dev.keel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code keel token create|list|revoke}. */
@Command(name = "token", description = "Manage API tokens", subcommands = {TokenCommands.Create.class, TokenCommands.ListTokens.class,
    TokenCommands.Revoke.class})
final class TokenCommands {
    @Command(name = "create", description = "Create a token; prints its secret once")
    static final class Create implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", description = "Token name")
        String name;

        @Option(names = "--grant", required = true, description = "PROJECT=ROLE (role: viewer, consumer, scientist, steward, operator, admin; project * = all)")
        List<String> grants;

        @Option(names = "--expires-in", description = "Lifetime such as 12h or 90d")
        String expiresIn;

        @Override
        public Integer call() {
            Map<String, String> grantMap = new LinkedHashMap<>();
            for (String grant : grants) {
                int equals = grant.indexOf('=');
                if (equals <= 0) {
                    throw new Main.UsageError("--grant must look like PROJECT=ROLE, got '" + grant + "'");
                }
                grantMap.put(grant.substring(0, equals), grant.substring(equals + 1));
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("grants", grantMap);
            if (expiresIn != null) {
                body.put("expiresIn", expiresIn);
            }
            JsonNode created = client.client().post("/v1/tokens", body);
            client.print(created, () -> {
                System.out.println("token " + created.path("id").asText() + " (" + name + ") created; its secret is shown only now:");
                System.out.println(created.path("secret").asText());
            });
            return 0;
        }
    }

    @Command(name = "list", description = "List tokens")
    static final class ListTokens implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Override
        public Integer call() {
            JsonNode answer = client.client().get("/v1/tokens");
            client.print(answer, () -> {
                Output.table(System.out, answer.path("tokens"), List.of(Output.Column.field("ID", "id"), Output.Column.field("NAME", "name"),
                        Output.Column.field("STATE", "state"), Output.Column.field("GRANTS", "grants"), Output.Column.field("EXPIRES", "expiresAt"),
                        Output.Column.field("CREATED", "createdAt")));
            });
            return 0;
        }
    }

    @Command(name = "revoke", description = "Revoke a token")
    static final class Revoke implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", description = "Token id (tk_...)")
        String id;

        @Override
        public Integer call() {
            JsonNode revoked = client.client().delete("/v1/tokens/" + KeelClient.encode(id));
            System.out.println("token " + revoked.path("id").asText() + " is " + revoked.path("state").asText());
            return 0;
        }
    }
}
