package bench

import (
	"context"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/internal/clocktest"
	"github.com/deskgate/deskgate/store"
)

// BenchmarkFireBurst: a burst of due timers, all at once: 1,000 users follow
// a conversation with 100 messages, the last 10 of them unseen by all, and
// the timer loop fires their 1,000 emails (10 messages each). burst-ms is
// how long the 1,000 emails take, from FireDue's start to the last commit.
func BenchmarkFireBurst(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		h := newHelpdesk(b, b.TempDir(), 1000, 1)
		clock := clocktest.New(t0)
		out := &recordingOutbox{delay: time.Minute, now: time.Now}
		svc := h.service(clock, out, time.Minute)
		ctx := context.Background()
		for i := range 100 {
			if i == 90 { // the first 90 were emailed long ago
				clock.Set(t0.Add(time.Hour))
				if err := svc.Notifications.FireDue(ctx); err != nil {
					b.Fatal(err)
				}
				clock.Set(t0.Add(2 * time.Hour))
			}
			if _, err := svc.Conversations.PostMessage(ctx, h.customer(0), h.convs[0], bridge.NewMessage{Body: "still broken"}); err != nil {
				b.Fatal(err)
			}
		}
		before, _ := out.committed()
		clock.Set(t0.Add(3 * time.Hour))
		b.StartTimer()
		start := time.Now()
		if err := svc.Notifications.FireDue(ctx); err != nil {
			b.Fatal(err)
		}
		burst := time.Since(start)
		b.StopTimer()
		after, _ := out.committed()
		if after-before != 1000 || timerCount(b, h.st) != 0 {
			b.Fatalf("burst queued %d emails, %d timers left", after-before, timerCount(b, h.st))
		}
		h.st.Close()
		b.ReportMetric(float64(burst.Microseconds())/1000, "burst-ms")
		b.ReportMetric(loadAvg(), "loadavg")
		b.StartTimer()
	}
}

// BenchmarkFireAcrossLongConversations: 256 timers due at once (one
// transaction's worth), each for a different conversation of 500 messages.
// burst-ms is how long firing them takes: an email's References must not
// cost a read of its whole conversation.
func BenchmarkFireAcrossLongConversations(b *testing.B) {
	const convs, history = 256, 500
	for b.Loop() {
		b.StopTimer()
		h := newHelpdesk(b, b.TempDir(), 1, convs)
		err := h.st.Update(context.Background(), func(tx store.Tx) error {
			for _, conv := range h.convs {
				for range history {
					m := &store.Message{ConversationID: conv, Kind: store.KindExternal, Body: "earlier message",
						Author: store.Author{Type: store.AuthorUser, ID: h.users[0]}, Attachments: []store.Attachment{}, CreatedAt: t0}
					if err := tx.CreateMessage(m, nil); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		clock := clocktest.New(t0)
		out := &recordingOutbox{delay: time.Minute, now: time.Now}
		svc := h.service(clock, out, time.Minute)
		ctx := context.Background()
		agent := bridge.Caller{Kind: store.KindUser, ID: h.users[0], Role: store.RoleAgent}
		for _, conv := range h.convs {
			if _, err := svc.Conversations.PostMessage(ctx, agent, conv, bridge.NewMessage{Body: "any news?"}); err != nil {
				b.Fatal(err)
			}
		}
		clock.Set(t0.Add(2 * time.Minute))
		b.StartTimer()
		start := time.Now()
		if err := svc.Notifications.FireDue(ctx); err != nil {
			b.Fatal(err)
		}
		burst := time.Since(start)
		b.StopTimer()
		if n, _ := out.committed(); n != convs {
			b.Fatalf("%d emails, want %d", n, convs)
		}
		h.st.Close()
		b.ReportMetric(float64(burst.Microseconds())/1000, "burst-ms")
		b.ReportMetric(loadAvg(), "loadavg")
		b.StartTimer()
	}
}
