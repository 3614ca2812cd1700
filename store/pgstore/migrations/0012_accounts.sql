-- deskgate schema version 12: accounts (SPEC §10). Secrets are stored as
-- their SHA-256 (sessions, password links) or as an argon2id string
-- (passwords); expiry times are unix nanoseconds, as elsewhere.

CREATE TABLE passwords (
	user_id bigint PRIMARY KEY,
	hash text NOT NULL
);
CREATE TABLE sessions (
	hash bytea PRIMARY KEY,
	user_id bigint NOT NULL,
	expires_ns bigint NOT NULL,
	data jsonb NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_ns);
CREATE TABLE password_links (
	hash bytea PRIMARY KEY,
	user_id bigint NOT NULL,
	expires_ns bigint NOT NULL,
	data jsonb NOT NULL
);
CREATE INDEX password_links_user ON password_links (user_id);
CREATE INDEX password_links_expires ON password_links (expires_ns);
-- Sign-in rate limits: one fixed window per (hashed) key, shared by every
-- node of the installation.
CREATE TABLE rate_windows (
	key text PRIMARY KEY,
	end_ns bigint NOT NULL,
	count integer NOT NULL
);
CREATE INDEX rate_windows_end ON rate_windows (end_ns);
-- name: lower-cased, unique.
CREATE TABLE teams (
	id bigserial PRIMARY KEY,
	name text NOT NULL UNIQUE,
	data jsonb NOT NULL
);
CREATE TABLE invitations (
	id bigserial PRIMARY KEY,
	user_id bigint NOT NULL,
	team_id bigint NOT NULL,
	data jsonb NOT NULL
);
CREATE INDEX invitations_user ON invitations (user_id) WHERE user_id <> 0;
CREATE INDEX invitations_team ON invitations (team_id) WHERE team_id <> 0;
