package pgstore

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// eventsChannel is the LISTEN/NOTIFY channel of new messages.
const eventsChannel = "deskgate_messages"

// maxPayload keeps a NOTIFY payload under PostgreSQL's 8,000 bytes.
const maxPayload = 7000

// Events announces new messages to the other nodes and hears theirs
// (bridge.Announcer). A notification is only a wake-up naming message ids:
// the receiving node reads their notifications from the tables, and one
// missed while its listening connection was down costs only the live
// event (clients replay by Last-Event-ID when they reconnect).
type Events struct {
	st   *Store
	node string
	log  *slog.Logger
}

// NewEvents returns the events of node over st. Announcements carry the
// node's name and a random instance tag, so two processes that share a
// name (one host, one container image) still hear each other.
func NewEvents(st *Store, node string, log *slog.Logger) *Events {
	return &Events{st: st, node: strings.ReplaceAll(node, " ", "_") + "/" + strconv.FormatUint(rand.Uint64(), 36), log: log}
}

// Announce sends "node id,id,…" on the channel, in payloads small enough
// for NOTIFY. A failure is logged: the messages are stored all the same.
func (e *Events) Announce(ctx context.Context, ids []uint64) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for len(ids) > 0 {
		var b strings.Builder
		b.WriteString(e.node)
		b.WriteByte(' ')
		n := 0
		for ; n < len(ids) && b.Len() < maxPayload; n++ {
			if n > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.FormatUint(ids[n], 10))
		}
		ids = ids[n:]
		if _, err := e.st.pool.Exec(ctx, `SELECT pg_notify($1, $2)`, eventsChannel, b.String()); err != nil {
			e.log.Warn("announcing new messages to the other nodes", "err", err)
			return
		}
	}
}

// Listen calls fn with the message ids other nodes announce, until ctx
// ends. It holds one connection of its own (LISTEN needs a session) and
// listens again after losing it.
func (e *Events) Listen(ctx context.Context, fn func(ids []uint64)) {
	for ctx.Err() == nil {
		err := e.listenOnce(ctx, fn)
		if ctx.Err() != nil {
			return
		}
		e.log.Warn("listening for other nodes' messages; retrying", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

func (e *Events) listenOnce(ctx context.Context, fn func(ids []uint64)) error {
	conn, err := e.st.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "LISTEN "+eventsChannel); err != nil {
		return err
	}
	defer func() {
		// The connection goes back to the pool: it must stop listening.
		_, _ = conn.Exec(context.WithoutCancel(ctx), "UNLISTEN *")
	}()
	for {
		n, err := conn.Conn().WaitForNotification(ctx)
		if err != nil {
			return err
		}
		node, list, ok := strings.Cut(n.Payload, " ")
		if !ok || node == e.node {
			continue
		}
		var ids []uint64
		for _, f := range strings.Split(list, ",") {
			if id, err := strconv.ParseUint(f, 10, 64); err == nil {
				ids = append(ids, id)
			}
		}
		if len(ids) > 0 {
			fn(ids)
		}
	}
}
