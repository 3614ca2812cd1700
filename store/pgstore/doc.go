// Package pgstore is deskgate's PostgreSQL backend of store.Store (SPEC §8),
// through pgx and its pool, selected by DESKGATE_DATABASE_URL=postgres://….
// Several deskgate nodes may share one database.
//
// Records are JSON documents of package store's types beside the columns
// queries select by (migrations/*.sql). Write transactions run at READ
// COMMITTED and lock the rows of the records read-modify-write functions
// change (FOR UPDATE), so those functions keep the meaning they have on
// bbolt's single writer; what row locks cannot cover re-runs the function
// (the store.Store contract already says a function may run more than
// once). Due timers and due emails are read with FOR UPDATE SKIP LOCKED in
// write transactions, so two nodes never fire one timer or start one
// delivery attempt together.
//
// Concurrent Update calls share one transaction and one commit (group
// commit, groupcommit.go): each function after the first in a savepoint of
// its own, so a failing one is rolled back alone; a function alone pays
// for no savepoint.
//
// A unit of work costs few statements (docs/storage.md): blind writes go
// as one multi-row statement (writes.go), read-mostly records come from
// the node's cache (cache.go), and a transaction remembers what it wrote
// and locked (memo.go).
package pgstore
