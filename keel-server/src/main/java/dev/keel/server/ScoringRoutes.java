package dev.keel.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.batch.BatchRun;
import dev.keel.core.batch.BatchScoring;
import dev.keel.core.batch.ScoringJob;
import dev.keel.core.batch.ScoringJobSpec;
import dev.keel.core.batch.ScoringJobSpecParser;
import dev.keel.core.batch.ScoringRun;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.security.Permission;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Batch scoring over HTTP: scoring jobs (applied as YAML or JSON specs), their runs (started with 202, listed, shown with their
 * progress, cancelled and resumed). Every job and run is checked in its project; jobs take the pipelines' permissions (reading
 * PIPELINE_READ, applying and deleting PIPELINE_WRITE, starting, cancelling and resuming runs PIPELINE_RUN), since a job is a data
 * product of the project like a pipeline is.
 */
public final class ScoringRoutes implements HttpService {
    private final BatchScoring scoring;
    private final AlertRoutes.ProjectCheck projects;

    public ScoringRoutes(BatchScoring scoring, AlertRoutes.ProjectCheck projects) {
        this.scoring = scoring;
        this.projects = projects;
    }

    @Override
    public void routes(Api api) {
        Function<Call, Optional<String>> jobProject = call -> scoring.findJob(call.path("job")).map(ScoringJob::project);
        Function<Call, Optional<String>> runProject = call -> scoring.findRun(call.path("id")).map(BatchRun::project);
        Function<Call, Optional<String>> listProject = call -> call.query("job").flatMap(scoring::findJob).map(ScoringJob::project)
                .or(() -> call.query("project"));

        api.post("/v1/scoring/jobs", Permission.PIPELINE_WRITE).project(this::specProject)
                .describe("scoring.job-apply", "Apply a scoring job's spec (YAML with Content-Type application/yaml, or JSON): 201 for a new job,"
                        + " 200 for a change or an unchanged spec; every error names its path in the spec")
                .handle(call -> {
                    BatchScoring.Applied applied = scoring.applied(call.specText("the scoring job spec"), call.actor());
                    Map<String, Object> view = view(applied.job(), true);
                    view.put("changed", applied.changed());
                    call.json(applied.created() ? 201 : 200, view);
                });
        api.get("/v1/scoring/jobs", Permission.PIPELINE_READ).project(call -> call.query("project"))
                .describe("scoring.job-list", "The scoring jobs of a project (?project=), by name")
                .handle(call -> call.ok(Map.of("jobs", scoring.jobs(projects.require(call.query("project"), "?project=")).stream()
                        .map(job -> view(job, false)).toList())));
        api.get("/v1/scoring/jobs/{job}", Permission.PIPELINE_READ).project(jobProject)
                .describe("scoring.job-show", "A scoring job with its spec text, version and its latest run")
                .handle(call -> {
                    ScoringJob job = scoring.job(call.path("job"));
                    Map<String, Object> view = view(job, true);
                    scoring.runs(job.project(), Optional.of(job.name()), 1).stream().findFirst().ifPresent(run -> view.put("lastRun", view(run)));
                    call.ok(view);
                });
        api.delete("/v1/scoring/jobs/{job}", Permission.PIPELINE_WRITE).project(jobProject)
                .describe("scoring.job-delete", "Delete a scoring job; its runs and the rows they wrote stay (409 while a run is in progress)")
                .handle(call -> {
                    if (!scoring.delete(call.path("job"))) {
                        throw KeelException.notFound("scoring job '" + clip(call.path("job")) + "' does not exist");
                    }
                    call.ok(Map.of("deleted", call.path("job")));
                });
        api.post("/v1/scoring/jobs/{job}/runs", Permission.PIPELINE_RUN).project(jobProject)
                .describe("scoring.run-start", "Start a run of a job ({runId} optional, for a client that retries): 202 with the run; a run id"
                        + " that succeeded is answered as it is; 409 while another run of the job is in progress")
                .handle(call -> {
                    ScoringJob job = scoring.job(call.path("job"));
                    Optional<String> runId = runId(call);
                    BatchRun run = scoring.start(job.name(), runId, call.actor());
                    call.json(202, view(run.id()));
                });
        api.get("/v1/scoring/runs", Permission.PIPELINE_READ).project(listProject)
                .describe("scoring.run-list", "Scoring runs of a job (?job=) or of a project (?project=), newest first (?limit=, default 50)")
                .handle(call -> {
                    int limit = call.queryInt("limit", 50, 1, 1000);
                    Optional<String> job = call.query("job");
                    List<BatchRun> runs = job.isPresent() ? scoring.runs(scoring.job(job.get()).project(), job, limit)
                            : scoring.runs(projects.require(call.query("project"), "?project= or ?job="), Optional.empty(), limit);
                    call.ok(Map.of("runs", runs.stream().map(ScoringRoutes::view).toList()));
                });
        api.get("/v1/scoring/runs/{id}", Permission.PIPELINE_READ).project(runProject)
                .describe("scoring.run-show", "One scoring run with its progress: rows read of the total, rows written and quarantined, chunks,"
                        + " rows per second, the time left, status, model version and watermark")
                .handle(call -> call.ok(view(requireRun(call).id())));
        api.post("/v1/scoring/runs/{id}/cancel", Permission.PIPELINE_RUN).project(runProject)
                .describe("scoring.run-cancel", "Ask a run to stop after its chunk and stop its retries; it can be resumed later")
                .handle(call -> {
                    scoring.cancel(requireRun(call).id());
                    call.ok(view(call.path("id")));
                });
        api.post("/v1/scoring/runs/{id}/resume", Permission.PIPELINE_RUN).project(runProject)
                .describe("scoring.run-resume", "Execute a failed or cancelled run again from its last checkpoint (also a run left running by a"
                        + " stopped server, once its lease has run out): 202 with the run")
                .handle(call -> {
                    BatchRun run = scoring.resume(requireRun(call).id(), call.actor());
                    call.json(202, view(run.id()));
                });
    }

