package storetest

import (
	"reflect"
	"testing"

	"github.com/deskgate/deskgate/store"
)

// Search finds conversations by word prefixes of message bodies, every
// term required, ignoring case, newest match first, bounded by limit;
// a word only in the HTML or the quoted history is not found.
func testSearchConversations(t *testing.T, b Backend) {
	s, _ := b.Open(t)
	bodies := []struct {
		conv       uint64
		body, html string
	}{
		{1, "The printer is on FIRE again", ""},
		{2, "Toner question: where do I buy toner?", ""},
		{3, "Merci pour l'Étoile", ""},
		{1, "still burning", ""},
		{4, "nothing to see", "<p>printer in the html only</p>"},
		{5, "Printer paper jam", ""},
	}
	err := update(s, func(tx store.Tx) error {
		for _, x := range bodies {
			m := &store.Message{ConversationID: x.conv, Kind: store.KindExternal, Body: x.body, HTML: x.html, FullText: x.body + "\n> printer quoted",
				Author: store.Author{Type: store.AuthorCustomer, ID: 7, Email: "c@example.com"}, Source: store.SourceSMTP}
			if err := tx.CreateMessage(m, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		q     string
		limit int
		want  []uint64
	}{
		{"printer", 10, []uint64{5, 1}},
		{"PRINT", 10, []uint64{5, 1}},
		{"printer fire", 10, []uint64{1}},
		{"fire printer", 10, []uint64{1}},
		{"printer", 1, []uint64{5}},
		{"toner", 10, []uint64{2}},
		{"étoile", 10, []uint64{3}},
		{"rinter", 10, []uint64{}},
		{"html", 10, []uint64{}},
		{"quoted", 10, []uint64{}},
		{"fire burning", 10, []uint64{}},
		{"", 10, []uint64{}},
		{"!!! --", 10, []uint64{}},
	} {
		_ = view(s, func(tx store.Tx) error {
			got, err := tx.SearchConversations(store.SearchTerms(c.q), c.limit)
			if err != nil {
				t.Errorf("%q: %v", c.q, err)
				return nil
			}
			if got == nil {
				got = []uint64{}
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("search %q (limit %d) = %v, want %v", c.q, c.limit, got, c.want)
			}
			return nil
		})
	}
}
