-- A run keeps the report of each probabilistic dedupe or match-merge step (blocking counts, the trained model, links,
-- clusters, evaluation) as a JSON list. Runs from before linked nothing.
-- Portable across SQLite and PostgreSQL: ADD COLUMN with a constant default fills the existing rows.

ALTER TABLE pipeline_runs ADD COLUMN linkage_json TEXT NOT NULL DEFAULT '[]';
