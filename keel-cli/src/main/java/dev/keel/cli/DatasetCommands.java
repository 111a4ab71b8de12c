package dev.keel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code keel dataset list|show|profile|diff}. */
@Command(name = "dataset", description = "Versioned dataset snapshots: list, show, profile, diff",
        subcommands = {DatasetCommands.ListDatasets.class, DatasetCommands.Show.class, DatasetCommands.Profile.class,
            DatasetCommands.Diff.class})
final class DatasetCommands {
    private DatasetCommands() {
    }

    @Command(name = "list", description = "List datasets (latest versions)")
    static final class ListDatasets implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Override
        public Integer call() {
            JsonNode answer = client.client().get("/v1/datasets");
            client.print(answer, () -> {
                Output.table(System.out, answer.path("datasets"), List.of(Output.Column.field("DATASET", "dataset"),
                        Output.Column.field("PROJECT", "project"), Output.Column.field("VERSION", "version"), Output.Column.field("ROWS", "rows"),
                        Output.Column.field("COLUMNS", "columns"), Output.Column.field("PIPELINE", "pipeline"),
                        Output.Column.field("CREATED", "createdAt")));
            });
            return 0;
        }
    }

    @Command(name = "show", description = "A dataset version with its file, lineage and schema")
    static final class Show implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", description = "Dataset name")
        String name;

        @Option(names = "--version", defaultValue = "latest", description = "Version number (default: latest)")
        String version;

        @Override
        public Integer call() {
            JsonNode answer = client.client().get("/v1/datasets/" + KeelClient.encode(name) + "/versions/" + KeelClient.encode(version));
            client.print(answer, () -> {
                System.out.println(answer.path("dataset").asText() + "@" + answer.path("version").asInt() + ": "
                        + answer.path("rows").asLong() + " rows, sha256 " + answer.path("sha256").asText());
                System.out.println("  from pipeline " + answer.path("pipeline").asText() + " v" + answer.path("specVersion").asInt()
                        + " in project " + answer.path("project").asText() + ", run " + answer.path("runId").asText());
                answer.path("sourceFingerprints").properties().forEach(source -> System.out.println("  source "
                        + source.getKey() + " " + source.getValue().asText()));
                Output.table(System.out, answer.path("profile").path("columns"), List.of(Output.Column.field("COLUMN", "name"),
                        Output.Column.field("TYPE", "type")));
            });
            return 0;
        }
    }

    @Command(name = "profile", description = "Per-column profile: count, nulls, distinct (~ when estimated), min/max, mean, quantiles")
    static final class Profile implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", description = "Dataset name")
        String name;

        @Option(names = "--version", defaultValue = "latest", description = "Version number (default: latest)")
        String version;

        @Override
        public Integer call() {
            JsonNode answer = client.client().get("/v1/datasets/" + KeelClient.encode(name) + "/versions/" + KeelClient.encode(version)
                    + "/profile");
            client.print(answer, () -> {
                System.out.println(answer.path("rows").asLong() + " rows");
                Output.table(System.out, answer.path("columns"), List.of(Output.Column.field("COLUMN", "name"),
                        Output.Column.field("TYPE", "type"), Output.Column.field("COUNT", "count"), Output.Column.field("NULLS", "nulls"),
                        new Output.Column("DISTINCT", column -> (column.path("approximate").asBoolean() ? "~" : "")
                                + Output.text(column.path("distinct"))), Output.Column.field("MIN", "min"), Output.Column.field("MAX", "max"),
                        Output.Column.field("MEAN", "mean"), new Output.Column("MEDIAN", column -> column.path("quantiles").size() > 3
                                ? Output.text(column.path("quantiles").get(3)) : "-")));
            });
            return 0;
        }
    }

    @Command(name = "diff", description = "Schema and profile changes between two versions (default: the last two)")
    static final class Diff implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", description = "Dataset name")
        String name;

        @Option(names = "--from", description = "Older version")
        Integer from;

        @Option(names = "--to", description = "Newer version")
        Integer to;

        @Override
        public Integer call() {
            JsonNode answer = client.client().get("/v1/datasets/" + KeelClient.encode(name) + "/diff" + KeelClient.query(Map.of(
                    "from", Optional.ofNullable(from).map(String::valueOf), "to", Optional.ofNullable(to).map(String::valueOf))));
            client.print(answer, () -> {
                System.out.println(name + " v" + answer.path("fromVersion").asInt() + " -> v" + answer.path("toVersion").asInt() + ": rows "
                        + answer.path("rowsFrom").asLong() + " -> " + answer.path("rowsTo").asLong());
                answer.path("addedColumns").forEach(column -> System.out.println("  + column " + column.asText()));
                answer.path("removedColumns").forEach(column -> System.out.println("  - column " + column.asText()));
                answer.path("typeChanges").forEach(change -> System.out.println("  ~ column " + change.path("column").asText() + ": "
                        + change.path("from").asText() + " -> " + change.path("to").asText()));
                Output.table(System.out, answer.path("changes"), List.of(Output.Column.field("COLUMN", "column"),
                        Output.Column.field("STATISTIC", "statistic"), Output.Column.field("FROM", "from"), Output.Column.field("TO", "to")));
            });
            return 0;
        }
    }
}
