-- A run whose output equals the latest version of its dataset (same SHA-256) adds no version: the run records the version it
-- reproduced instead, as a JSON list of name@version. Runs from before reproduced nothing.
-- Portable across SQLite and PostgreSQL: ADD COLUMN with a constant default fills the existing rows.

ALTER TABLE pipeline_runs ADD COLUMN unchanged_json TEXT NOT NULL DEFAULT '[]';
