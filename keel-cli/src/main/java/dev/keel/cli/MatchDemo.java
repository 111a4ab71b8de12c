package dev.keel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The entity-resolution part of the demo: Alaska's airports as the FAA lists them and as a second register writes them (its own
 * codes, capitals, abbreviations, rounded coordinates, some airports missing) are matched by a probabilistic linkage step with
 * the documented defaults only, merged into golden records whose every field names the record it came from, and one link is
 * explained field by field, beside a pair of the same town that was not linked.
 */
final class MatchDemo {
    static final String PIPELINE = "alaska-airports";
    static final String DATASET = "alaska-airports";
    /** Ketchikan International in the FAA's list; the register writes it "KETCHIKAN INTL" under a code of its own. */
    static final String RECORD = "faa:KTN";
    /** Murphys Pullout seaplane base, in Ketchikan too, about 2.5 km away: a different airport; its register record is compared. */
    static final String NEIGHBOUR = "faa:8K9";

    private final KeelClient api;
    private final PrintStream out;
    private int step;

    private MatchDemo(KeelClient api, PrintStream out) {
        this.api = api;
        this.out = out;
    }

    /** Runs the steps with the pipeline spec at {@code spec}. */
    static void run(KeelClient api, PrintStream out, Path spec) throws IOException {
        new MatchDemo(api, out).steps(spec);
    }

    /** Commands worth trying after the demo. */
    static java.util.List<String> hints() {
        return java.util.List.of("./keel dataset explain " + DATASET + " " + RECORD + " --with " + NEIGHBOUR,
                "./keel dataset show " + DATASET + "-links");
    }

    private void step(String title) {
        out.println();
        out.println("[match " + ++step + "] " + title);
    }

    private void ok(String message) {
        out.println("    ok: " + message);
    }

    private void steps(Path spec) throws IOException {
        step("Data collection with entity resolution: Alaska's airports from the FAA and from a register that writes them its own"
                + " way, matched by probabilistic linkage (documented defaults only) and merged into golden records");
        api.post("/v1/pipelines", Map.of("spec", Files.readString(spec)));
        JsonNode run = PipelineCommands.await(api, api.post("/v1/pipelines/" + PIPELINE + "/runs?wait=120", Map.of()), line -> { });
        if (!run.path("status").asText().equals("SUCCEEDED")) {
            throw new IllegalStateException("the pipeline run ended " + run.path("status").asText() + ": " + run.path("error").asText());
        }
        JsonNode books = run.path("accounting");
        ok("run succeeded: " + books.path("rowsIn").asLong() + " rows in = " + books.path("rowsOut").asLong() + " out + "
                + books.path("merged").asLong() + " merged + " + books.path("filtered").asLong() + " filtered");
        JsonNode report = run.path("linkage").path(0);
        if (report.isMissingNode()) {
            throw new IllegalStateException("the run wrote no linkage report");
        }
        PipelineCommands.printLinkage(report, out);
        run.path("datasets").forEach(dataset -> out.println("    published " + dataset.asText()));

        step("A golden record and the record behind each of its fields, and why " + RECORD + " was linked");
        // The register's record of the other Ketchikan airport, as the linkage step placed it.
        String neighbour = NEIGHBOUR;
        for (JsonNode member : api.get("/v1/datasets/" + DATASET + "/explain?record=" + KeelClient.encode(NEIGHBOUR)).path("members")) {
            if (member.asText().startsWith("register:")) {
                neighbour = member.asText();
            }
        }
        JsonNode explained = api.get("/v1/datasets/" + DATASET + "/explain?record=" + KeelClient.encode(RECORD) + "&with="
                + KeelClient.encode(neighbour));
        if (explained.path("links").isEmpty()) {
            throw new IllegalStateException(RECORD + " has no link: the register's record of Ketchikan International was not matched");
        }
        DatasetCommands.Explain.print(explained, indented());
        JsonNode pair = explained.path("pair");
        if (pair.path("same_cluster").asBoolean()) {
            throw new IllegalStateException(RECORD + " and " + NEIGHBOUR + " are different airports but ended in one cluster");
        }
        ok(RECORD + " and " + neighbour + " (the register's " + NEIGHBOUR + ", Murphys Pullout seaplane base, also in Ketchikan) stay"
                + " apart: the town agrees but the names do not, and the town alone is not enough");
    }

    private PrintStream indented() {
        return new PrintStream(new java.io.FilterOutputStream(out) {
            private boolean lineStart = true;

            @Override
            public void write(int b) throws IOException {
                if (lineStart) {
                    out.write("    ".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
                out.write(b);
                lineStart = b == '\n';
            }
        }, true, java.nio.charset.StandardCharsets.UTF_8);
    }
}
