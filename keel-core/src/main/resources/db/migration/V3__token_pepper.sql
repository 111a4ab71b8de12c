-- Token secrets are stored as HMAC-SHA256 under a server-side pepper; rows from before keep their bare SHA-256
-- ('sha256') until the token is next used, when they are re-hashed under the pepper.
ALTER TABLE tokens ADD COLUMN hash_scheme TEXT NOT NULL DEFAULT 'sha256';
