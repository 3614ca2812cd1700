-- deskgate schema version 1 (SPEC §8). Records are JSON documents of the
-- types of package store; the columns beside them are what queries select
-- and order by. Times that order work (timers, the outbound queue, the mail
-- log, the outbound cap) are unix nanoseconds, as in the bbolt store, so
-- both backends keep the same precision.

CREATE TABLE users (
	id bigserial PRIMARY KEY,
	email text NOT NULL UNIQUE,
	role text NOT NULL,
	data jsonb NOT NULL
);
CREATE TABLE customers (
	id bigserial PRIMARY KEY,
	email text NOT NULL UNIQUE,
	data jsonb NOT NULL
);
-- API tokens by SHA-256; the token itself is never stored.
CREATE TABLE tokens (
	hash bytea PRIMARY KEY,
	kind text NOT NULL,
	principal_id bigint NOT NULL
);
-- open: the settings let the user be notified of conversations they do
-- not follow (UsersWithOpenSettings).
CREATE TABLE settings (
	user_id bigint PRIMARY KEY,
	open boolean NOT NULL,
	data jsonb NOT NULL
);
CREATE TABLE projects (id bigserial PRIMARY KEY, data jsonb NOT NULL);
CREATE TABLE items (id bigserial PRIMARY KEY, data jsonb NOT NULL);
CREATE TABLE conversations (id bigserial PRIMARY KEY, data jsonb NOT NULL);
CREATE TABLE messages (
	id bigserial PRIMARY KEY,
	conversation_id bigint NOT NULL,
	data jsonb NOT NULL
);
CREATE INDEX messages_conversation ON messages (conversation_id, id);
CREATE TABLE attachments (id bigserial PRIMARY KEY, content bytea NOT NULL);
-- The Message-ID index that threads replies (RFC 5322 §3.6.4).
CREATE TABLE message_refs (email_id text PRIMARY KEY, data jsonb NOT NULL);

CREATE TABLE maillog (
	id bigserial PRIMARY KEY,
	at_ns bigint NOT NULL,
	direction text NOT NULL,
	data jsonb NOT NULL,
	raw bytea
);
CREATE INDEX maillog_at ON maillog (at_ns, id);

-- A recipient is (rtype, rid): 'u' or 'c', then the user or customer id.
CREATE TABLE deliveries (
	message_id bigint NOT NULL,
	rtype text NOT NULL,
	rid bigint NOT NULL,
	conversation_id bigint NOT NULL,
	seen boolean NOT NULL,
	data jsonb NOT NULL,
	PRIMARY KEY (message_id, rtype, rid)
);
CREATE INDEX deliveries_inbox ON deliveries (rtype, rid, conversation_id, message_id);
CREATE INDEX deliveries_unseen ON deliveries (rtype, rid, conversation_id, message_id) WHERE NOT seen;

-- Unseen-email timers: one per (conversation, recipient).
CREATE TABLE timers (
	conversation_id bigint NOT NULL,
	rtype text NOT NULL,
	rid bigint NOT NULL,
	due_ns bigint NOT NULL,
	PRIMARY KEY (conversation_id, rtype, rid)
);
CREATE INDEX timers_due ON timers (due_ns);

CREATE TABLE email_deliveries (
	outbound_id bigint NOT NULL,
	message_id bigint NOT NULL,
	rtype text NOT NULL,
	rid bigint NOT NULL,
	PRIMARY KEY (outbound_id, message_id, rtype, rid)
);

CREATE TABLE bounced_addresses (address text PRIMARY KEY, data jsonb NOT NULL);

CREATE TABLE outbound_cap (
	id bigserial PRIMARY KEY,
	address text NOT NULL,
	conversation_id bigint NOT NULL,
	at_ns bigint NOT NULL
);
CREATE INDEX outbound_cap_pair ON outbound_cap (address, conversation_id, at_ns);
CREATE INDEX outbound_cap_at ON outbound_cap (at_ns, id);

CREATE SEQUENCE outbound_ids;
CREATE TABLE outbound (
	id bigint PRIMARY KEY,
	pending boolean NOT NULL,
	next_ns bigint NOT NULL,
	done_ns bigint NOT NULL,
	message_id text NOT NULL,
	data jsonb NOT NULL,
	raw bytea
);
CREATE INDEX outbound_due ON outbound (next_ns, id) WHERE pending;
CREATE INDEX outbound_message_id ON outbound (message_id) WHERE message_id <> '';
CREATE INDEX outbound_done ON outbound (done_ns) WHERE NOT pending;

-- Secrets every node shares: the reply-token key, DKIM keys.
CREATE TABLE keys (
	name text PRIMARY KEY,
	data bytea NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now()
);
