-- Signed model versions: Ed25519 signatures over a version's canonical payload (docs/security.md, "Signed model versions"),
-- one per version and trusted key, kept forever like the version; and a model's own signature requirement, as JSON
-- ({"required": true, "keys": ["release"]}). Models from before require nothing.
-- Portable across SQLite and PostgreSQL: ADD COLUMN with a constant default fills the existing rows.

CREATE TABLE model_version_signatures (
  model TEXT NOT NULL,
  version INTEGER NOT NULL,
  key_id TEXT NOT NULL,
  signature TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  PRIMARY KEY (model, version, key_id),
  FOREIGN KEY (model, version) REFERENCES model_versions (model, version)
);

ALTER TABLE models ADD COLUMN signing TEXT NOT NULL DEFAULT '{"required":false,"keys":[]}';
