package dev.keel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code keel drift report}. */
@Command(name = "drift", description = "Drift of logged inputs against a model version's reference", subcommands = DriftCommands.Report.class)
final class DriftCommands {
    @Command(name = "report", description = "Per-feature drift between --from and --to (Evidently's default statistics)")
    static final class Report implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Option(names = "--model", required = true, description = "Registered model whose logged inputs are compared with its reference")
        String model;

        @Option(names = "--from", description = "ISO-8601 instant or epoch ms (default: a day before --to)")
        String from;

        @Option(names = "--to", description = "ISO-8601 instant or epoch ms (default: now)")
        String to;

        @Option(names = "--version", description = "model version (default: the one that served most predictions)")
        Integer version;

        @Override
        public Integer call() {
            JsonNode report = client.client().get("/v1/models/" + KeelClient.encode(model) + "/drift" + KeelClient.query(Map.of(
                    "from", Optional.ofNullable(from), "to", Optional.ofNullable(to), "version", Optional.ofNullable(version).map(String::valueOf))));
            if (client.json()) {
                Output.json(System.out, report);
                return 0;
            }
            print(report);
            return 0;
        }
    }

    static void print(JsonNode report) {
        System.out.println("model " + report.path("model").asText() + " version " + report.path("version").asInt() + ", "
                + report.path("from").asText() + " to " + report.path("to").asText() + ": " + report.path("currentRows").asLong()
                + " logged predictions against " + report.path("referenceRows").asLong() + " reference rows");
        Output.table(System.out, report.path("columns"), List.of(Output.Column.field("FEATURE", "feature"), Output.Column.field("STATISTIC", "statistic"),
                new Output.Column("VALUE", node -> MonitorCommands.number(node.path("value"))),
                new Output.Column("P-VALUE", node -> MonitorCommands.number(node.path("pValue"))),
                new Output.Column("THRESHOLD", node -> MonitorCommands.number(node.path("threshold"))),
                new Output.Column("DRIFT", node -> node.path("drifted").asBoolean() ? "DRIFT" : "ok"),
                new Output.Column("EXACT", node -> node.path("exact").asBoolean(true) ? "exact"
                        : "+-" + (node.path("maxError").isNumber() ? MonitorCommands.number(node.path("maxError")) : node.path("maxError").asText()))));
        System.out.println("dataset drift: " + (report.path("datasetDrift").asBoolean() ? "YES" : "no") + " (" + report.path("driftedColumns").asInt()
                + " of " + report.path("columns").size() + " features drifted; threshold share " + report.path("driftShareThreshold").asDouble() + ")");
    }
}
