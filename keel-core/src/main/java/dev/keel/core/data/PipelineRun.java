package dev.keel.core.data;

import dev.keel.spi.data.EngineResult;
import dev.keel.spi.data.LinkageReport;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One run of a pipeline: status, timings, row accounting per stage and in total, expectation outcomes and the dataset
 * versions it published.
 *
 * @param datasets published versions as {@code name@version}
 * @param unchanged the latest versions, as {@code name@version}, that an output of the run equalled byte for byte (same
 *                  SHA-256); no new version was made for them
 * @param error why the run failed, or why a succeeded run published nothing (its pipeline's publishing is stopped); empty otherwise
 * @param linkage one report per probabilistic dedupe or match-merge step that ran, in spec order
 */
public record PipelineRun(String id, String pipeline, int specVersion, Trigger trigger, RunStatus status, Instant startedAt,
                          Optional<Instant> finishedAt, int attempts, RowAccounting accounting,
                          List<EngineResult.StageResult> stages, List<EngineResult.ExpectationResult> expectations,
                          List<String> datasets, List<String> unchanged, Optional<String> error, List<LinkageReport> linkage) {
    public PipelineRun {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(trigger, "trigger");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
        Objects.requireNonNull(accounting, "accounting");
        stages = List.copyOf(stages);
        expectations = List.copyOf(expectations);
        datasets = List.copyOf(datasets);
        unchanged = List.copyOf(unchanged);
        Objects.requireNonNull(error, "error");
        linkage = List.copyOf(linkage);
    }

    /** A run without linkage reports. */
    public PipelineRun(String id, String pipeline, int specVersion, Trigger trigger, RunStatus status, Instant startedAt,
                       Optional<Instant> finishedAt, int attempts, RowAccounting accounting, List<EngineResult.StageResult> stages,
                       List<EngineResult.ExpectationResult> expectations, List<String> datasets, List<String> unchanged,
                       Optional<String> error) {
        this(id, pipeline, specVersion, trigger, status, startedAt, finishedAt, attempts, accounting, stages, expectations, datasets,
                unchanged, error, List.of());
    }

    /** A run that has just started. */
    static PipelineRun started(String id, PipelineVersion version, Trigger trigger, Instant now) {
        return new PipelineRun(id, version.pipeline(), version.version(), trigger, RunStatus.RUNNING, now, Optional.empty(), 0,
                RowAccounting.empty(), List.of(), List.of(), List.of(), List.of(), Optional.empty());
    }

    /** How long the run took, once finished. */
    public Optional<Duration> duration() {
        return finishedAt.map(end -> Duration.between(startedAt, end));
    }

    PipelineRun withAttempts(int count) {
        return new PipelineRun(id, pipeline, specVersion, trigger, status, startedAt, finishedAt, count, accounting, stages,
                expectations, datasets, unchanged, error, linkage);
    }

    PipelineRun finish(RunStatus outcome, Instant now, RowAccounting books, List<EngineResult.StageResult> stageResults,
                       List<EngineResult.ExpectationResult> outcomes, List<String> published, Optional<String> failure) {
        return new PipelineRun(id, pipeline, specVersion, trigger, outcome, startedAt, Optional.of(now), attempts, books,
                stageResults, outcomes, published, List.of(), failure, linkage);
    }

    /** The run with the versions its outputs equalled instead of adding a version. */
    PipelineRun withUnchanged(List<String> equalled) {
        return new PipelineRun(id, pipeline, specVersion, trigger, status, startedAt, finishedAt, attempts, accounting, stages,
                expectations, datasets, equalled, error, linkage);
    }

    /** The run with the reports of its linkage steps. */
    PipelineRun withLinkage(List<LinkageReport> reports) {
        return new PipelineRun(id, pipeline, specVersion, trigger, status, startedAt, finishedAt, attempts, accounting, stages,
                expectations, datasets, unchanged, error, reports);
    }
}
