// Package store is deskgate's storage seam (SPEC §8): the durable records
// (users, conversations, messages, deliveries, timers, the outbound queue,
// the mail log…), the sentinel errors, and the interfaces a backend
// implements. It imports no database: the embedded bbolt backend lives in
// store/boltstore, the PostgreSQL backend in store/pgstore, and the domain
// (package bridge), the outbound queue and the transports see only the
// interfaces of this package, so both backends behave the same to them.
//
// A backend runs functions in transactions (Store.Update, Store.View); the
// Tx a function receives is the set of small per-concept interfaces below
// (PeopleTx, WorkTx, MessagesTx, NotificationsTx, TimersTx, QueueTx,
// MailLogTx, GuardTx), so a part of the domain can name only the concept it
// needs.
package store
