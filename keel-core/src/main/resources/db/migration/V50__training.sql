-- Retraining: training specs, training runs with their logs, Keel's own evaluation of every version it produced, approvals of
-- promotions and progressive rollouts. Portable SQL: runs on SQLite and PostgreSQL. Times are epoch milliseconds (BIGINT);
-- structured values are JSON text.

-- One spec per model: what to train it on, how, and how a challenger is judged and promoted.
CREATE TABLE training_specs (
  model TEXT PRIMARY KEY,
  project TEXT NOT NULL,
  spec TEXT NOT NULL,
  version INTEGER NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL
);

CREATE INDEX training_specs_project ON training_specs (project);

-- A training run. status: QUEUED, RUNNING, SUCCEEDED (a challenger was registered and passed the gate), REFUSED (a challenger
-- was produced but refused: wrong signature, worse than the champion), FAILED (the trainer crashed, timed out, was cut off),
-- CANCELLED. detail is JSON: parameters, dataset, claimed and verified metrics, the verdict, the promotion outcome.
CREATE TABLE training_runs (
  id TEXT PRIMARY KEY,
  model TEXT NOT NULL,
  project TEXT NOT NULL,
  spec_version INTEGER NOT NULL,
  status TEXT NOT NULL,
  trigger_kind TEXT NOT NULL,
  trigger_ref TEXT NOT NULL,
  actor TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  started_at BIGINT,
  finished_at BIGINT,
  dataset TEXT,
  dataset_version INTEGER,
  dataset_sha256 TEXT,
  model_version INTEGER,
  code TEXT,
  message TEXT,
  detail TEXT NOT NULL,
  log TEXT NOT NULL
);

CREATE INDEX training_runs_model ON training_runs (model, created_at);
CREATE INDEX training_runs_status ON training_runs (status);

-- Keel's own evaluation of a version against the champion of the time, written in the transaction that registers the version:
-- a version produced by retraining never exists without it.
CREATE TABLE version_evaluations (
  model TEXT NOT NULL,
  version INTEGER NOT NULL,
  run_id TEXT NOT NULL,
  champion_version INTEGER,
  passed INTEGER NOT NULL,
  metrics TEXT NOT NULL,
  champion_metrics TEXT NOT NULL,
  verdict TEXT NOT NULL,
  evaluated_at BIGINT NOT NULL,
  PRIMARY KEY (model, version)
);

-- A promotion held for a person. status: PENDING, APPROVED, REJECTED, SUPERSEDED.
CREATE TABLE training_approvals (
  id TEXT PRIMARY KEY,
  model TEXT NOT NULL,
  project TEXT NOT NULL,
  version INTEGER NOT NULL,
  run_id TEXT NOT NULL,
  alias TEXT NOT NULL,
  status TEXT NOT NULL,
  requested_at BIGINT NOT NULL,
  decided_at BIGINT,
  decided_by TEXT,
  reason TEXT
);

CREATE INDEX training_approvals_model ON training_approvals (model, status);

-- A progressive rollout: the new version takes a canary share of an endpoint until it has served enough or failed its limits.
-- status: RUNNING, PROMOTED, ABORTED.
CREATE TABLE rollouts (
  id TEXT PRIMARY KEY,
  model TEXT NOT NULL,
  project TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  version INTEGER NOT NULL,
  alias TEXT NOT NULL,
  run_id TEXT,
  status TEXT NOT NULL,
  settings TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  finished_at BIGINT,
  requests BIGINT NOT NULL,
  errors BIGINT NOT NULL,
  reason TEXT
);

CREATE INDEX rollouts_model ON rollouts (model, started_at);
CREATE INDEX rollouts_status ON rollouts (status);
