-- Monitoring: ground-truth labels, reference sets, monitors, their results over time and breach events.
-- Portable SQL: runs on SQLite and PostgreSQL. Times are epoch milliseconds (BIGINT); structured values are JSON text.

CREATE TABLE monitor_labels (
  request_id TEXT PRIMARY KEY,
  label TEXT,
  value DOUBLE PRECISION,
  labelled_at BIGINT NOT NULL,
  received_at BIGINT NOT NULL,
  received_by TEXT NOT NULL
);

CREATE TABLE monitor_references (
  model TEXT NOT NULL,
  version INTEGER NOT NULL,
  path TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  row_count BIGINT NOT NULL,
  columns_json TEXT NOT NULL,
  source TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  PRIMARY KEY (model, version)
);

CREATE TABLE monitors (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  project TEXT NOT NULL,
  model TEXT NOT NULL,
  spec TEXT NOT NULL,
  state TEXT NOT NULL,
  last_value DOUBLE PRECISION,
  last_evaluated_at BIGINT,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL
);

CREATE INDEX monitors_model ON monitors (model);

CREATE TABLE monitor_results (
  monitor_id TEXT NOT NULL REFERENCES monitors (id) ON DELETE CASCADE,
  evaluated_at BIGINT NOT NULL,
  window_from BIGINT,
  window_to BIGINT NOT NULL,
  model_version INTEGER,
  sample_size BIGINT NOT NULL,
  state TEXT NOT NULL,
  value DOUBLE PRECISION,
  detail TEXT NOT NULL
);

CREATE INDEX monitor_results_monitor_time ON monitor_results (monitor_id, evaluated_at);

CREATE TABLE monitor_breaches (
  id TEXT PRIMARY KEY,
  monitor_id TEXT NOT NULL,
  monitor_name TEXT NOT NULL,
  project TEXT NOT NULL,
  model TEXT NOT NULL,
  model_version INTEGER,
  kind TEXT NOT NULL,
  statistic TEXT NOT NULL,
  target TEXT NOT NULL,
  value DOUBLE PRECISION,
  limit_value DOUBLE PRECISION NOT NULL,
  window_from BIGINT,
  window_to BIGINT NOT NULL,
  detected_at BIGINT NOT NULL,
  detail TEXT NOT NULL
);

CREATE INDEX monitor_breaches_detected ON monitor_breaches (detected_at);
