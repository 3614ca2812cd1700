package boltstore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/deskgate/deskgate/store"
)

// SearchConversations scans the message records newest first (a bounded
// scan rather than an index: a record whose raw body bytes lack a term is
// skipped without decoding it, since a word of the body appears as-is in
// its JSON string), and stops once limit conversations are found.
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
		// Only the body's bytes are looked at (the HTML and the whole
		// text, often most of a record, are not searched).
		raw := v
		if j := bytes.Index(v, bodyField); j >= 0 {
			if end := stringEnd(v, j+len(bodyField)-1); end > 0 {
				raw = v[j+len(bodyField) : end]
			}
		}
		lower = appendLower(lower[:0], raw)
		if !containsAll(lower, needles) {
			continue
		}
		conv, body, err := convAndBody(v)
		if err != nil {
			return nil, fmt.Errorf("decode message %x: %w", k, err)
		}
		if seen[conv] || !store.MatchTerms(body, terms) {
			continue
		}
		seen[conv] = true
		out = append(out, conv)
	}
	return out, nil
}

var (
	convField = []byte(`"conversation_id":`)
	bodyField = []byte(`"body":"`)
)

// convAndBody reads a message record's conversation id and body without
// decoding the rest (its HTML and whole text can be large): both are
// top-level fields of store.Message's JSON, which json.Marshal writes
// before the others and never repeats. A record in another shape is
// decoded whole.
func convAndBody(v []byte) (uint64, string, error) {
	if i, j := bytes.Index(v, convField), bytes.Index(v, bodyField); i >= 0 && j >= 0 {
		i += len(convField)
		n := i
		for n < len(v) && '0' <= v[n] && v[n] <= '9' {
			n++
		}
		conv, err := strconv.ParseUint(string(v[i:n]), 10, 64)
		j += len(bodyField) - 1 // at the opening quote
		if end := stringEnd(v, j); err == nil && end > 0 {
			var body string
			if err := json.Unmarshal(v[j:end], &body); err == nil {
				return conv, body, nil
			}
		}
	}
	var m struct {
		ConversationID uint64 `json:"conversation_id"`
		Body           string `json:"body"`
	}
	err := json.Unmarshal(v, &m)
	return m.ConversationID, m.Body, err
}

// stringEnd returns the index just past the JSON string that starts at
// v[start] (a quote), or -1.
func stringEnd(v []byte, start int) int {
	for i := start + 1; i < len(v); i++ {
		switch v[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}

// appendLower appends b lowercased: ASCII by a table, anything else by
// bytes.ToLower (a term is lowercased by strings.ToLower).
func appendLower(dst, b []byte) []byte {
	n := len(dst)
	dst = append(dst, b...)
	out := dst[n:]
	for i, c := range out {
		if c >= 0x80 {
			return append(dst[:n], bytes.ToLower(b)...)
		}
		out[i] = lowerASCII[c]
	}
	return dst
}

var lowerASCII = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
		if 'A' <= i && i <= 'Z' {
			t[i] = byte(i + 'a' - 'A')
		}
	}
	return t
}()

func containsAll(b []byte, needles [][]byte) bool {
	for _, n := range needles {
		if !bytes.Contains(b, n) {
			return false
		}
	}
	return true
}
