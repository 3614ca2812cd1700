package bridge

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/store/storetest"
)

// TestInboundWakesAutomationsOnlyForAnEvent: an inbound mail wakes this
// node's automation worker only when it queued an event for it. With no
// automation listening, a wake-up cost the worker a read transaction
// (three round trips on PostgreSQL) for most mails on a busy MX, for an
// empty queue (issue 22).
func TestInboundWakesAutomationsOnlyForAnEvent(t *testing.T) {
	st := storetest.Open(t, t.TempDir())
	t.Cleanup(func() { st.Close() })
	svc := New(st, Config{Domains: []string{"support.test"}, Hostname: "mx.support.test",
		UnseenDelay: time.Minute, TokenKey: []byte("kick key, 32 bytes long........."),
	}, nil, slog.New(slog.DiscardHandler))
	svc.Inbound.SetInbound(InboundConfig{})
	ctx := context.Background()
	receive := func(i int) {
		t.Helper()
		raw := fmt.Sprintf("From: a@x.test\r\nTo: support@support.test\r\nSubject: kick %d\r\nMessage-ID: <k%d@x.test>\r\n\r\nHello.\r\n", i, i)
		if _, err := svc.Inbound.Receive(ctx, Envelope{From: "a@x.test", To: []string{"support@support.test"}}, []byte(raw)); err != nil {
			t.Fatal(err)
		}
	}
	woken := func() bool {
		select {
		case <-svc.Messaging.autoWake:
			return true
		default:
			return false
		}
	}
	receive(1)
	if woken() {
		t.Error("a mail no automation listens to woke the automation worker")
	}
	if err := st.Update(ctx, func(tx store.Tx) error {
		return tx.CreateAutomation(&store.Automation{Name: "on mail", Event: EventMessageCreated, Enabled: true})
	}); err != nil {
		t.Fatal(err)
	}
	receive(2)
	if !woken() {
		t.Error("a mail that queued an automation event did not wake the worker")
	}
	var n int
	if err := st.View(ctx, func(tx store.Tx) (err error) { n, err = tx.OutboxQueued(store.ConsumerAutomations); return err }); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d automation events queued, want 1 (the second mail's message.created)", n)
	}
}
