package store

import (
	"encoding/json"
	"time"
)

// The outbox (SPEC §14): a domain event is stored in the very transaction
// that made it happen (a message, its mail log entry and its event commit
// together or not at all), queued for each consumer that wants it. A
// consumer (the webhook dispatcher, the automation worker) drains its queue
// in transactions of its own: it claims events, does its part in the
// store, and acknowledges them in the same transaction, so each event is
// handled exactly once per consumer, across crashes and nodes.

// Outbox consumers.
const (
	ConsumerWebhooks = "webhooks"
	// ConsumerAutomations is the automation worker (bridge): the events
	// automations trigger on, each queued by the transaction that made it.
	ConsumerAutomations = "automations"
)

// OutboxEvent is one domain event.
type OutboxEvent struct {
	ID   uint64    `json:"id"`   // grows with time; set by AddOutboxEvent
	Type string    `json:"type"` // "message.created", … (SPEC §14)
	At   time.Time `json:"at"`
	// Data is the record the event is about, as stored (a Message, a
	// Conversation…), JSON: a consumer shows it as it sees fit.
	Data json.RawMessage `json:"data"`
}

// OutboxTx holds the outbox.
type OutboxTx interface {
	// AddOutboxEvent stores e with a new id, queued for each consumer
	// named (none: nothing is stored).
	AddOutboxEvent(e *OutboxEvent, consumers ...string) error
	// ClaimOutbox returns up to max events queued for consumer, oldest
	// first. In a write transaction on PostgreSQL they stay locked until it
	// ends and concurrent claims skip them (FOR UPDATE SKIP LOCKED).
	ClaimOutbox(consumer string, max int) ([]OutboxEvent, error)
	// AckOutbox removes events ids from consumer's queue; an event no
	// consumer still has queued is deleted.
	AckOutbox(consumer string, ids []uint64) error
	// OutboxQueued counts the events queued for consumer.
	OutboxQueued(consumer string) (int, error)
}
