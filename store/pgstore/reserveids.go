package pgstore

import (
	"strings"

	"github.com/deskgate/deskgate/store"
)

// maxReserve bounds the ids of one table a transaction draws ahead.
const maxReserve = 16

// ReserveIDs draws, in one statement (carrying the pending writes), the
// ids of the records n says the transaction is about to create
// (store.IDReserver). CreateItem, CreateConversation, CreateMessage and
// AddMailLog then take their id from here and write blindly: the rows go
// with the next statement (writes.go), in a new conversation by mail
// three INSERT … RETURNING round trips fewer. The ids come from the
// tables' sequences inside the transaction, in the order they would
// have: a reader that pages by id (a recipient's deliveries after a
// message id) sees nothing new. Ids not used are skipped.
func (t *Tx) ReserveIDs(n store.NewIDs) error {
	if !t.write {
		return nil
	}
	var cols, tables []string
	for _, r := range []struct {
		table string
		n     int
	}{{"items", n.Items}, {"conversations", n.Conversations}, {"messages", n.Messages}, {"maillog", n.MailLog}} {
		for range min(r.n, maxReserve) {
			cols = append(cols, "nextval(pg_get_serial_sequence('"+r.table+"', 'id'))")
			tables = append(tables, r.table)
		}
	}
	if len(cols) == 0 {
		return nil
	}
	ids := make([]int64, len(cols))
	dest := make([]any, len(cols))
	for i := range ids {
		dest[i] = &ids[i]
	}
	if err := t.queryRow(`SELECT ` + strings.Join(cols, ", ")).Scan(dest...); err != nil {
		return err
	}
	if t.drawn == nil {
		t.drawn = map[string][]int64{}
	}
	for i, table := range tables {
		t.drawn[table] = append(t.drawn[table], ids[i])
	}
	return nil
}

// takeID returns an id ReserveIDs drew for table, if one is left.
func (t *Tx) takeID(table string) (int64, bool) {
	ids := t.drawn[table]
	if len(ids) == 0 {
		return 0, false
	}
	t.drawn[table] = ids[1:]
	return ids[0], true
}
