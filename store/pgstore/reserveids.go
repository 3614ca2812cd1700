package pgstore

import (
	"strings"

	"github.com/deskgate/deskgate/store"
)

// maxReserve bounds the ids of one table a transaction draws ahead.
const maxReserve = 16

// reservable are the tables whose ids are drawn ahead, in NewIDs' order.
var reservable = [4]string{"items", "conversations", "messages", "maillog"}

// ReserveIDs draws, in one statement (carrying the pending writes), the
// ids of the records n says the transaction is about to create, less
// those drawn already and not taken (store.IDReserver). CreateItem,
// CreateConversation, CreateMessage and AddMailLog then take their id
// from here and write blindly: the rows go with the next statement
// (writes.go), in a new conversation by mail three INSERT … RETURNING
// round trips fewer. The ids come from the tables' sequences inside the
// transaction, as nextval in the insert drew them: a reader that pages by
// id (a recipient's deliveries after a message id) sees nothing new.
// Ids not used are skipped.
func (t *Tx) ReserveIDs(n store.NewIDs) error {
	if !t.write {
		return nil
	}
	need := t.idsNeeded(n)
	var cols, tables []string
	for i, table := range reservable {
		for range need[i] {
			cols = append(cols, "nextval('"+table+"_id_seq')")
			tables = append(tables, table)
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
	for i, table := range tables {
		t.drew(table, ids[i])
	}
	return nil
}

// idsNeeded is how many ids of each reservable table n asks for beyond
// those drawn and not taken yet.
func (t *Tx) idsNeeded(n store.NewIDs) [4]int {
	want := [4]int{n.Items, n.Conversations, n.Messages, n.MailLog}
	var need [4]int
	for i, table := range reservable {
		need[i] = max(0, min(want[i], maxReserve)-len(t.drawn[table]))
	}
	return need
}

// drew keeps id, drawn ahead for table.
func (t *Tx) drew(table string, id int64) {
	if t.drawn == nil {
		t.drawn = map[string][]int64{}
	}
	t.drawn[table] = append(t.drawn[table], id)
}

// takeID returns an id drawn ahead for table, if one is left.
func (t *Tx) takeID(table string) (int64, bool) {
	ids := t.drawn[table]
	if len(ids) == 0 {
		return 0, false
	}
	t.drawn[table] = ids[1:]
	return ids[0], true
}
