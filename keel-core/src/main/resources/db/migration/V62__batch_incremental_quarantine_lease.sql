-- Batch scoring, second step: what a run pinned of its input, the incremental range it read, its progress, the rows it
-- quarantined, its lease (which process executes it, until when) and a cancel request. Portable SQL (SQLite and PostgreSQL).

-- input_pin: the fingerprint of a file input when the run started ('' for other inputs); a resume refuses a changed input.
ALTER TABLE batch_runs ADD COLUMN input_pin TEXT NOT NULL DEFAULT '';
-- The watermark range (watermark_from, watermark_to] an incremental run read, as canonical text; NULL bounds are open.
ALTER TABLE batch_runs ADD COLUMN watermark_column TEXT;
ALTER TABLE batch_runs ADD COLUMN watermark_from TEXT;
ALTER TABLE batch_runs ADD COLUMN watermark_to TEXT;
-- For an incremental run over dataset changes: the version whose rows were left out (0: every row was read).
ALTER TABLE batch_runs ADD COLUMN changed_since INTEGER NOT NULL DEFAULT 0;
-- Rows the run's selection holds, when the input could count them at start.
ALTER TABLE batch_runs ADD COLUMN rows_total BIGINT;
ALTER TABLE batch_runs ADD COLUMN rows_read BIGINT NOT NULL DEFAULT 0;
ALTER TABLE batch_runs ADD COLUMN rows_quarantined BIGINT NOT NULL DEFAULT 0;
-- The process executing the run and until when its lease holds; renewed after every chunk.
ALTER TABLE batch_runs ADD COLUMN lease_owner TEXT;
ALTER TABLE batch_runs ADD COLUMN lease_until BIGINT;
-- 1 when someone asked the run to stop; the executing process stops after the chunk it is writing.
ALTER TABLE batch_runs ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0;
ALTER TABLE batch_runs ADD COLUMN started_at BIGINT;

ALTER TABLE batch_chunks ADD COLUMN rows_quarantined INTEGER NOT NULL DEFAULT 0;

CREATE INDEX batch_runs_project_job ON batch_runs (project, job, status, created_at);

-- Rows refused before scoring (a missing value, a value of the wrong type or out of the feature's range), for runs whose
-- destination is not a database table (Parquet files, dataset versions); a table destination keeps its quarantine next to it.
CREATE TABLE batch_quarantine (
  project TEXT NOT NULL,
  job TEXT NOT NULL,
  run_id TEXT NOT NULL,
  run_chunk INTEGER NOT NULL,
  input_row BIGINT NOT NULL,
  keys TEXT NOT NULL,
  column_name TEXT NOT NULL,
  value TEXT,
  reason TEXT NOT NULL,
  model TEXT NOT NULL,
  model_version INTEGER NOT NULL,
  scored_at TEXT NOT NULL
);

CREATE INDEX batch_quarantine_run ON batch_quarantine (run_id, run_chunk);
