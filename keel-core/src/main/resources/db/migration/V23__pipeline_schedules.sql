-- A pipeline's schedule can be paused, resumed and deleted by hand; one row per pipeline whose schedule was ever changed.
-- status is ACTIVE, PAUSED or DELETED; spec_version is the pipeline version the change was made on; changed_at is epoch ms.
-- Portable across SQLite and PostgreSQL: TEXT and BIGINT only.

CREATE TABLE pipeline_schedules (
    pipeline      TEXT   NOT NULL PRIMARY KEY,
    status        TEXT   NOT NULL,
    spec_version  BIGINT NOT NULL,
    changed_at    BIGINT NOT NULL,
    actor         TEXT   NOT NULL
);
