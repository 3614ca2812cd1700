package boltstore

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/deskgate/deskgate/store"
)

// SearchConversations scans the message records newest first (a bounded
// scan rather than an index: a record whose raw bytes lack a term is
// skipped without decoding it, since a word of the body appears as-is in
// its JSON), and stops once limit conversations are found.
func (t *Tx) SearchConversations(terms []string, limit int) ([]uint64, error) {
	out := []uint64{}
	if len(terms) == 0 || limit <= 0 {
		return out, nil
	}
	needles := make([][]byte, len(terms))
	for i, term := range terms {
		needles[i] = []byte(term)
	}
	seen := map[uint64]bool{}
	var lower []byte
	c := t.b(bMessages).Cursor()
	for k, v := c.Last(); k != nil && len(out) < limit; k, v = c.Prev() {
		if v == nil {
			continue
		}
		lower = appendLower(lower[:0], v)
		if !containsAll(lower, needles) {
			continue
		}
		var m struct {
			ConversationID uint64 `json:"conversation_id"`
			Body           string `json:"body"`
		}
		if err := json.Unmarshal(v, &m); err != nil {
			return nil, fmt.Errorf("decode message %x: %w", k, err)
		}
		if seen[m.ConversationID] || !store.MatchTerms(m.Body, terms) {
			continue
		}
		seen[m.ConversationID] = true
		out = append(out, m.ConversationID)
	}
	return out, nil
}

// appendLower appends b lowercased: ASCII by a table, anything else by
// bytes.ToLower (a term is lowercased by strings.ToLower).
func appendLower(dst, b []byte) []byte {
	for _, c := range b {
		if c >= 0x80 {
			return append(dst[:0], bytes.ToLower(b)...)
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

func containsAll(b []byte, needles [][]byte) bool {
	for _, n := range needles {
		if !bytes.Contains(b, n) {
			return false
		}
	}
	return true
}
