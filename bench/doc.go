// Package bench holds deskgate's benchmarks of the one-minute rule at
// scale (SPEC §4): memory per pending timer, restart time with 100,000
// pending timers, and how late timers fire while 1,000 messages/s are
// posted. They run the real store (a bbolt file in a temporary directory)
// and the bridge API; run them with bench/run.sh or
//
//	go test -run XXX -bench . -benchtime 1x ./bench/
//
// imap_test.go measures IMAP ingestion against a private Dovecot: APPEND to
// conversation latency over 1,000 messages and the drain of a 10,000-message
// backlog (docs/imap.md).
//
// search_test.go measures the conversation search (GET /conversations?q=)
// over 100,000 messages in 1,000 conversations, on either backend.
//
// The package has no code of its own: everything is in its _test.go files.
package bench
