-- Remediation policies: their specs, every action they took or skipped, and pipelines whose publishing a policy stopped.
-- Portable SQL: runs on SQLite and PostgreSQL. Times are epoch milliseconds (BIGINT); structured values are JSON text.

-- Policy names are unique across projects, so that the API and the CLI name a policy by its name alone.
CREATE TABLE policies (
  name TEXT PRIMARY KEY,
  project TEXT NOT NULL,
  spec TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL
);

CREATE INDEX policies_project ON policies (project);

-- One row per action a policy took (running, succeeded, failed) or skipped. idempotency_key (incident:action:target) is set on
-- every action taken, before it runs, so that one incident never gets the same action on the same target twice, even across a
-- restart or when two servers act on one incident; skipped rows have none.
CREATE TABLE policy_actions (
  id TEXT PRIMARY KEY,
  policy TEXT NOT NULL,
  project TEXT NOT NULL,
  incident_id TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  at BIGINT NOT NULL,
  outcome TEXT NOT NULL,
  reason TEXT NOT NULL,
  idempotency_key TEXT
);

CREATE UNIQUE INDEX policy_actions_key ON policy_actions (idempotency_key);
CREATE INDEX policy_actions_policy ON policy_actions (policy, at);
CREATE INDEX policy_actions_target ON policy_actions (policy, action, target, at);
CREATE INDEX policy_actions_incident ON policy_actions (incident_id, action, target, at);

-- A pipeline whose outputs are not published until publishing is resumed (the stop_publish action, or a person).
CREATE TABLE pipeline_publish_holds (
  pipeline TEXT PRIMARY KEY,
  actor TEXT NOT NULL,
  reason TEXT NOT NULL,
  held_at BIGINT NOT NULL
);
