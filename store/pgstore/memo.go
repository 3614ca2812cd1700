package pgstore

import (
	"encoding/json"
	"fmt"
)

// memoDoc remembers the current document of row id of table, as this
// transaction created or overwrote it: reading it back costs nothing.
func (t *Tx) memoDoc(table string, id uint64, doc []byte) {
	if t.docs == nil {
		t.docs = map[docKey][]byte{}
	}
	t.docs[docKey{table, int64(id)}] = doc
}

// memoGet decodes the remembered document of row id of table into v.
func (t *Tx) memoGet(table string, id uint64, v any) (bool, error) {
	doc, ok := t.docs[docKey{table, int64(id)}]
	if !ok {
		return false, nil
	}
	if err := json.Unmarshal(doc, v); err != nil {
		return true, fmt.Errorf("decode record: %w", err)
	}
	return true, nil
}

// getRecord is get, answered from the transaction's memory when it wrote
// the record itself.
func (t *Tx) getRecord(v any, what, table string, id uint64) error {
	if ok, err := t.memoGet(table, id, v); ok || err != nil {
		return err
	}
	sql := `SELECT data FROM ` + table + ` WHERE id = $1`
	if table == "conversations" && !t.firing {
		// A transaction firing timers holds their rows and changes no
		// conversation: locking one could deadlock it with a post that
		// holds the conversation and sets those timers.
		sql = t.lockRead(sql)
	}
	return t.get(v, what, id, sql)
}

// putRecord overwrites row id of table with v, with the next statement.
func (t *Tx) putRecord(table string, id uint64, v any) error {
	doc, err := mustJSON(v)
	if err != nil {
		return err
	}
	t.queueDoc(table, int64(id), doc)
	t.memoDoc(table, id, doc)
	return nil
}

// noDeliveriesYet reports whether conv was created by this transaction
// and has no delivery of it written: nothing in it can be unseen.
func (t *Tx) noDeliveriesYet(conv uint64) bool { return t.newConvs[conv] }

// deliveredIn notes a delivery written in conv.
func (t *Tx) deliveredIn(conv uint64) {
	if t.newConvs[conv] {
		t.newConvs[conv] = false
	}
}

// forgetTable drops what the transaction remembers of table's rows (a
// statement is about to delete some).
func (t *Tx) forgetTable(table string) {
	for k := range t.docs {
		if k.table == table {
			delete(t.docs, k)
		}
	}
}
