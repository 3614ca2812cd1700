// Package pgstore is deskgate's PostgreSQL backend of store.Store (SPEC §8),
// through pgx and its pool, selected by DESKGATE_DATABASE_URL=postgres://….
// Several deskgate nodes may share one database.
//
// Records are JSON documents of package store's types beside the columns
// queries select by (migrations/*.sql). Every transaction runs at
// SERIALIZABLE isolation, so the domain's read-modify-write functions keep
// the meaning they have on bbolt's single writer; a serialization failure
// re-runs the function (the store.Store contract already says a function
// may run more than once). Due timers and due emails are read with
// FOR UPDATE SKIP LOCKED in write transactions, so two nodes never fire
// one timer or start one delivery attempt together.
package pgstore
