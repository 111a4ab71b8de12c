-- A dataset version keeps its sensitive columns, each with how it is masked for a caller without SENSITIVE_READ, as a JSON object
-- from column name to masking (hash, redact or null). Versions from before declared none.
-- Portable across SQLite and PostgreSQL: ADD COLUMN with a constant default fills the existing rows.

ALTER TABLE dataset_versions ADD COLUMN sensitive_json TEXT NOT NULL DEFAULT '{}';
