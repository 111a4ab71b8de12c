-- Batch scoring jobs as operated by the server: the applied spec of every job, and how each of its runs was started.
-- Portable SQL: runs on SQLite and PostgreSQL. Times are epoch milliseconds (BIGINT).

-- One row per job; a job's name is unique across projects, like a pipeline's. version counts the applied changes (1, 2, …).
CREATE TABLE batch_jobs (
  name TEXT PRIMARY KEY,
  project TEXT NOT NULL,
  spec TEXT NOT NULL,
  version INTEGER NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL
);

CREATE INDEX batch_jobs_project ON batch_jobs (project);

-- Who or what started a run (trigger: manual, schedule, pipeline, resume), with the reference of the trigger (the cron slot or
-- the pipeline run), and how many attempts the run has had. Written before the run executes, so a run that could not start has
-- its trigger too.
CREATE TABLE batch_run_triggers (
  run_id TEXT PRIMARY KEY,
  job TEXT NOT NULL,
  project TEXT NOT NULL,
  trigger_kind TEXT NOT NULL,
  trigger_ref TEXT NOT NULL,
  actor TEXT NOT NULL,
  job_version INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  message TEXT
);

CREATE INDEX batch_run_triggers_job ON batch_run_triggers (job, created_at);