    /** The project a spec applies to: the existing job's (a name is unique across projects), else the spec's; empty for a bad spec. */
    private Optional<String> specProject(Call call) {
        try {
            ScoringJobSpec spec = new ScoringJobSpecParser().parseOrThrow(call.specText("the scoring job spec"));
            return scoring.findJob(spec.name()).map(ScoringJob::project).or(() -> Optional.of(spec.project()));
        } catch (KeelException e) {
            return Optional.empty();
        }
    }

    private BatchRun requireRun(Call call) {
        return scoring.requireRun(call.path("id"));
    }

    /** The optional {@code {"runId": "..."}} of a start; an empty body starts a run with a new id. */
    private static Optional<String> runId(Call call) {
        if (call.body().length == 0) {
            return Optional.empty();
        }
        JsonNode body = call.json();
        for (java.util.Iterator<String> fields = body.fieldNames(); fields.hasNext();) {
            String field = fields.next();
            if (!field.equals("runId")) {
                throw invalid(clip(field), "field '" + clip(field) + "' is not one of [runId]");
            }
        }
        JsonNode runId = body.path("runId");
        if (runId.isMissingNode() || runId.isNull()) {
            return Optional.empty();
        }
        if (!runId.isTextual()) {
            throw invalid("runId", "field 'runId' must be a string");
        }
        return Optional.of(runId.asText());
    }

    private Map<String, Object> view(String runId) {
        BatchScoring.RunView found = scoring.find(runId).orElseThrow(() -> KeelException.notFound("scoring run '" + clip(runId) + "' does not exist"));
        Map<String, Object> view = view(found.run());
        ScoringRun.Progress progress = found.progress();
        view.put("chunks", progress.chunksDone());
        progress.rowsPerSecond().ifPresent(rate -> view.put("rowsPerSecond", Math.round(rate * 10) / 10.0));
        progress.eta().ifPresent(eta -> view.put("etaSeconds", eta.toSeconds()));
        found.trigger().ifPresent(trigger -> {
            view.put("trigger", trigger.kind().name().toLowerCase(Locale.ROOT));
            if (!trigger.reference().isEmpty()) {
                view.put("triggerRef", trigger.reference());
            }
            view.put("actor", trigger.actor());
            view.put("attempts", trigger.attempts());
            view.put("jobVersion", trigger.jobVersion());
        });
        view.put("inProgress", found.inProgress());
        view.put("retryPending", found.retryPending());
        return view;
    }

    static Map<String, Object> view(BatchRun run) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", run.id());
        view.put("job", run.job());
        view.put("project", run.project());
        view.put("status", run.status().name());
        view.put("model", run.model());
        view.put("modelVersion", run.modelVersion());
        view.put("input", run.input());
        if (run.datasetVersion() > 0) {
            view.put("datasetVersion", run.datasetVersion());
        }
        view.put("chunkSize", run.chunkSize());
        view.put("rowsRead", run.rowsRead());
        run.rowsTotal().ifPresent(total -> view.put("rowsTotal", total));
        view.put("rowsWritten", run.rowsWritten());
        view.put("rowsQuarantined", run.rowsQuarantined());
        run.watermark().ifPresent(watermark -> {
            Map<String, Object> range = new LinkedHashMap<>();
            range.put("column", watermark.column());
            watermark.above().ifPresent(above -> range.put("above", above));
            range.put("upTo", watermark.upTo());
            view.put("watermark", range);
        });
        if (run.changedSince() > 0) {
            view.put("changedSince", run.changedSince());
        }
        view.put("scoredAt", run.scoredAt());
        view.put("createdAt", run.createdAt());
        run.finishedAt().ifPresent(at -> view.put("finishedAt", at));
        view.put("cancelRequested", run.cancelRequested());
        run.message().ifPresent(message -> view.put("message", message));
        return view;
    }

    private static Map<String, Object> view(ScoringJob job, boolean full) {
        ScoringJobSpec spec = job.spec();
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", job.name());
        view.put("project", job.project());
        view.put("version", job.version());
        if (!spec.description().isEmpty()) {
            view.put("description", spec.description());
        }
        view.put("model", spec.model().name() + spec.model().alias().map(alias -> "@" + alias).orElse(":" + spec.model().version()));
        view.put("input", spec.input().label());
        view.put("destination", spec.destination().label());
        spec.operations().schedule().ifPresent(schedule -> view.put("schedule", schedule));
        spec.operations().after().ifPresent(after -> view.put("after", after));
        view.put("retries", spec.operations().retries());
        view.put("retryDelaySeconds", spec.operations().retryDelay().toSeconds());
        view.put("updatedAt", job.updatedAt());
        view.put("updatedBy", job.updatedBy());
        if (full) {
            view.put("spec", job.text());
        }
        return view;
    }

    private static String clip(String text) {
        return text.length() > 60 ? text.substring(0, 60) + "…" : text;
    }

    private static KeelException invalid(String field, String message) {
        return new KeelException(ErrorCode.INVALID_REQUEST, message, List.of(new KeelException.FieldError(field, message)));
    }
}
