package outbound

import (
	"bytes"
	"context"
	"net"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/store"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestDeliversThreadedSignedEmailWithVERPSender(t *testing.T) {
	up := startUpstream(t)
	e := newEnv(t, up.addr, nil)
	e.start()
	id := e.enqueue(1, "carla@example.org")
	rec := e.waitState(id, store.OutboundSent)
	e.waitIdle()

	got := up.messages()
	if len(got) != 1 {
		t.Fatalf("upstream got %d messages, want 1", len(got))
	}
	m := got[0]
	if !strings.HasPrefix(m.From, "bounce+") || !strings.HasSuffix(m.From, "@"+testDomain) {
		t.Fatalf("envelope sender %q is not a VERP bounce address", m.From)
	}
	tok := strings.TrimSuffix(strings.TrimPrefix(m.From, "bounce+"), "@"+testDomain)
	if gotID, err := e.svc.Addresses.ParseBounceToken(tok); err != nil || gotID != id {
		t.Fatalf("bounce token names %d (%v), want %d", gotID, err, id)
	}
	if len(m.To) != 1 || m.To[0] != "carla@example.org" {
		t.Fatalf("RCPT TO %v", m.To)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"Message-Id":               "<dg.test1@mx.support.test>",
		"In-Reply-To":              "<root7@mx.support.test>",
		"References":               "<root7@mx.support.test>",
		"Reply-To":                 "<reply+tok1@support.test>",
		"Auto-Submitted":           "auto-generated",
		"X-Auto-Response-Suppress": "All",
		"X-Deskgate-Origin":        "mx.support.test",
		"Subject":                  "Printer on fire [#7]",
		"Mime-Version":             "1.0",
	}
	for k, v := range want {
		if g := msg.Header.Get(k); g != v {
			t.Errorf("%s: %q, want %q", k, g, v)
		}
	}
	from, err := mail.ParseAddress(msg.Header.Get("From"))
	if err != nil || from.Address != "notifications@"+testDomain || from.Name != "Alice Agent" {
		t.Errorf("From %q: %v %v", msg.Header.Get("From"), from, err)
	}
	if n := len(msg.Header["Dkim-Signature"]); n != 2 {
		t.Errorf("%d DKIM signatures, want 2", n)
	}
	if !strings.HasPrefix(msg.Header.Get("Content-Type"), "multipart/alternative") {
		t.Errorf("Content-Type %q", msg.Header.Get("Content-Type"))
	}
	if !bytes.Contains(m.Data, []byte("have you tried turning it off?")) {
		t.Errorf("body lacks the message text:\n%s", m.Data)
	}

	if rec.Attempts != 1 || !rec.Signed || !strings.Contains(rec.LastResult, "250") {
		t.Errorf("record after delivery: %+v", rec)
	}
	le := e.logEntry(id)
	if le.Direction != store.DirOutbound || le.Status != store.EmailSent || !strings.Contains(le.Detail, "250") || le.MessageID != "dg.test1@mx.support.test" {
		t.Errorf("mail log entry: %+v", le)
	}
	var logRaw []byte
	_ = e.st.View(context.Background(), func(tx store.Tx) error { logRaw, _ = tx.MailLogRaw(le.ID); return nil })
	if !bytes.Equal(logRaw, m.Data) {
		t.Errorf("mail log raw is not the signed message that was sent")
	}
	for _, d := range e.deliveries(id) {
		if d.EmailStatus != store.EmailSent || !strings.Contains(d.Detail, "250") {
			t.Errorf("delivery: %+v", d)
		}
	}
	_ = e.st.View(context.Background(), func(tx store.Tx) error {
		if _, err := tx.OutboundRaw(id); err == nil {
			t.Error("raw message of a sent email still in the queue")
		}
		if n, err := tx.OutboundPending(); err != nil || n != 0 {
			t.Errorf("%d pending after delivery (%v)", n, err)
		}
		return nil
	})
	if v := testutil.ToFloat64(e.q.metrics.attempts.WithLabelValues("sent")); v != 1 {
		t.Errorf("attempts{sent} = %v", v)
	}
	if n := testutil.CollectAndCount(e.q.metrics.latency); n != 1 {
		t.Errorf("latency histogram: %d series", n)
	}
	if err := testutil.GatherAndCompare(e.reg, strings.NewReader("# HELP deskgate_outbound_queue_depth Outbound emails waiting for delivery (queued or deferred).\n# TYPE deskgate_outbound_queue_depth gauge\ndeskgate_outbound_queue_depth 0\n"), "deskgate_outbound_queue_depth"); err != nil {
		t.Error(err)
	}
}

