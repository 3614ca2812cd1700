package pgstore

import "strings"

// SearchConversations answers from the full-text index of migration 30:
// each term is a prefix query (term:*) and all must match.
func (t *Tx) SearchConversations(terms []string, limit int) ([]uint64, error) {
	if len(terms) == 0 || limit <= 0 {
		return []uint64{}, nil
	}
	q := make([]string, len(terms))
	for i, term := range terms {
		q[i] = term + ":*" // SearchTerms leaves letters and digits only: no tsquery syntax
	}
	return t.ids(`SELECT conversation_id FROM messages
		WHERE to_tsvector('simple', coalesce(data->>'body', '')) @@ to_tsquery('simple', $1)
		GROUP BY conversation_id ORDER BY max(id) DESC LIMIT $2`, strings.Join(q, " & "), limit)
}
