-- Projects, tokens, audit log and the model registry. Portable SQL: runs on SQLite and PostgreSQL.
-- Times are epoch milliseconds (BIGINT); structured values are JSON text.

CREATE TABLE projects (
  name TEXT PRIMARY KEY,
  description TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL
);

CREATE TABLE tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  secret_hash TEXT NOT NULL UNIQUE,
  grants TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  expires_at BIGINT,
  revoked_at BIGINT,
  revoked_by TEXT
);

CREATE TABLE audit_log (
  seq BIGINT PRIMARY KEY,
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  project TEXT,
  target TEXT,
  outcome TEXT NOT NULL,
  status INTEGER NOT NULL,
  request_id TEXT,
  detail TEXT,
  previous_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);

CREATE TABLE models (
  name TEXT PRIMARY KEY,
  project TEXT NOT NULL REFERENCES projects (name),
  description TEXT NOT NULL,
  gate TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL
);

CREATE TABLE model_versions (
  model TEXT NOT NULL REFERENCES models (name),
  version INTEGER NOT NULL,
  format TEXT NOT NULL,
  artifact_sha256 TEXT NOT NULL,
  artifact_size BIGINT NOT NULL,
  signature TEXT NOT NULL,
  features TEXT NOT NULL,
  metrics TEXT NOT NULL,
  tags TEXT NOT NULL,
  lineage TEXT NOT NULL,
  description TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  PRIMARY KEY (model, version)
);

CREATE TABLE model_aliases (
  model TEXT NOT NULL REFERENCES models (name),
  alias TEXT NOT NULL,
  version INTEGER NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (model, alias)
);

CREATE TABLE alias_history (
  model TEXT NOT NULL REFERENCES models (name),
  seq BIGINT NOT NULL,
  alias TEXT NOT NULL,
  action TEXT NOT NULL,
  from_version INTEGER,
  to_version INTEGER,
  reason TEXT NOT NULL,
  actor TEXT NOT NULL,
  at BIGINT NOT NULL,
  PRIMARY KEY (model, seq)
);
CREATE INDEX alias_history_alias ON alias_history (model, alias, seq);