func TestGreylistingDefersThenDelivers(t *testing.T) {
	up := startUpstream(t)
	up.answer(greylist())
	e := newEnv(t, up.addr, nil)
	e.start()
	id := e.enqueue(1, "carla@example.org")
	rec := e.waitState(id, store.OutboundDeferred)
	if rec.Attempts != 1 || !rec.NextAttempt.Equal(e.clock.Now().Add(time.Minute)) {
		t.Fatalf("deferred record: %+v", rec)
	}
	le := e.logEntry(id)
	if le.Status != store.EmailDeferred || !strings.Contains(le.Detail, "451 4.7.1") || !strings.Contains(le.Detail, "next attempt at 2026-12-01T12:01:00Z") {
		t.Fatalf("mail log after 451: %+v", le)
	}
	if d := e.deliveries(id)[0]; d.EmailStatus != store.EmailDeferred || !strings.Contains(d.Detail, "451") {
		t.Fatalf("delivery after 451: %+v", d)
	}
	if len(up.messages()) != 0 {
		t.Fatal("a greylisted message was recorded as received")
	}
	// Not due yet: nothing happens.
	e.settle()
	if rec := e.record(id); rec.Attempts != 1 {
		t.Fatalf("retried before the schedule: %d attempts", rec.Attempts)
	}
	e.clock.Advance(time.Minute)
	rec = e.waitState(id, store.OutboundSent)
	if rec.Attempts != 2 || len(up.messages()) != 1 {
		t.Fatalf("after retry: %d attempts, %d received", rec.Attempts, len(up.messages()))
	}
	e.waitIdle()
	if v := testutil.ToFloat64(e.q.metrics.attempts.WithLabelValues("deferred")); v != 1 {
		t.Errorf("attempts{deferred} = %v", v)
	}
}

func TestPermanentFailureBounces(t *testing.T) {
	up := startUpstream(t)
	up.answer(reject())
	e := newEnv(t, up.addr, nil)
	e.start()
	id := e.enqueue(1, "nobody@example.org")
	rec := e.waitState(id, store.OutboundBounced)
	if !strings.Contains(rec.LastResult, "550 5.1.1 no such user here") {
		t.Fatalf("last result %q", rec.LastResult)
	}
	if le := e.logEntry(id); le.Status != store.EmailBounced || !strings.Contains(le.Detail, "550 5.1.1") {
		t.Fatalf("mail log: %+v", le)
	}
	if d := e.deliveries(id)[0]; d.EmailStatus != store.EmailBounced || !strings.Contains(d.Detail, "550 5.1.1") {
		t.Fatalf("delivery: %+v", d)
	}
	// 5.1.1 says the mailbox is bad: the address cools off like after a DSN.
	_ = e.st.View(context.Background(), func(tx store.Tx) error {
		b, ok, err := tx.BouncedAddress("nobody@example.org")
		if err != nil || !ok || b.Status != "5.1.1" || !b.Until.After(e.clock.Now().Add(23*time.Hour)) {
			t.Fatalf("hard bounce record: %+v %v", b, ok)
		}
		return nil
	})
	e.clock.Advance(time.Hour)
	e.settle()
	if rec := e.record(id); rec.Attempts != 1 || len(up.messages()) != 0 {
		t.Fatalf("a bounced email was retried: %+v", rec)
	}
}

