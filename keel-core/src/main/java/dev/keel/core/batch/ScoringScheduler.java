package dev.keel.core.batch;

import dev.keel.core.data.CronExpression;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts scoring jobs on their cron schedules, like the pipelines' scheduler: a slot fires once, only when it lies after the last
 * pass and after the job's spec was last applied; a slot that comes while a run of the job is in progress is skipped, not queued.
 */
final class ScoringScheduler {
    /** The longest the loop sleeps before looking at the jobs again. */
    static final Duration MAX_SLEEP = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(ScoringScheduler.class);

    private final BatchScoring scoring;
    private final Clock clock;
    private final ZoneId zone;
    private Instant checkedUntil;
    private Thread loop;

    ScoringScheduler(BatchScoring scoring, Clock clock, ZoneId zone) {
        this.scoring = scoring;
        this.clock = clock;
        this.zone = zone;
        this.checkedUntil = clock.instant();
    }

    synchronized void start() {
        if (loop != null && loop.isAlive()) {
            return;
        }
        checkedUntil = clock.instant();
        loop = Thread.ofPlatform().daemon().name("keel-scoring-scheduler").start(this::loop);
    }

    void stop() {
        Thread stopping;
        synchronized (this) {
            stopping = loop;
            loop = null;
        }
        if (stopping != null) {
            stopping.interrupt();
            try {
                stopping.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void loop() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                tick(clock.instant());
                Instant now = clock.instant();
                Duration sleep = nextFireTime().map(next -> Duration.between(now, next)).filter(wait -> wait.compareTo(MAX_SLEEP) < 0)
                        .orElse(MAX_SLEEP);
                Thread.sleep(Math.max(sleep.toMillis(), 100));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
                LOG.error("scoring scheduler pass failed; trying again", e);
            }
        }
    }

    /** Starts every job with a slot in (last pass, now]; returns the jobs started. */
    synchronized List<String> tick(Instant now) {
        List<String> started = new ArrayList<>();
        for (ScoringJob job : scoring.allJobs()) {
            Optional<Instant> due = next(job).filter(next -> !next.isAfter(now));
            if (due.isPresent() && !scoring.startQuietly(job, RunTrigger.Kind.SCHEDULE, due.get().toString()).isEmpty()) {
                started.add(job.name());
            }
        }
        if (now.isAfter(checkedUntil)) {
            checkedUntil = now;
        }
        return started;
    }

    /** The job's first slot after the last pass and after it was applied, or empty for a job without a schedule. */
    private Optional<Instant> next(ScoringJob job) {
        if (job.spec().operations().schedule().isEmpty()) {
            return Optional.empty();
        }
        Instant since = job.updatedAt().isAfter(checkedUntil) ? job.updatedAt() : checkedUntil;
        ZonedDateTime from = since.atZone(zone);
        CronExpression cron = BatchScoring.cron(job);
        return cron.next(from).map(ZonedDateTime::toInstant);
    }

    private synchronized Optional<Instant> nextFireTime() {
        return scoring.allJobs().stream().map(this::next).flatMap(Optional::stream).min(Instant::compareTo);
    }
}
