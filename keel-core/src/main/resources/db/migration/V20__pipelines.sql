-- Data collection: pipeline spec versions, runs with row accounting, dataset snapshot versions.
-- Portable across SQLite and PostgreSQL: TEXT, BIGINT, DOUBLE PRECISION only; ids come from the application;
-- instants are epoch milliseconds; nested values (stages, expectations, profiles) are JSON text.

CREATE TABLE pipeline_versions (
    pipeline    TEXT   NOT NULL,
    version     BIGINT NOT NULL,
    spec_yaml   TEXT   NOT NULL,
    sha256      TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (pipeline, version)
);

CREATE TABLE pipeline_runs (
    id                 TEXT   NOT NULL PRIMARY KEY,
    pipeline           TEXT   NOT NULL,
    spec_version       BIGINT NOT NULL,
    run_trigger        TEXT   NOT NULL,
    status             TEXT   NOT NULL,
    started_at         BIGINT NOT NULL,
    finished_at        BIGINT,
    attempts           BIGINT NOT NULL,
    rows_in            BIGINT NOT NULL,
    rows_out           BIGINT NOT NULL,
    rows_quarantined   BIGINT NOT NULL,
    rows_merged        BIGINT NOT NULL,
    rows_filtered      BIGINT NOT NULL,
    stages_json        TEXT   NOT NULL,
    expectations_json  TEXT   NOT NULL,
    datasets_json      TEXT   NOT NULL,
    error              TEXT
);

CREATE INDEX pipeline_runs_by_pipeline ON pipeline_runs (pipeline, started_at);
CREATE INDEX pipeline_runs_by_status ON pipeline_runs (status);

CREATE TABLE dataset_versions (
    dataset                   TEXT   NOT NULL,
    version                   BIGINT NOT NULL,
    sha256                    TEXT   NOT NULL,
    location                  TEXT   NOT NULL,
    row_count                 BIGINT NOT NULL,
    byte_count                BIGINT NOT NULL,
    profile_json              TEXT   NOT NULL,
    pipeline                  TEXT   NOT NULL,
    spec_version              BIGINT NOT NULL,
    run_id                    TEXT   NOT NULL,
    source_fingerprints_json  TEXT   NOT NULL,
    created_at                BIGINT NOT NULL,
    PRIMARY KEY (dataset, version)
);

CREATE INDEX dataset_versions_by_sha256 ON dataset_versions (sha256);