func TestConnectionRefusedDefersAndRetries(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens: connection refused
	e := newEnv(t, addr, nil)
	e.start()
	id := e.enqueue(1, "carla@example.org")
	rec := e.waitState(id, store.OutboundDeferred)
	if !strings.Contains(rec.LastResult, "connect") {
		t.Fatalf("last result %q", rec.LastResult)
	}
	// The upstream comes back on the same port.
	up := startUpstreamAt(t, addr)
	e.clock.Advance(time.Minute)
	e.waitState(id, store.OutboundSent)
	if len(up.messages()) != 1 {
		t.Fatalf("received %d", len(up.messages()))
	}
}

func TestQueueLifetimeExpiryBounces(t *testing.T) {
	up := startUpstream(t)
	for range 10 {
		up.answer(greylist())
	}
	e := newEnv(t, up.addr, func(o *Options) {
		o.RetrySchedule = []time.Duration{time.Minute}
		o.Lifetime = 3 * time.Minute
	})
	e.start()
	id := e.enqueue(1, "carla@example.org")
	for n := 1; n <= 10; n++ {
		rec := e.waitAttempts(id, n)
		if rec.State == store.OutboundBounced {
			// Attempts at 0, 1, 2 and 3 minutes; after the 4th the next
			// would be past the lifetime. (Under load the bounce may be
			// seen only after the clock moved on once more.)
			if rec.Attempts != 4 || n > 5 || !strings.Contains(rec.LastResult, "451") {
				t.Fatalf("bounced after %d attempts: %+v", n, rec)
			}
			le := e.logEntry(id)
			if le.Status != store.EmailBounced || !strings.Contains(le.Detail, "given up after 4 attempts") {
				t.Fatalf("mail log: %+v", le)
			}
			return
		}
		e.clock.Advance(time.Minute)
	}
	t.Fatal("never bounced")
}

func TestRestartResumesAndSendsNothingTwice(t *testing.T) {
	up := startUpstream(t)
	up.answer(greylist(), greylist(), greylist())
	e := newEnv(t, up.addr, func(o *Options) { o.MaxWorkers = 1 })
	e.start()
	var ids []uint64
	for n := range 5 {
		ids = append(ids, e.enqueue(n, "carla@example.org"))
	}
	for _, id := range ids {
		e.waitAttempts(id, 1)
	}
	if n := len(up.messages()); n != 2 {
		t.Fatalf("first pass delivered %d, want 2", n)
	}
	e.close() // stop the queue and close the store: a restart
	e.open()
	e.clock.Advance(time.Minute)
	e.start()
	for _, id := range ids {
		e.waitState(id, store.OutboundSent)
	}
	got := up.messages()
	seen := map[string]int{}
	for _, m := range got {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		seen[msg.Header.Get("Message-Id")]++
	}
	if len(got) != 5 || len(seen) != 5 {
		t.Fatalf("received %d messages, %d distinct: %v", len(got), len(seen), seen)
	}
}

