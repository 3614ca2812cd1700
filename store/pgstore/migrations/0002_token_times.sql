-- Tokens can be listed and revoked (issue 9): when each was issued and last
-- used, in unix nanoseconds (0: unknown or never).
ALTER TABLE tokens
	ADD COLUMN created_ns bigint NOT NULL DEFAULT 0,
	ADD COLUMN last_used_ns bigint NOT NULL DEFAULT 0;
CREATE INDEX tokens_owner ON tokens (kind, principal_id, created_ns);
