package bridge

import "github.com/deskgate/deskgate/store"

// What a customer token sees of staff and of other customers: a chat
// widget or portal shows who wrote (names), not the staff's mailboxes, who
// follows the conversation internally, or other customers' addresses.

// forCaller returns conv as c may see it: for a customer, without its
// followers and with only that customer among its customers.
func forCaller(c Caller, conv store.Conversation) store.Conversation {
	if !c.IsCustomer() {
		return conv
	}
	conv.Followers = []uint64{}
	conv.CustomerIDs = []uint64{c.ID}
	return conv
}

// messageForCaller returns m as c may see it: for a customer, authors
// other than that customer keep their name but not their address, and an
// automation's message does not name the automation (staff-only setup).
func messageForCaller(c Caller, m store.Message) store.Message {
	if c.IsCustomer() && !(m.Author.Type == store.AuthorCustomer && m.Author.ID == c.ID) {
		m.Author.Email = ""
	}
	if c.IsCustomer() {
		m.Cause = ""
	}
	return m
}
