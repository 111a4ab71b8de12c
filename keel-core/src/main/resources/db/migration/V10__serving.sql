-- Online serving: endpoints, failure records and shadow comparisons. Portable SQL: runs on SQLite and PostgreSQL.
-- Times are epoch milliseconds (BIGINT); structured values are JSON text.

CREATE TABLE endpoints (
  name TEXT PRIMARY KEY,
  project TEXT NOT NULL REFERENCES projects (name),
  model TEXT NOT NULL REFERENCES models (name),
  config TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE serving_failures (
  id TEXT PRIMARY KEY,
  endpoint TEXT NOT NULL,
  model TEXT NOT NULL,
  version INTEGER NOT NULL,
  request_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  message TEXT NOT NULL,
  fallback TEXT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX serving_failures_endpoint ON serving_failures (endpoint, at);

CREATE TABLE shadow_comparisons (
  id TEXT PRIMARY KEY,
  endpoint TEXT NOT NULL,
  model TEXT NOT NULL,
  request_id TEXT NOT NULL,
  primary_version INTEGER NOT NULL,
  shadow_version INTEGER NOT NULL,
  primary_outputs TEXT NOT NULL,
  shadow_outputs TEXT,
  shadow_error TEXT,
  at BIGINT NOT NULL
);
CREATE INDEX shadow_comparisons_endpoint ON shadow_comparisons (endpoint, at);
