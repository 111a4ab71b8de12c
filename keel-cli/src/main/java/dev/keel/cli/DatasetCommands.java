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

/** {@code keel dataset list|show|profile|diff|explain}. */
@Command(name = "dataset", description = "Versioned dataset snapshots: list, show, profile, diff, explain",
        subcommands = {DatasetCommands.ListDatasets.class, DatasetCommands.Show.class, DatasetCommands.Profile.class,
            DatasetCommands.Diff.class, DatasetCommands.Explain.class})
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

    @Command(name = "explain", description = "Why a record of a golden-record dataset is in its cluster: the golden record with"
            + " the record behind each value, its links with each comparison's level and weight, and (--with) a pair")
    static final class Explain implements Callable<Integer> {
        /** Members listed in the first line; the JSON answer has up to 100. */
        static final int MEMBERS_SHOWN = 10;
        private static final java.util.Set<String> GOLDEN_COLUMNS = java.util.Set.of("golden_id", "record_count", "source_count",
                "sources", "provenance");

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", description = "Dataset name (the output of a linkage step)")
        String name;

        @Parameters(index = "1", description = "Record id, as the dataset's cluster table has it (for example faa:LAX)")
        String record;

        @Option(names = "--with", description = "Another record: show their pair, or why they were never compared")
        String with;

        @Option(names = "--version", description = "Version number of the dataset (default: latest)")
        Integer version;

        @Option(names = "--json", description = "Print the server's answer as JSON (as -o json does)")
        boolean json;

        @Override
        public Integer call() {
            Map<String, Optional<String>> query = new java.util.LinkedHashMap<>();
            query.put("record", Optional.of(record));
            query.put("with", Optional.ofNullable(with));
            query.put("version", Optional.ofNullable(version).map(String::valueOf));
            JsonNode answer = client.client().get("/v1/datasets/" + KeelClient.encode(name) + "/explain" + KeelClient.query(query));
            if (json) {
                Output.json(System.out, answer);
                return 0;
            }
            client.print(answer, () -> print(answer, System.out));
            return 0;
        }

        static void print(JsonNode answer, java.io.PrintStream out) {
            JsonNode members = answer.path("members");
            List<String> shown = new java.util.ArrayList<>();
            members.forEach(member -> {
                if (shown.size() < MEMBERS_SHOWN) {
                    shown.add(member.asText());
                }
            });
            String count = members.size() + (answer.path("members_truncated").asBoolean() ? "+" : "") + " record"
                    + (members.size() == 1 ? "" : "s");
            out.println("record " + answer.path("record").asText() + "  cluster " + Output.text(answer.path("cluster_id"))
                    + "  golden " + Output.text(answer.path("golden_id")) + " (" + count + ": " + String.join(", ", shown)
                    + (members.size() > shown.size() ? ", …" : "") + ")");
            JsonNode golden = answer.path("golden");
            JsonNode provenance = golden.path("provenance");
            List<String> values = new java.util.ArrayList<>();
            golden.properties().forEach(column -> {
                if (!GOLDEN_COLUMNS.contains(column.getKey())) {
                    String from = provenance.path(column.getKey()).isTextual() ? " (from " + provenance.path(column.getKey()).asText() + ")" : "";
                    values.add(column.getKey() + " " + value(column.getValue()) + from);
                }
            });
            out.println("golden record " + Output.text(answer.path("golden_id")) + ": " + (values.isEmpty() ? "not found"
                    : String.join(", ", values)));
            out.println(answer.path("links").isEmpty() ? "links: none above the link floor" : "links:");
            answer.path("links").forEach(link -> printLink(link.path("other").asText(), link, "  ", out));
            if (answer.path("links_truncated").asBoolean()) {
                out.println("  … (the strongest " + answer.path("links").size() + " shown)");
            }
            JsonNode pair = answer.path("pair");
            if (pair.isMissingNode()) {
                return;
            }
            String cluster = pair.path("same_cluster").asBoolean() ? "same cluster" : "other cluster";
            if (pair.path("compared").asBoolean()) {
                out.println("pair with " + pair.path("with").asText() + " (" + cluster + "):");
                printLink(pair.path("with").asText(), pair, "  ", out);
            } else {
                out.println("pair with " + pair.path("with").asText() + " (" + cluster + "): never scored above the link floor");
                out.println("  " + pair.path("reason").asText());
            }
        }

        private static void printLink(String other, JsonNode link, String indent, java.io.PrintStream out) {
            out.println(indent + other + "  " + link.path("decision").asText() + "  p=" + probability(link.path("probability"))
                    + " weight " + number(link.path("match_weight"), "%.1f") + "  rule " + Output.text(link.path("rule")));
            link.path("comparisons").properties().forEach(comparison -> out.println(indent + "  " + comparison.getKey() + "  "
                    + Output.text(comparison.getValue().path("level")) + "  " + number(comparison.getValue().path("weight"), "%+.1f")));
        }

        private static String number(JsonNode node, String format) {
            return node.isNumber() ? String.format(java.util.Locale.ROOT, format, node.asDouble()) : Output.text(node);
        }

        /** Up to six decimals, so that a probability just below 1 does not read as 1. */
        private static String probability(JsonNode node) {
            return node.isNumber() && Double.isFinite(node.asDouble()) ? new java.math.BigDecimal(node.asDouble())
                    .setScale(6, java.math.RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString() : Output.text(node);
        }

        private static String value(JsonNode node) {
            return node.isTextual() ? "'" + node.asText() + "'" : node.isNull() ? "null" : Output.text(node);
        }
    }
}
