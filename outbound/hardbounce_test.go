package outbound

import "testing"

func TestHardBounceStatusOnlyForBadMailboxes(t *testing.T) {
	for reply, want := range map[string]bool{
		"550 5.1.1 no such user here":              true,
		"550 5.1.10 recipient address has null MX": true,
		"550 5.2.1 mailbox disabled":               true,
		"552 5.2.2 mailbox full":                   false,
		"550 5.7.1 message refused by policy":      false,
		"554 transaction failed":                   false,
	} {
		if _, got := hardBounceStatus(reply); got != want {
			t.Errorf("hardBounceStatus(%q) = %v, want %v", reply, got, want)
		}
	}
}
