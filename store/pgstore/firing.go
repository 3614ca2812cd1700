package pgstore

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/deskgate/deskgate/store"
	"github.com/jackc/pgx/v5"
)

// fireSet is what a write transaction firing a batch of due timers reads
// for the whole batch at once (issue 22): firing one timer reads its
// unseen deliveries, their messages, the conversation and its newest
// messages, the customer, the address's hard bounce and outbound cap
// entries. Each of these is read on the first call that asks for one
// timer of the batch, for every timer of the batch, in one set-based
// statement (= ANY, unnest); the calls for the other timers are answered
// from here. A batch of 256 timers then costs a handful of statements
// instead of four or more per timer.
//
// What it holds stays true for the transaction: the timer rows are
// locked (FOR UPDATE SKIP LOCKED), so a post or a "seen" that would
// change a timer's deliveries waits for the commit; the deliveries read
// are locked too. What the transaction itself writes in between (its
// deliveries, cap entries, bounces) is tracked below and falls back to a
// plain read where it could matter.
type fireSet struct {
	keys  []timerKey
	inKey map[timerKey]bool
	// touched are the keys whose deliveries this transaction wrote.
	touched map[timerKey]bool

	inbox     map[timerKey][]json.RawMessage // nil: not read yet
	inboxMsgs []int64                        // the messages of inbox, each once
	customers map[int64]json.RawMessage
	convs     bool // the batch's conversations are in the memo
	messages  map[int64]json.RawMessage
	newest    map[int64][]uint64 // per conversation, newest first
	newestN   int
	bounced   map[string]json.RawMessage // address -> record (nil: none)

	// ids are ids reserved for the batch's new rows, by sequence.
	ids map[string][]int64

	capLoaded bool
	capSince  int64
	caps      map[capPair][]int64 // at_ns of each entry at or after capSince
}

// capProbe reads the outbound cap entries since $3 of each (address $1[i],
// conversation $2[i]).
const capProbe = `SELECT k.a, k.cv, c.at_ns FROM unnest($1::text[], $2::bigint[]) AS k(a, cv)
	CROSS JOIN LATERAL (SELECT at_ns FROM outbound_cap
		WHERE address = k.a AND conversation_id = k.cv AND at_ns >= $3 OFFSET 0) c`

type capPair struct {
	addr string
	conv int64
}

// startFiring notes the due timers a write transaction locked.
func (t *Tx) startFiring(keys []timerKey) {
	if !t.write || len(keys) == 0 {
		return
	}
	f := &fireSet{keys: keys, inKey: make(map[timerKey]bool, len(keys)), touched: map[timerKey]bool{}}
	for _, k := range keys {
		f.inKey[k] = true
	}
	t.batch = f
}

// touchDelivery notes a delivery this transaction writes.
func (t *Tx) touchDelivery(k delKey, conv int64) {
	if t.batch != nil {
		t.batch.touched[timerKey{conv, k.rtype, k.rid}] = true
	}
}

// batchInbox answers r's unseen deliveries in conv for a timer of the
// batch (what firing reads); ok is false when it cannot.
func (t *Tx) batchInbox(rt string, rid int64, q store.InboxQuery) ([]store.Delivery, bool, error) {
	f := t.batch
	if f == nil || q.Conversation == 0 || !q.UnseenOnly || q.After != 0 || q.UpTo != 0 || q.Last != 0 {
		return nil, false, nil
	}
	k := timerKey{int64(q.Conversation), rt, rid}
	if !f.inKey[k] || f.touched[k] {
		return nil, false, nil
	}
	if f.inbox == nil {
		if err := t.loadBatchInbox(); err != nil {
			return nil, true, err
		}
	}
	docs, loaded := f.inbox[k]
	if !loaded {
		return nil, false, nil
	}
	out := make([]store.Delivery, len(docs))
	for i, doc := range docs {
		if err := json.Unmarshal(doc, &out[i]); err != nil {
			return nil, true, fmt.Errorf("decode record: %w", err)
		}
	}
	return out, true, nil
}

