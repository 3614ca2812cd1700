// Package storetest is the conformance suite of store.Store: every storage
// test, run against each backend (bbolt and PostgreSQL) by the tests of
// this package, and by any future backend's tests through Run.
package storetest

import (
	"context"
	"testing"

	"github.com/deskgate/deskgate/store"
)

// Backend opens empty stores of one implementation.
type Backend struct {
	Name string
	// Open returns a new, empty store closed at the end of the test, and
	// reopen, which closes it and opens the same data again (as a restart
	// would) and returns the new handle.
	Open func(t *testing.T) (st store.Store, reopen func() store.Store)
}

// Run runs every conformance test against b, each as a subtest.
func Run(t *testing.T, b Backend) {
	for _, c := range []struct {
		name string
		run  func(*testing.T, Backend)
	}{
		{"ConcurrentWritersLoseNothing", testConcurrentWritersLoseNothing},
		{"MailLogListPageAndPrune", testMailLogListPageAndPrune},
		{"TimersKeepTheEarliestPerPair", testTimersKeepTheEarliestPerPair},
		{"OutboundDueIndexFollowsState", testOutboundDueIndexFollowsState},
		{"QueueWritesReadBack", testQueueWritesReadBack},
		{"SetMailLogRawSkipsPrunedEntries", testSetMailLogRawSkipsPrunedEntries},
		{"OutboundCapLedger", testOutboundCapLedger},
		{"InboxUnseenCountsAndSeeUpTo", testInboxUnseenCountsAndSeeUpTo},
		{"PeopleTokensSettings", testPeopleTokensSettings},
		{"WorkRecords", testWorkRecords},
		{"MessagesAttachmentsRefs", testMessagesAttachmentsRefs},
		{"DeliveriesAndEmailLinks", testDeliveriesAndEmailLinks},
		{"RefusalCommitsNothing", testRefusalCommitsNothing},
		{"GroupRefusalLeavesNothing", testGroupRefusalLeavesNothing},
		{"GroupCasesWrite", testGroupCasesWrite},
		{"BouncedAddresses", testBouncedAddresses},
		{"SessionsPasswordsLinks", testSessionsPasswordsLinks},
		{"RateWindows", testRateWindows},
		{"TeamsInvitations", testTeamsInvitations},
		{"TemplatesAndAutomations", testTemplatesAndAutomations},
		{"Mailboxes", testMailboxes},
		{"MailboxCheckpointNoLostUpdate", testMailboxCheckpointNoLostUpdate},
		{"CopyRoundTrip", testCopyRoundTrip},
		{"TokensListTouchRevoke", testTokensListTouchRevoke},
		{"MailLogEviction", testMailLogEviction},
		{"SearchConversations", testSearchConversations},
		{"DirectoryEdits", testDirectoryEdits},
		{"Outbox", testOutbox},
		{"WebhookDeliveries", testWebhookDeliveries},
		{"ReservedIDsCreate", testReservedIDsCreate},
	} {
		t.Run(c.name, func(t *testing.T) { c.run(t, b) })
	}
}

func update(s store.Store, fn func(store.Tx) error) error { return s.Update(context.Background(), fn) }

func view(s store.Store, fn func(store.Tx) error) error { return s.View(context.Background(), fn) }

// must returns v, failing the test (by panic) on a read error.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// must2 is must for reads that return two values and an error.
func must2[A, B any](a A, b B, err error) (A, B) {
	if err != nil {
		panic(err)
	}
	return a, b
}
