package dev.keel.engine.duckdb.quality;

import dev.keel.core.data.PipelineSpecParser;
import dev.keel.engine.duckdb.DuckDbEngine;
import dev.keel.spi.data.AccessPolicy;
import dev.keel.spi.data.DataEngineException;
import dev.keel.spi.data.EngineResult;
import dev.keel.spi.data.ExecutionContext;
import dev.keel.spi.data.LinkageReport;
import dev.keel.spi.data.PipelinePlan;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;

/** Runs one case's pipeline spec as a run would: parsed by keel-core's parser, executed by the DuckDB engine. */
final class LinkageRun {
    private LinkageRun() {
    }

    /** What one run gave: the engine's result and its wall time in process. */
    record Outcome(EngineResult result, long millis) {
        LinkageReport report() {
            return result.linkage().getFirst();
        }

        /** The stage time of the linkage step, as the run records it. */
        long stepMillis() {
            String step = report().step();
            return result.stages().stream().filter(stage -> stage.name().equals(step)).findFirst().orElseThrow().millis();
        }
    }

    /** Parses {@code spec} and runs it on the DuckDB engine; its sources resolve against the spec's directory. */
    static Outcome run(Path spec, Path staging) {
        try {
            PipelinePlan plan = new PipelineSpecParser().parseOrThrow(Files.readString(spec)).plan();
            Path base = spec.toAbsolutePath().getParent();
            Files.createDirectories(staging);
            ExecutionContext context = new ExecutionContext("quality-" + plan.pipeline(), base, staging, Instant.now(), reference -> {
                throw new IllegalStateException("the benchmark's specs hold no credentials, got a reference " + reference);
            }, AccessPolicy.confinedTo(base));
            long start = System.nanoTime();
            EngineResult result = new DuckDbEngine().execute(plan, context);
            return new Outcome(result, (System.nanoTime() - start) / 1_000_000);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One Markdown row: case, records, candidate pairs, links, clusters, pairwise P/R/F1, B-cubed P/R/F1. */
    static String row(String name, LinkageReport report) {
        LinkageReport.Evaluation e = report.evaluation().orElseThrow();
        return String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %d | %d | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f |", name,
                report.records(), report.candidatePairs(), report.links(), report.clusters(), e.truePairs(), e.predictedPairs(),
                e.pairwisePrecision(), e.pairwiseRecall(), e.pairwiseF1(), e.bcubedPrecision(), e.bcubedRecall(), e.bcubedF1());
    }

    static final String HEADER = "| case | records | candidate pairs | links | clusters | true pairs | predicted pairs | pairwise P"
            + " | pairwise R | pairwise F1 | B-cubed P | B-cubed R | B-cubed F1 |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|";

    /** The model as trained: lambda, iterations, and m, u and weight of every level. */
    static String model(LinkageReport report) {
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "model: lambda=%.6f training=%s iterations=%d converged=%s u-pairs=%d%n",
                report.model().lambda(), report.model().training(), report.model().iterations(), report.model().converged(),
                report.model().uPairs()));
        for (LinkageReport.ComparisonParameters comparison : report.model().comparisons()) {
            text.append("  ").append(comparison.comparison()).append(':');
            comparison.levels().forEach(level -> text.append(String.format(Locale.ROOT, " [%s m=%.4f u=%.6f w=%.2f]", level.label(),
                    level.m(), level.u(), level.weight())));
            text.append('\n');
        }
        report.rules().forEach(rule -> text.append(String.format(Locale.ROOT, "  rule %s generated=%d compared=%d%n", rule.rule(),
                rule.generated(), rule.compared())));
        return text.toString();
    }

    /**
     * Runs the spec {@code args[0]} with staging under {@code args[1]} and prints the linkage report, the step's time and a
     * summary line; exits 3 when the engine refuses the spec (for example above max-comparisons), printing why.
     */
    public static void main(String[] args) {
        Path spec = Path.of(args[0]);
        try {
            Outcome outcome = run(spec, Path.of(args[1]));
            LinkageReport report = outcome.report();
            outcome.result().stages().forEach(stage -> System.err.println("stage " + stage.name() + " " + stage.millis() + " ms"));
            System.out.println(HEADER);
            System.out.println(row(spec.getFileName().toString(), report));
            System.out.print(model(report));
            System.out.printf(Locale.ROOT, "keel spec=%s records=%d candidate_pairs=%d links=%d clusters=%d step_ms=%d run_ms=%d"
                    + " records_per_second=%.0f%n", spec.getFileName(), report.records(), report.candidatePairs(), report.links(),
                    report.clusters(), outcome.stepMillis(), outcome.millis(), report.records() * 1000.0 / Math.max(1, outcome.stepMillis()));
        } catch (DataEngineException e) {
            System.out.println("refused " + e.kind() + " at " + e.path() + ": " + e.getMessage());
            System.exit(3);
        }
    }
}
