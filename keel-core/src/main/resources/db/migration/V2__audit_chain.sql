-- Audit entries are chained with HMAC-SHA256 under a key kept outside the store ('hmac-sha256:<key id>'). Entries written
-- before keep their plain SHA-256 chain ('sha256'): verified as a legacy prefix with the old function, which an attacker
-- with write access to the store could recompute, so that prefix is only as strong as it was before.
ALTER TABLE audit_log ADD COLUMN chain_scheme TEXT NOT NULL DEFAULT 'sha256';
