package pgstore

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/deskgate/deskgate/store"
	"github.com/jackc/pgx/v5"
)

// PutDelivery stores d (new or changed); the inbox and unseen counts are
// queries over the deliveries table, so there is nothing else to keep.
func (t *Tx) PutDelivery(d *store.Delivery) error { return t.putDelivery(d, false) }

// AddDelivery stores d, a delivery of a message just created: no row of
// it exists, so it is inserted without the upsert's conflict check.
func (t *Tx) AddDelivery(d *store.Delivery) error { return t.putDelivery(d, true) }

func (t *Tx) putDelivery(d *store.Delivery, added bool) error {
	doc, err := mustJSON(d)
	if err != nil {
		return err
	}
	rt, rid := rkey(d.Recipient)
	t.deliveredIn(d.ConversationID)
	t.queueDelivery(delKey{int64(d.MessageID), rt, rid}, delRow{conv: int64(d.ConversationID), seen: d.SeenAt != nil, doc: doc}, added)
	return nil
}

// Delivery returns message msg's delivery to r, or ErrNotFound.
func (t *Tx) Delivery(msg uint64, r store.Recipient) (*store.Delivery, error) {
	var d store.Delivery
	rt, rid := rkey(r)
	ok, err := t.getJSON(&d, t.lockRead(`SELECT data FROM deliveries WHERE message_id = $1 AND rtype = $2 AND rid = $3`), int64(msg), rt, rid)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, store.ErrNotFound
	}
	return &d, nil
}

// Deliveries returns every delivery of message msg.
func (t *Tx) Deliveries(msg uint64) ([]store.Delivery, error) {
	return allJSON[store.Delivery](t, t.lockRead(`SELECT data FROM deliveries WHERE message_id = $1 ORDER BY rtype, rid`), int64(msg))
}

// Inbox returns r's deliveries matching q, ordered by conversation, then
// message.
func (t *Tx) Inbox(r store.Recipient, q store.InboxQuery) ([]store.Delivery, error) {
	rt, rid := rkey(r)
	if ds, ok, err := t.batchInbox(rt, rid, q); ok || err != nil {
		return ds, err
	}
	where := []string{"rtype = $1", "rid = $2", "message_id > $3"}
	args := []any{rt, rid, int64(q.After)}
	if q.Conversation != 0 {
		args = append(args, int64(q.Conversation))
		where = append(where, fmt.Sprintf("conversation_id = $%d", len(args)))
	}
	if q.UpTo != 0 {
		args = append(args, int64(q.UpTo))
		where = append(where, fmt.Sprintf("message_id <= $%d", len(args)))
	}
	if q.UnseenOnly {
		where = append(where, "NOT seen")
	}
	sql := t.lockRead(`SELECT data FROM deliveries WHERE ` + strings.Join(where, " AND ") + ` ORDER BY conversation_id, message_id`)
	if q.Last > 0 {
		args = append(args, q.Last)
		sql = `SELECT data FROM (SELECT data, conversation_id, message_id,
			row_number() OVER (PARTITION BY conversation_id ORDER BY message_id DESC) AS rn
			FROM deliveries WHERE ` + strings.Join(where, " AND ") + `) d
			WHERE rn <= $` + fmt.Sprint(len(args)) + ` ORDER BY conversation_id, message_id`
	}
	if !t.pending.deliveriesOf(rt, rid) {
		// No pending delivery is r's: the read may carry them.
		sql, args, err := t.withPendingApart(sql, args, map[string]bool{"deliveries": true})
		if err != nil {
			return nil, err
		}
		return allJSON[store.Delivery](t, sql, args...)
	}
	return allJSON[store.Delivery](t, sql, args...)
}

// UnseenCount returns how many of r's notifications in conv are unseen.
func (t *Tx) UnseenCount(r store.Recipient, conv uint64) (int, error) {
	if t.noDeliveriesYet(conv) {
		return 0, nil
	}
	rt, rid := rkey(r)
	var n int
	err := t.queryRow(`SELECT count(*) FROM deliveries
		WHERE rtype = $1 AND rid = $2 AND conversation_id = $3 AND NOT seen`, rt, rid, int64(conv)).Scan(&n)
	return n, err
}

// UnseenCounts returns r's unseen notification count per conversation.
func (t *Tx) UnseenCounts(r store.Recipient) (map[uint64]int, error) {
	rt, rid := rkey(r)
	rows, err := t.query(`SELECT conversation_id, count(*) FROM deliveries
		WHERE rtype = $1 AND rid = $2 AND NOT seen GROUP BY conversation_id`, rt, rid)
	if err != nil {
		return nil, err
	}
	out := map[uint64]int{}
	var conv int64
	var n int
	_, err = pgx.ForEachRow(rows, []any{&conv, &n}, func() error {
		out[uint64(conv)] = n
		return nil
	})
	return out, err
}

// SeeUpTo marks r's unseen notifications in conv of messages up to upTo
// seen, calling see on each; it returns the changed deliveries.
func (t *Tx) SeeUpTo(r store.Recipient, conv, upTo uint64, see func(*store.Delivery)) ([]store.Delivery, error) {
	ds, err := t.Inbox(r, store.InboxQuery{Conversation: conv, UpTo: upTo, UnseenOnly: true})
	if err != nil || len(ds) == 0 {
		return nil, err
	}
	for i := range ds {
		see(&ds[i])
		if ds[i].SeenAt == nil {
			return nil, fmt.Errorf("see delivery of message %d: SeenAt not set", ds[i].MessageID)
		}
		if err := t.PutDelivery(&ds[i]); err != nil {
			return nil, err
		}
	}
	return ds, nil
}

// LinkEmail records that outbound email id carries delivery d.
func (t *Tx) LinkEmail(id uint64, d *store.Delivery) error {
	rt, rid := rkey(d.Recipient)
	t.queueLink(linkKey{int64(id), int64(d.MessageID), rt, rid})
	return nil
}

// EmailDeliveries returns the deliveries outbound email id carries.
func (t *Tx) EmailDeliveries(id uint64) ([]store.Delivery, error) {
	if ds, ok, err := t.memoEmailDeliveries(id); ok {
		return ds, err
	}
	if t.write { // the outcome is written into them next: lock them first
		if _, err := t.exec(`SELECT 1 FROM deliveries d JOIN email_deliveries e
			ON d.message_id = e.message_id AND d.rtype = e.rtype AND d.rid = e.rid
			WHERE e.outbound_id = $1 FOR UPDATE OF d`, int64(id)); err != nil {
			return nil, err
		}
	}
	rows, err := t.query(`SELECT e.message_id, d.data FROM email_deliveries e
		LEFT JOIN deliveries d ON d.message_id = e.message_id AND d.rtype = e.rtype AND d.rid = e.rid
		WHERE e.outbound_id = $1 ORDER BY e.message_id, e.rtype, e.rid`, int64(id))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Delivery, error) {
		var msg int64
		var data []byte
		var d store.Delivery
		if err := row.Scan(&msg, &data); err != nil {
			return d, err
		}
		if data == nil {
			return d, fmt.Errorf("delivery of message %d: %w", msg, store.ErrNotFound)
		}
		return d, json.Unmarshal(data, &d)
	})
}