func TestPruningTheMailLogDoesNotBreakTheQueue(t *testing.T) {
	up := startUpstream(t)
	up.answer(greylist())
	e := newEnv(t, up.addr, nil)
	e.start()
	id := e.enqueue(1, "carla@example.org")
	e.waitState(id, store.OutboundDeferred)
	err := e.st.Update(context.Background(), func(tx store.Tx) error {
		n, err := tx.PruneMailLog(time.Now().Add(time.Hour), 100)
		if n != 1 {
			t.Errorf("pruned %d entries", n)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	e.waitState(id, store.OutboundSent)
	if len(up.messages()) != 1 {
		t.Fatal("not delivered after pruning")
	}
}

func TestSeenBeforeItLeftIsCancelled(t *testing.T) {
	up := startUpstream(t)
	up.answer(greylist())
	e := newEnv(t, up.addr, nil)
	e.start()
	id := e.enqueue(1, "carla@example.org")
	e.waitState(id, store.OutboundDeferred)
	err := e.st.Update(context.Background(), func(tx store.Tx) error {
		d := e.deliveries(id)[0]
		now := e.clock.Now()
		d.SeenAt = &now
		return tx.PutDelivery(&d)
	})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	rec := e.waitState(id, store.OutboundCancelled)
	if rec.Attempts != 1 || len(up.messages()) != 0 {
		t.Fatalf("cancelled email was sent: %+v", rec)
	}
	if le := e.logEntry(id); le.Status != store.OutboundCancelled {
		t.Fatalf("mail log: %+v", le)
	}
	if d := e.deliveries(id)[0]; d.EmailStatus != store.EmailSkipped || !strings.Contains(d.Detail, "cancelled") {
		t.Fatalf("delivery: %+v", d)
	}
}

func TestBouncerMarksEmailByIDOrMessageID(t *testing.T) {
	up := startUpstream(t)
	e := newEnv(t, up.addr, nil)
	e.start()
	a := e.enqueue(1, "carla@example.org")
	b := e.enqueue(2, "dora@example.org")
	e.waitState(a, store.OutboundSent)
	e.waitState(b, store.OutboundSent)
	for _, c := range []struct {
		ref  bridge.BounceRef
		id   uint64
		want bool
	}{
		{bridge.BounceRef{EmailID: a}, a, true},
		{bridge.BounceRef{MessageID: "<dg.test2@mx.support.test>"}, b, true},
		{bridge.BounceRef{EmailID: 999, MessageID: "unknown@else"}, 0, false},
	} {
		var found bool
		err := e.st.Update(context.Background(), func(tx store.Tx) error {
			var err error
			found, err = e.q.Bounced(tx, c.ref, "5.1.1", "user unknown")
			return err
		})
		if err != nil || found != c.want {
			t.Fatalf("Bounced(%+v) = %v, %v", c.ref, found, err)
		}
		if !found {
			continue
		}
		if rec := e.record(c.id); rec.State != store.OutboundBounced || !strings.Contains(rec.LastResult, "5.1.1 user unknown") {
			t.Fatalf("record: %+v", rec)
		}
		if le := e.logEntry(c.id); le.Status != store.EmailBounced {
			t.Fatalf("mail log: %+v", le)
		}
		if d := e.deliveries(c.id)[0]; d.EmailStatus != store.EmailBounced || !strings.Contains(d.Detail, "5.1.1") {
			t.Fatalf("delivery: %+v", d)
		}
	}
}

func TestPerDestinationConnectionLimit(t *testing.T) {
	up := startUpstream(t)
	up.delay = 30 * time.Millisecond
	e := newEnv(t, up.addr, func(o *Options) { o.MaxPerDestination = 3 })
	e.start()
	var ids []uint64
	for n := range 15 {
		ids = append(ids, e.enqueue(n, "carla@example.org"))
	}
	for _, id := range ids {
		e.waitState(id, store.OutboundSent)
	}
	if m := up.maxSessions(); m > 3 || m < 1 {
		t.Fatalf("%d concurrent sessions, limit 3", m)
	}
	if len(up.messages()) != 15 {
		t.Fatalf("received %d", len(up.messages()))
	}
}

// One session carries several emails; a rejected one is reset and the
// next still goes through on the same connection.
func TestSessionIsReusedAcrossEmailsAndRejections(t *testing.T) {
	up := startUpstream(t)
	up.answer(nil, reject(), nil)
	e := newEnv(t, up.addr, func(o *Options) { o.MaxPerDestination = 1 })
	var ids []uint64
	for n := range 6 {
		ids = append(ids, e.enqueue(n, "carla@example.org"))
	}
	e.start()
	want := []string{store.OutboundSent, store.OutboundBounced, store.OutboundSent, store.OutboundSent, store.OutboundSent, store.OutboundSent}
	for i, id := range ids {
		e.waitState(id, want[i])
	}
	up.mu.Lock()
	total := up.total
	up.mu.Unlock()
	if total != 1 {
		t.Fatalf("%d connections for 6 emails queued together, want 1", total)
	}
	if len(up.messages()) != 5 {
		t.Fatalf("received %d, want 5", len(up.messages()))
	}
}

// Run returns when its context ends: an attempt in flight finishes; one
// that hangs past ShutdownTimeout is cut off and stays pending (retried
// after the restart), counted as attempted.
func TestRunFinishesInFlightAttemptsOnShutdown(t *testing.T) {
	up := startUpstream(t)
	up.delay = 300 * time.Millisecond
	e := newEnv(t, up.addr, nil)
	e.start()
	id := e.enqueue(1, "carla@example.org")
	e.eventually("the attempt to start", func() bool { return e.inflight(id) || e.record(id).State != store.OutboundQueued })
	e.stop()
	if rec := e.record(id); rec.State != store.OutboundSent || len(up.messages()) != 1 {
		t.Fatalf("in-flight attempt not finished at shutdown: %+v", rec)
	}
}

func TestShutdownCutsOffAHungUpstream(t *testing.T) {
	up := startUpstream(t)
	up.delay = time.Minute
	e := newEnv(t, up.addr, func(o *Options) { o.ShutdownTimeout = 100 * time.Millisecond })
	e.start()
	id := e.enqueue(1, "carla@example.org")
	e.eventually("the attempt to be recorded", func() bool { return e.record(id).Attempts > 0 })
	e.stop() // fails the test after 30 s: without the cut-off Run would wait the upstream's minute
	rec := e.record(id)
	if !rec.Pending() || rec.Attempts != 1 {
		t.Fatalf("cut-off attempt: %+v", rec)
	}
}

// A DSN for an email still being retried stops the retries.
func TestBounceOfADeferredEmailStopsRetries(t *testing.T) {
	up := startUpstream(t)
	up.answer(greylist())
	e := newEnv(t, up.addr, nil)
	e.start()
	id := e.enqueue(1, "carla@example.org")
	e.waitState(id, store.OutboundDeferred)
	e.waitIdle()
	err := e.st.Update(context.Background(), func(tx store.Tx) error {
		found, err := e.q.Bounced(tx, bridge.BounceRef{EmailID: id}, "5.2.2", "mailbox full")
		if !found {
			t.Error("deferred email not found")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Hour)
	e.settle()
	rec := e.record(id)
	if rec.State != store.OutboundBounced || rec.Attempts != 1 || len(up.messages()) != 0 {
		t.Fatalf("after the DSN: %+v, %d received", rec, len(up.messages()))
	}
	_ = e.st.View(context.Background(), func(tx store.Tx) error {
		if n, err := tx.OutboundPending(); err != nil || n != 0 {
			t.Errorf("%d still pending (%v)", n, err)
		}
		return nil
	})
}

// An address no server could take bounces at once, without a dial, and
// does not disturb the emails queued with it.
func TestInvalidRecipientBouncesWithoutSending(t *testing.T) {
	up := startUpstream(t)
	e := newEnv(t, up.addr, func(o *Options) { o.MaxPerDestination = 1 })
	bad := e.enqueue(1, "no address at all")
	good := e.enqueue(2, "carla@example.org")
	e.start()
	rec := e.waitState(bad, store.OutboundBounced)
	if !strings.Contains(rec.LastResult, "553 5.1.3") {
		t.Fatalf("last result %q", rec.LastResult)
	}
	e.waitState(good, store.OutboundSent)
	if got := up.messages(); len(got) != 1 || got[0].To[0] != "carla@example.org" {
		t.Fatalf("upstream got %v", got)
	}
}
