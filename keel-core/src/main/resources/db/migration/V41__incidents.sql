-- Incidents: the durable channel of failure signals, the incidents they fold into, and each incident's timeline.
-- Portable SQL: runs on SQLite and PostgreSQL. Times are epoch milliseconds (BIGINT); structured values are JSON text.

-- The durable channel. One row stands for `count` equal signals (same project, fingerprint and objects) seen between
-- first_at and last_at within one flush of the incident sink, so a storm of one failure writes a few rows a second.
CREATE TABLE incident_signals (
  id TEXT PRIMARY KEY,
  project TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  incident_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  component TEXT NOT NULL,
  object_kind TEXT NOT NULL,
  severity TEXT NOT NULL,
  cause TEXT NOT NULL,
  message TEXT NOT NULL,
  objects TEXT NOT NULL,
  event_count BIGINT NOT NULL,
  first_at BIGINT NOT NULL,
  last_at BIGINT NOT NULL
);

CREATE INDEX incident_signals_time ON incident_signals (project, last_at);
CREATE INDEX incident_signals_fingerprint ON incident_signals (fingerprint, last_at);
CREATE INDEX incident_signals_incident ON incident_signals (incident_id, last_at);

-- One incident per project and fingerprint: when it comes back after it was resolved it is reopened, not duplicated.
CREATE TABLE incidents (
  id TEXT PRIMARY KEY,
  project TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  severity TEXT NOT NULL,
  status TEXT NOT NULL,
  event_count BIGINT NOT NULL,
  reopened INTEGER NOT NULL,
  objects TEXT NOT NULL,
  first_seen BIGINT NOT NULL,
  last_seen BIGINT NOT NULL,
  opened_at BIGINT NOT NULL,
  acknowledged_by TEXT,
  acknowledged_at BIGINT,
  resolved_by TEXT,
  resolved_at BIGINT,
  UNIQUE (project, fingerprint)
);

CREATE INDEX incidents_status ON incidents (project, status, last_seen);

CREATE TABLE incident_timeline (
  incident_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  at BIGINT NOT NULL,
  entry_type TEXT NOT NULL,
  actor TEXT NOT NULL,
  text TEXT NOT NULL,
  detail TEXT NOT NULL,
  event_count BIGINT NOT NULL,
  last_at BIGINT NOT NULL,
  PRIMARY KEY (incident_id, seq)
);
