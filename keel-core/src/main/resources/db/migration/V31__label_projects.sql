-- Labels belong to a project: the project of the prediction they label. A label replaces only a label of the same project
-- and is joined only by that project's monitors. Labels from before keep project '' (unscoped): every project's monitors
-- still read them, and a label of the prediction's own project takes precedence.
-- Portable across SQLite and PostgreSQL: the key changes, so the table is rebuilt.

CREATE TABLE monitor_labels_scoped (
  project TEXT NOT NULL,
  request_id TEXT NOT NULL,
  label TEXT,
  value DOUBLE PRECISION,
  labelled_at BIGINT NOT NULL,
  received_at BIGINT NOT NULL,
  received_by TEXT NOT NULL,
  PRIMARY KEY (project, request_id)
);

INSERT INTO monitor_labels_scoped (project, request_id, label, value, labelled_at, received_at, received_by)
SELECT '', request_id, label, value, labelled_at, received_at, received_by FROM monitor_labels;

DROP TABLE monitor_labels;

ALTER TABLE monitor_labels_scoped RENAME TO monitor_labels;
