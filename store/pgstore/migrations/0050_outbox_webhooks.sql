-- The outbox and webhooks (SPEC §14). An event is stored once and queued
-- per consumer; a consumer claims its queue with FOR UPDATE SKIP LOCKED and
-- deletes what it handled in the same transaction.
CREATE TABLE outbox_events (
	id bigserial PRIMARY KEY,
	data jsonb NOT NULL
);
CREATE TABLE outbox_queue (
	consumer text NOT NULL,
	event_id bigint NOT NULL,
	PRIMARY KEY (consumer, event_id)
);
CREATE INDEX outbox_queue_event ON outbox_queue (event_id);

CREATE TABLE webhooks (id bigserial PRIMARY KEY, data jsonb NOT NULL);
-- next_ns: when a pending delivery is due (NULL once it is not pending);
-- lease_ns: until when a node holds it (0: free).
CREATE TABLE webhook_deliveries (
	id bigserial PRIMARY KEY,
	webhook_id bigint NOT NULL,
	created_ns bigint NOT NULL,
	next_ns bigint,
	lease_ns bigint NOT NULL DEFAULT 0,
	data jsonb NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_ns) WHERE next_ns IS NOT NULL;
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (webhook_id, id);
CREATE INDEX webhook_deliveries_created ON webhook_deliveries (created_ns);
