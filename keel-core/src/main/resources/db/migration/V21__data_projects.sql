-- Everything in data collection belongs to a project: a pipeline (all its versions) and the datasets its runs publish.
-- Runs, schedules, profiles, quarantine and diffs follow their pipeline or dataset. Rows from before are in 'default'.
-- Portable across SQLite and PostgreSQL: ADD COLUMN with a constant default fills the existing rows.

ALTER TABLE pipeline_versions ADD COLUMN project TEXT NOT NULL DEFAULT 'default';

ALTER TABLE dataset_versions ADD COLUMN project TEXT NOT NULL DEFAULT 'default';

CREATE INDEX pipeline_versions_by_project ON pipeline_versions (project, pipeline);

CREATE INDEX dataset_versions_by_project ON dataset_versions (project, dataset);