// batchInboxRead reads (and locks) the unseen deliveries of the (conversation,
// recipient type, recipient) triples $1, $2, $3: one probe of
// deliveries_inbox a triple (TestDeliveryReadsUseTheirIndexes).
const batchInboxRead = `SELECT d.conversation_id, d.rtype, d.rid, d.message_id, d.data FROM deliveries d
		JOIN unnest($1::bigint[], $2::text[], $3::bigint[]) AS k(c, rt, ri)
			ON d.conversation_id = k.c AND d.rtype = k.rt AND d.rid = k.ri
		WHERE NOT d.seen ORDER BY d.conversation_id, d.rtype, d.rid, d.message_id FOR UPDATE OF d`

// loadBatchInbox reads (and locks) the unseen deliveries of every timer
// of the batch whose deliveries this transaction did not write.
func (t *Tx) loadBatchInbox() error {
	f := t.batch
	var conv, rid []int64
	var rt []string
	for _, k := range f.keys {
		if !f.touched[k] {
			conv, rt, rid = append(conv, k.conv), append(rt, k.rtype), append(rid, k.rid)
		}
	}
	f.inbox = make(map[timerKey][]json.RawMessage, len(conv))
	for i := range conv {
		f.inbox[timerKey{conv[i], rt[i], rid[i]}] = nil
	}
	// The pending deliveries are other keys' (touched ones are not read):
	// the read may carry them.
	sql, args, err := t.withPendingApart(batchInboxRead, []any{conv, rt, rid}, map[string]bool{"deliveries": true})
	if err != nil {
		return err
	}
	rows, err := t.tx.Query(t.ctx, sql, args...)
	if err != nil {
		return err
	}
	var c, r, msg int64
	var typ string
	var doc []byte
	f.inboxMsgs = nil
	_, err = pgx.ForEachRow(rows, []any{&c, &typ, &r, &msg, &doc}, func() error {
		k := timerKey{c, typ, r}
		f.inbox[k] = append(f.inbox[k], json.RawMessage(slices.Clone(doc)))
		if !slices.Contains(f.inboxMsgs, msg) {
			f.inboxMsgs = append(f.inboxMsgs, msg)
		}
		return nil
	})
	if err != nil {
		f.inbox, f.inboxMsgs = nil, nil
	}
	return err
}

