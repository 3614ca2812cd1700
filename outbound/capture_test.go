package outbound

import (
	"bytes"
	"context"
	"testing"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/store"
)

// DESKGATE_OUTBOUND=capture (SPEC §5): nothing reaches the upstream, even
// with a smarthost configured; every email turns captured, signed and
// kept whole in the mail log, a password link included (a trial's agents
// get their password from the captured welcome email).
func TestCaptureSendsNothingAndKeepsEmailWhole(t *testing.T) {
	up := startUpstream(t)
	e := newEnv(t, up.addr, func(o *Options) { o.Capture = true })
	e.start()
	const link = "http://127.0.0.1:8080/reset-password?token=dgr_CAPTUREDxLINK"
	id := e.enqueueEmail(credentialEmail(bridge.TemplateWelcome, "Welcome", "ann@example.com", link))
	plain := e.enqueue(1, "carol@example.org")
	rec := e.waitState(id, store.OutboundCaptured)
	e.waitState(plain, store.OutboundCaptured)
	e.waitIdle()

	if n := len(up.messages()); n != 0 {
		t.Fatalf("the upstream received %d messages in capture mode", n)
	}
	if rec.Attempts != 1 || rec.DoneAt.IsZero() {
		t.Errorf("record: %+v", rec)
	}
	le := e.logEntry(id)
	if le.Status != store.OutboundCaptured || le.Size == 0 {
		t.Errorf("mail log entry: %+v", le)
	}
	_ = e.st.View(context.Background(), func(tx store.Tx) error {
		raw, err := tx.MailLogRaw(le.ID)
		flat := bytes.ReplaceAll(raw, []byte("=\r\n"), nil)
		if err != nil || !bytes.Contains(flat, []byte("dgr_CAPTUREDxLINK")) || !bytes.Contains(raw, []byte("DKIM-Signature:")) {
			t.Errorf("captured raw message (%v): %d bytes, link and signature expected:\n%s", err, len(raw), raw)
		}
		return nil
	})
}
