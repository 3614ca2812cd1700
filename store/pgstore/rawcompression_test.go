package pgstore

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/deskgate/deskgate/internal/testenv"
	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/store/pgstore/pgtest"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestRawMessagesCompressWithLZ4: the raw messages of the mail log and of
// the outbound queue (over the TOAST threshold, so compressed as they are
// written, one of each per notification email) are compressed with lz4,
// about five times cheaper than PostgreSQL's default pglz, and read back
// whole.
func TestRawMessagesCompressWithLZ4(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, pgtest.NewSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Pool().Exec(ctx, `CREATE TEMP TABLE lz4_probe (b bytea COMPRESSION lz4)`); err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "0A000" { // feature_not_supported
			testenv.Unavailable(t, "this PostgreSQL server is built without lz4: %v", err)
		}
		t.Fatal(err)
	}
	raw := bytes.Repeat([]byte("Subject: Ticket 42\r\n\r\nMy printer is on fire, please help.\r\n"), 100)
	var logID, outID uint64
	err = s.Update(ctx, func(tx store.Tx) error {
		e := &store.MailLogEntry{Direction: store.DirOutbound, At: time.Now(), To: "a@example.com", Status: store.EmailQueued}
		if err := tx.AddMailLog(e, raw); err != nil {
			return err
		}
		logID = e.ID
		id, err := tx.NewOutboundID()
		if err != nil {
			return err
		}
		outID = id
		now := time.Now()
		return tx.PutOutbound(&store.OutboundEmail{ID: id, Recipient: "a@example.com", MessageID: "<x@support.test>",
			State: store.OutboundQueued, QueuedAt: now, NextAttempt: now, MailLogID: logID}, raw)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []struct{ table, sql string }{
		{"maillog", `SELECT pg_column_compression(raw), raw FROM maillog WHERE id = $1`},
		{"outbound", `SELECT pg_column_compression(raw), raw FROM outbound WHERE id = $1`},
	} {
		id := logID
		if q.table == "outbound" {
			id = outID
		}
		var method *string
		var got []byte
		if err := s.Pool().QueryRow(ctx, q.sql, int64(id)).Scan(&method, &got); err != nil {
			t.Fatal(q.table, err)
		}
		if method == nil || *method != "lz4" {
			t.Errorf("%s raw compressed with %v, want lz4", q.table, compressionName(method))
		}
		if !bytes.Equal(got, raw) {
			t.Errorf("%s raw read back as %d bytes, want the %d written", q.table, len(got), len(raw))
		}
	}
}

func compressionName(p *string) string {
	if p == nil {
		return "nothing (stored uncompressed)"
	}
	return *p
}
