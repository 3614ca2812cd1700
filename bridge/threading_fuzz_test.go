package bridge_test

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/mailerr"
	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/store/storetest"
)

func newInboundService(t testing.TB) (*bridge.Service, store.Store) {
	t.Helper()
	st := storetest.Open(t, t.TempDir())
	t.Cleanup(func() { st.Close() })
	svc := bridge.New(st, bridge.Config{Domains: []string{"support.test"}, Hostname: "mx.support.test",
		UnseenDelay: time.Minute, TokenKey: []byte("fuzz key, 32 bytes long........."),
	}, nil, slog.New(slog.DiscardHandler))
	svc.Inbound.SetInbound(bridge.InboundConfig{}) // sender checks off: no DNS here
	return svc, st
}

func lastEntry(t testing.TB, st store.Store) store.MailLogEntry {
	t.Helper()
	var es []store.MailLogEntry
	_ = st.View(context.Background(), func(tx store.Tx) error {
		var err error
		es, err = tx.ListMailLog(store.MailLogQuery{Limit: 1})
		return err
	})
	if len(es) == 0 {
		t.Fatal("no mail log entry")
	}
	return es[0]
}

// FuzzThreading: whatever the headers, Receive never panics, answers nil
// or a *mailerr.Error, logs the mail, and never threads a mail into
// Carol's conversation unless it claims to be from Carol (reply token,
// Message-ID and subject tag rules all require a participant).
func FuzzThreading(f *testing.F) {
	svc, st := newInboundService(f)
	ctx := context.Background()
	seed := "From: Carol <carol@example.com>\r\nTo: support@support.test\r\nSubject: Printer\r\nMessage-ID: <p1@example.com>\r\n\r\nHelp\r\n"
	if _, err := svc.Inbound.Receive(ctx, bridge.Envelope{From: "carol@example.com", To: []string{"support@support.test"}}, []byte(seed)); err != nil {
		f.Fatal(err)
	}
	victim := lastEntry(f, st).ConversationID
	token := svc.Addresses.NewReplyToken(victim, store.Recipient{Type: store.KindCustomer, ID: 1})
	f.Add("mallory@evil.example", "Re: [#1] Printer", "<p1@example.com>", "<p1@example.com>", "p1@example.com", false)
	f.Add("Carol <carol@example.com>", "Re: [#1]", "", "", "c2@example.com", true)
	f.Add("mallory@evil.example", "[#1][#2]", "<dg.c1.00000000@mx.support.test>", "<a> <b> <p1@example.com>", "", true)
	f.Add("", "", "\x00", "<<>>", "", false)
	f.Add("=?utf-8?q?Carol?= <CAROL@EXAMPLE.COM>", "Re: [#01]", "p1@example.com", "", "dup@example.com", false)
	// Senders that reached Carol's conversation through her reply token
	// may continue their own thread there (rule 2, by their Message-IDs).
	tokenPosters := map[string]bool{}
	f.Fuzz(func(t *testing.T, from, subject, inReplyTo, references, msgID string, viaToken bool) {
		raw := "From: " + from + "\r\nTo: support@support.test\r\nSubject: " + subject + "\r\nIn-Reply-To: " + inReplyTo +
			"\r\nReferences: " + references + "\r\nMessage-ID: <" + msgID + ">\r\n\r\nbody\r\n"
		to := "support@support.test"
		if viaToken {
			to = "reply+" + token + "@support.test"
		}
		envFrom := "mallory@evil.example"
		rec, err := svc.Inbound.Receive(ctx, bridge.Envelope{From: envFrom, To: []string{to}}, []byte(raw))
		if err != nil {
			var me *mailerr.Error
			if !errors.As(err, &me) {
				t.Fatalf("error without SMTP meaning: %v", err)
			}
			return
		}
		if len(rec.Entries) == 0 {
			t.Fatal("no mail log entry for an accepted mail")
		}
		sender := store.NormalizeEmail(bridge.Analyze([]byte(raw), envFrom, nil).From)
		if sender == "" {
			sender = envFrom
		}
		for _, e := range rec.Entries {
			if e.ConversationID != victim || e.MessageID == 0 || sender == "carol@example.com" {
				continue
			}
			if viaToken {
				tokenPosters[sender] = true
			} else if !tokenPosters[sender] {
				t.Fatalf("mail from %q threaded into Carol's conversation: %+v\n%s", sender, e, raw)
			}
		}
	})
}

// The root Message-ID and a forged one: only the real one threads.
func TestForgedRootMessageIDDoesNotThread(t *testing.T) {
	svc, st := newInboundService(t)
	ctx := context.Background()
	env := bridge.Envelope{From: "carol@example.com", To: []string{"support@support.test"}}
	if _, err := svc.Inbound.Receive(ctx, env, []byte("From: carol@example.com\r\nSubject: a\r\nMessage-ID: <r1@example.com>\r\n\r\nx\r\n")); err != nil {
		t.Fatal(err)
	}
	conv := lastEntry(t, st).ConversationID
	forged := "dg.c" + strings.TrimSpace(string(rune('0'+conv))) + ".deadbeef@mx.support.test"
	if _, err := svc.Inbound.Receive(ctx, env, []byte("From: carol@example.com\r\nSubject: b\r\nMessage-ID: <r2@example.com>\r\nReferences: <"+forged+">\r\n\r\ny\r\n")); err != nil {
		t.Fatal(err)
	}
	if e := lastEntry(t, st); e.Status != bridge.InCreated {
		t.Fatalf("forged root id threaded: %+v", e)
	}
}

// Concurrent Receives share commits and each is stored exactly once.
func TestConcurrentReceiveStoresEachOnce(t *testing.T) {
	svc, st := newInboundService(t)
	ctx := context.Background()
	errs := make(chan error, 40)
	for i := range 40 {
		go func() {
			raw := "From: c" + strconv.Itoa(i%4) + "@example.com\r\nSubject: s\r\nMessage-ID: <cc" + strconv.Itoa(i) + "@example.com>\r\n\r\nx\r\n"
			_, err := svc.Inbound.Receive(ctx, bridge.Envelope{From: "x@example.com", To: []string{"support@support.test"}}, []byte(raw))
			errs <- err
		}()
	}
	for range 40 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]int{}
	_ = st.View(context.Background(), func(tx store.Tx) error {
		es, _ := tx.ListMailLog(store.MailLogQuery{Limit: 100})
		for _, e := range es {
			seen[e.MessageID]++
			if e.Status != bridge.InCreated {
				t.Errorf("%+v", e)
			}
		}
		return nil
	})
	if len(seen) != 40 {
		t.Fatalf("%d distinct mails stored, want 40", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("%s stored %d times", id, n)
		}
	}
}
