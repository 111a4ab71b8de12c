-- Batch scoring: one row per scoring run and one checkpoint per chunk a run has written. Portable SQL: runs on SQLite and
-- PostgreSQL. Times are epoch milliseconds (BIGINT).

-- A scoring run. The model version, dataset version, chunk size and scored-at time are pinned when the run starts, so that a
-- resumed run scores the same rows with the same model and stamps them alike. status: RUNNING, SUCCEEDED, FAILED.
CREATE TABLE batch_runs (
  id TEXT PRIMARY KEY,
  job TEXT NOT NULL,
  project TEXT NOT NULL,
  spec TEXT NOT NULL,
  model TEXT NOT NULL,
  model_version INTEGER NOT NULL,
  dataset TEXT NOT NULL,
  dataset_version INTEGER NOT NULL,
  chunk_size INTEGER NOT NULL,
  status TEXT NOT NULL,
  scored_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  finished_at BIGINT,
  rows_written BIGINT NOT NULL,
  message TEXT
);

CREATE INDEX batch_runs_job ON batch_runs (job, created_at);

-- Chunk `chunk` of a run holds input rows [first_row, first_row + row_count) and was written to the destination. Chunks are
-- written in order, so a run's checkpoints are always chunks 0..k.
CREATE TABLE batch_chunks (
  run_id TEXT NOT NULL,
  chunk INTEGER NOT NULL,
  first_row BIGINT NOT NULL,
  row_count INTEGER NOT NULL,
  rows_written INTEGER NOT NULL,
  done_at BIGINT NOT NULL,
  PRIMARY KEY (run_id, chunk)
);
