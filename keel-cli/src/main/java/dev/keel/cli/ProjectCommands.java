package dev.keel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code keel project list|create}. */
@Command(name = "project", description = "Manage projects", subcommands = {ProjectCommands.ListProjects.class, ProjectCommands.Create.class})
final class ProjectCommands {
    @Command(name = "list", description = "List projects")
    static final class ListProjects implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Override
        public Integer call() {
            JsonNode answer = client.client().get("/v1/projects");
            client.print(answer, () -> {
                Output.table(System.out, answer.path("projects"), List.of(Output.Column.field("NAME", "name"),
                        Output.Column.field("DESCRIPTION", "description"), Output.Column.field("CREATED", "createdAt")));
            });
            return 0;
        }
    }

    @Command(name = "create", description = "Create a project")
    static final class Create implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", description = "Project name")
        String name;

        @Option(names = "--description", defaultValue = "", description = "Free text about the project")
        String description;

        @Override
        public Integer call() {
            client.client().post("/v1/projects", Map.of("name", name, "description", description));
            System.out.println("project " + name + " created");
            return 0;
        }
    }
}
