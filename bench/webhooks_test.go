package bench

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/store/events"
	"github.com/deskgate/deskgate/store/storetest"
	"github.com/deskgate/deskgate/webapi"
	"github.com/deskgate/deskgate/webhooks"
)

// Webhooks (SPEC §14, docs/building.md): how many events per second reach
// a local receiver, and what recording events adds to an inbound mail.

var benchAdmin = bridge.Caller{Kind: store.KindUser, ID: 1, Role: store.RoleAdmin}

// hookRig is a store recording events, a webhook on every event type to
// a local receiver that counts what it gets, and (once started) the
// dispatcher.
type hookRig struct {
	st   *events.Store
	disp *webhooks.Dispatcher
	got  atomic.Int64
	stop func()
}

func newHookRig(b *testing.B, subscribe bool) *hookRig {
	r := &hookRig{st: events.Record(storetest.Open(b, b.TempDir()), nil)}
	b.Cleanup(func() { r.st.Close() })
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		r.got.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	b.Cleanup(rcv.Close)
	if subscribe {
		u, evs := rcv.URL, events.Types
		if _, err := webhooks.NewAdmin(r.st, true, nil).Create(context.Background(), benchAdmin, webhooks.Input{URL: &u, Events: &evs}); err != nil {
			b.Fatal(err)
		}
	}
	r.disp = webhooks.NewDispatcher(r.st, webhooks.Options{Node: "bench", AllowPrivate: true, Render: webapi.EventData, Log: quietLog()})
	r.st.SetNotify(r.disp.Kick)
	return r
}

func (r *hookRig) start(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.disp.Run(ctx); close(done) }()
	r.stop = func() { cancel(); <-done }
	b.Cleanup(r.stop)
}

// BenchmarkWebhookEventsPerSecond queues 2,000 item.created events, then
// starts the dispatcher and times their delivery to the local receiver
// (fan-out, signing, one POST each, recording the outcome).
func BenchmarkWebhookEventsPerSecond(b *testing.B) {
	const n = 2000
	for range b.N {
		b.StopTimer()
		r := newHookRig(b, true)
		for i := 0; i < n; i += 100 {
			err := r.st.Update(context.Background(), func(tx store.Tx) error {
				p := &store.Project{Name: "P"}
				if err := tx.CreateProject(p); err != nil {
					return err
				}
				for j := range 100 {
					if err := tx.CreateItem(&store.Item{ProjectID: p.ID, Title: fmt.Sprintf("item %d", i+j), Status: store.ItemOpen}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		start := time.Now()
		r.start(b)
		for r.got.Load() < n {
			if time.Since(start) > 5*time.Minute {
				b.Fatalf("%d of %d delivered after 5 min", r.got.Load(), n)
			}
			time.Sleep(5 * time.Millisecond)
		}
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "events/s")
		r.stop()
	}
}

// BenchmarkWebhookInboundMailCost receives b.N new-conversation mails
// (each is a maillog.inbound, an item.created, a conversation.created and
// a message.created event) without any webhook ("off": nothing is
// recorded) and with one on every event type while the dispatcher sends
// them ("on"); ns/op is the time per mail.
func BenchmarkWebhookInboundMailCost(b *testing.B) {
	for _, on := range []bool{false, true} {
		name := map[bool]string{false: "off", true: "on"}[on]
		b.Run(name, func(b *testing.B) {
			r := newHookRig(b, on)
			r.start(b)
			svc := bridge.New(r.st, bridge.Config{Domains: []string{"support.test"}, Hostname: "mx.support.test",
				TokenKey: make([]byte, 32), UnseenDelay: time.Minute}, nil, quietLog())
			ctx := context.Background()
			b.ResetTimer()
			for i := range b.N {
				raw := fmt.Sprintf("From: Sender %d <s%d@example.net>\nTo: support@support.test\nSubject: Help %d\nMessage-ID: <m%d@example.net>\n\nHello, number %d.\n", i, i, i, i, i)
				if _, err := svc.Inbound.Receive(ctx, bridge.Envelope{From: fmt.Sprintf("s%d@example.net", i), To: []string{"support@support.test"}},
					[]byte(strings.ReplaceAll(raw, "\n", "\r\n"))); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if on {
				for end := time.Now().Add(time.Minute); r.got.Load() < int64(4*b.N) && time.Now().Before(end); {
					time.Sleep(10 * time.Millisecond)
				}
				b.ReportMetric(float64(r.got.Load())/float64(b.N), "webhooks/mail")
			}
		})
	}
}
