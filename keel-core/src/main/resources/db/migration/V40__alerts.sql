-- Alerts: channels per project, every delivery attempt, and silences.
-- Portable SQL: runs on SQLite and PostgreSQL. Times are epoch milliseconds (BIGINT); structured values are JSON text.
-- Secrets are never stored here: a channel's spec holds references (env:NAME, file:path) only.

-- Channel names are unique across projects, so that the API and the CLI name a channel by its name alone.
CREATE TABLE alert_channels (
  name TEXT PRIMARY KEY,
  project TEXT NOT NULL,
  kind TEXT NOT NULL,
  spec TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL
);

CREATE INDEX alert_channels_project ON alert_channels (project);

CREATE TABLE alert_deliveries (
  delivery_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  project TEXT NOT NULL,
  channel TEXT NOT NULL,
  alert_key TEXT NOT NULL,
  status TEXT NOT NULL,
  code INTEGER NOT NULL,
  reply TEXT NOT NULL,
  error TEXT NOT NULL,
  attempted_at BIGINT NOT NULL,
  PRIMARY KEY (delivery_id, attempt)
);

CREATE INDEX alert_deliveries_channel ON alert_deliveries (project, channel, attempted_at);
CREATE INDEX alert_deliveries_key ON alert_deliveries (alert_key);

CREATE TABLE alert_silences (
  id TEXT PRIMARY KEY,
  project TEXT NOT NULL,
  matchers TEXT NOT NULL,
  comment TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  ends_at BIGINT NOT NULL
);

CREATE INDEX alert_silences_project ON alert_silences (project, ends_at);