// docsByID reads the documents of ids from table (id, data) by id.
func (t *Tx) docsByID(table string, ids []int64) (map[int64]json.RawMessage, error) {
	rows, err := t.query(`SELECT id, data FROM `+table+` WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]json.RawMessage, len(ids))
	var id int64
	var doc []byte
	_, err = pgx.ForEachRow(rows, []any{&id, &doc}, func() error {
		out[id] = json.RawMessage(slices.Clone(doc))
		return nil
	})
	return out, err
}

// batchCustomer answers customer id when it is a recipient of the batch.
func (t *Tx) batchCustomer(id uint64) (*store.Customer, bool, error) {
	f := t.batch
	if f == nil {
		return nil, false, nil
	}
	if f.customers == nil {
		var ids []int64
		for _, k := range f.keys {
			if k.rtype == "c" && !slices.Contains(ids, k.rid) {
				ids = append(ids, k.rid)
			}
		}
		if !slices.Contains(ids, int64(id)) {
			return nil, false, nil
		}
		docs, err := t.docsByID("customers", ids)
		if err != nil {
			return nil, true, err
		}
		f.customers = docs
		for _, i := range ids {
			if _, ok := docs[i]; !ok {
				f.customers[i] = nil
			}
		}
	}
	doc, ok := f.customers[int64(id)]
	if !ok {
		return nil, false, nil
	}
	if doc == nil {
		return nil, true, fmt.Errorf("customer %d: %w", id, store.ErrNotFound)
	}
	var c store.Customer
	if err := json.Unmarshal(doc, &c); err != nil {
		return nil, true, fmt.Errorf("decode record: %w", err)
	}
	return &c, true, nil
}

// batchConversations puts the batch's conversations in the memo, once,
// when conv is one of them (firing reads them without a lock).
func (t *Tx) batchConversations(conv uint64) error {
	f := t.batch
	if f == nil || f.convs {
		return nil
	}
	var ids []int64
	for _, k := range f.keys {
		if !slices.Contains(ids, k.conv) {
			ids = append(ids, k.conv)
		}
	}
	if !slices.Contains(ids, int64(conv)) {
		return nil
	}
	f.convs = true
	docs, err := t.docsByID("conversations", ids)
	if err != nil {
		return err
	}
	for id, doc := range docs {
		if _, mine := t.docs[docKey{"conversations", id}]; !mine {
			t.memoDoc("conversations", uint64(id), doc)
		}
	}
	return nil
}

// batchMessage answers message id when it is one the batch's deliveries
// are about.
func (t *Tx) batchMessage(id uint64) (*store.Message, bool, error) {
	f := t.batch
	if f == nil || f.inbox == nil {
		return nil, false, nil
	}
	if f.messages == nil {
		ids := f.inboxMsgs // read with the deliveries, not decoded from them
		if !slices.Contains(ids, int64(id)) {
			return nil, false, nil
		}
		docs, err := t.docsByID("messages", ids)
		if err != nil {
			return nil, true, err
		}
		f.messages = docs
	}
	doc, ok := f.messages[int64(id)]
	if !ok {
		return nil, false, nil
	}
	var m store.Message
	if err := json.Unmarshal(doc, &m); err != nil {
		return nil, true, fmt.Errorf("decode record: %w", err)
	}
	return &m, true, nil
}

// batchNewest answers the ids of conv's newest n messages for a
// conversation of the batch.
func (t *Tx) batchNewest(conv uint64, n int) ([]uint64, bool, error) {
	f := t.batch
	if f == nil || n <= 0 {
		return nil, false, nil
	}
	if f.newest == nil || n > f.newestN {
		var ids []int64
		for _, k := range f.keys {
			if !slices.Contains(ids, k.conv) {
				ids = append(ids, k.conv)
			}
		}
		if !slices.Contains(ids, int64(conv)) {
			return nil, false, nil
		}
		rows, err := t.query(`SELECT conversation_id, id FROM (SELECT conversation_id, id,
				row_number() OVER (PARTITION BY conversation_id ORDER BY id DESC) AS rn
				FROM messages WHERE conversation_id = ANY($1)) m
			WHERE rn <= $2 ORDER BY conversation_id, id DESC`, ids, n)
		if err != nil {
			return nil, true, err
		}
		newest := make(map[int64][]uint64, len(ids))
		for _, c := range ids {
			newest[c] = []uint64{}
		}
		var c, id int64
		if _, err := pgx.ForEachRow(rows, []any{&c, &id}, func() error {
			newest[c] = append(newest[c], uint64(id))
			return nil
		}); err != nil {
			return nil, true, err
		}
		f.newest, f.newestN = newest, n
	}
	ids, ok := f.newest[int64(conv)]
	if !ok {
		return nil, false, nil
	}
	return slices.Clone(ids[:min(n, len(ids))]), true, nil
}

// batchAddresses are the addresses of the batch's recipients, as now,
// by timer.
func (t *Tx) batchAddresses() (map[timerKey]string, []string) {
	byKey := make(map[timerKey]string, len(t.batch.keys))
	var all []string
	for _, k := range t.batch.keys {
		var addr string
		if k.rtype == "c" {
			c, err := t.Customer(uint64(k.rid))
			if err != nil {
				continue // read on its own when it fires
			}
			addr = c.Email
		} else {
			u, err := t.User(uint64(k.rid))
			if err != nil {
				continue
			}
			addr = u.Email
		}
		addr = store.NormalizeEmail(addr)
		byKey[k] = addr
		if !slices.Contains(all, addr) {
			all = append(all, addr)
		}
	}
	return byKey, all
}

// batchBounced answers addr's hard bounce record for a recipient of the
// batch.
func (t *Tx) batchBounced(addr string) (store.BouncedAddress, bool, bool, error) {
	f := t.batch
	var b store.BouncedAddress
	if f == nil {
		return b, false, false, nil
	}
	addr = store.NormalizeEmail(addr)
	if f.bounced == nil {
		_, addrs := t.batchAddresses()
		if !slices.Contains(addrs, addr) {
			return b, false, false, nil
		}
		rows, err := t.query(`SELECT address, data FROM bounced_addresses WHERE address = ANY($1)`, addrs)
		if err != nil {
			return b, false, true, err
		}
		f.bounced = make(map[string]json.RawMessage, len(addrs))
		for _, a := range addrs {
			f.bounced[a] = nil
		}
		var a string
		var doc []byte
		if _, err := pgx.ForEachRow(rows, []any{&a, &doc}, func() error {
			f.bounced[a] = json.RawMessage(slices.Clone(doc))
			return nil
		}); err != nil {
			f.bounced = nil
			return b, false, true, err
		}
	}
	doc, known := f.bounced[addr]
	if !known {
		return b, false, false, nil
	}
	if doc == nil {
		return b, false, true, nil
	}
	if err := json.Unmarshal(doc, &b); err != nil {
		return b, false, true, fmt.Errorf("decode record: %w", err)
	}
	return b, true, true, nil
}

// forgetBounced drops what the batch knows of addr's bounce.
func (t *Tx) forgetBounced(addr string) {
	if t.batch != nil && t.batch.bounced != nil {
		delete(t.batch.bounced, addr)
	}
}

// batchCount answers CountOutboundEmails for a recipient and
// conversation of the batch.
func (t *Tx) batchCount(addr string, conv uint64, since int64) (int, int64, bool, error) {
	f := t.batch
	if f == nil {
		return 0, 0, false, nil
	}
	if !f.capLoaded || since < f.capSince {
		byKey, addrs := t.batchAddresses()
		if !slices.Contains(addrs, addr) {
			return 0, 0, false, nil
		}
		var pa []string
		var pc []int64
		seen := map[capPair]bool{}
		for k, a := range byKey {
			if p := (capPair{a, k.conv}); !seen[p] {
				seen[p] = true
				pa, pc = append(pa, a), append(pc, k.conv)
			}
		}
		// Not carried by the read: this transaction's own entries must be
		// in what it counts.
		if !t.pending.empty() && t.pending.tables()["outbound_cap"] {
			if err := t.flush(); err != nil {
				return 0, 0, true, err
			}
		}
		// One index probe (outbound_cap_pair) per pair: a join the
		// planner is free to plan hashes the whole table instead, which
		// grows by an entry per email sent (9 ms a batch of 256 at
		// 100,000 entries, against well under 1 ms probed).
		rows, err := t.query(capProbe, pa, pc, since)
		if err != nil {
			return 0, 0, true, err
		}
		caps := map[capPair][]int64{}
		for i := range pa {
			caps[capPair{pa[i], pc[i]}] = []int64{}
		}
		var a string
		var c, at int64
		if _, err := pgx.ForEachRow(rows, []any{&a, &c, &at}, func() error {
			p := capPair{a, c}
			caps[p] = append(caps[p], at)
			return nil
		}); err != nil {
			return 0, 0, true, err
		}
		f.caps, f.capSince, f.capLoaded = caps, since, true
	}
	ats, ok := f.caps[capPair{addr, int64(conv)}]
	if !ok {
		return 0, 0, false, nil
	}
	n, oldest := 0, int64(0)
	for _, at := range ats {
		if at >= since {
			n++
			if oldest == 0 || at < oldest {
				oldest = at
			}
		}
	}
	return n, oldest, true, nil
}

// recordCap notes a cap entry this transaction wrote.
func (t *Tx) recordCap(r capRow) {
	if f := t.batch; f != nil && f.capLoaded {
		p := capPair{r.addr, r.conv}
		if ats, ok := f.caps[p]; ok {
			f.caps[p] = append(ats, r.at)
		}
	}
}

// prunedCaps notes that cap entries before `before` were deleted.
func (t *Tx) prunedCaps(before int64) {
	if f := t.batch; f != nil && f.capLoaded && before > f.capSince {
		f.capLoaded = false
	}
}

// reservedID returns a new id of seq ("maillog" for the mail log's own)
// for a transaction firing a batch: the ids of as many rows as the batch
// has timers are drawn in one statement, then handed out one by one, so
// the rows can be written blindly with the next statement. ok is false
// outside a batch. Ids drawn and not used are skipped, as a sequence's
// ids of a rolled-back transaction are.
func (t *Tx) reservedID(seq string) (int64, bool, error) {
	f := t.batch
	if f == nil {
		return 0, false, nil
	}
	if len(f.ids[seq]) == 0 {
		name := "'" + seq + "'"
		if seq == "maillog" {
			name = "pg_get_serial_sequence('maillog', 'id')"
		}
		rows, err := t.query(`SELECT nextval(`+name+`) FROM generate_series(1, $1)`, len(f.keys))
		if err != nil {
			return 0, true, err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return 0, true, err
		}
		if f.ids == nil {
			f.ids = map[string][]int64{}
		}
		f.ids[seq] = ids
	}
	id := f.ids[seq][0]
	f.ids[seq] = f.ids[seq][1:]
	return id, true, nil
}
