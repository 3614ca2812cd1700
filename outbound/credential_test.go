package outbound

import (
	"bytes"
	"context"
	"testing"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/store"
)

// A password-reset email is delivered with its link, but the mail log,
// which every admin can read, keeps no raw copy of it: the link would let
// the reader set the user's password. It asks for headers-only bounces
// (RET=HDRS, RFC 3461 §4.3), so a DSN does not carry the link back in.
func TestPasswordLinkEmailRawNotKeptInMailLog(t *testing.T) {
	up := startUpstream(t)
	e := newEnv(t, up.addr, nil)
	e.start()
	const link = "https://desk.example/reset-password?token=dgr_SECRETxSECRETxSECRET"
	id := e.enqueueEmail(credentialEmail(bridge.TemplatePasswordReset, "Reset your password", "ann@example.org", link))
	e.waitState(id, store.OutboundSent)
	e.waitIdle()

	got := up.messages()
	if len(got) != 1 || !bytes.Contains(bytes.ReplaceAll(got[0].Data, []byte("=\r\n"), nil), []byte("SECRETxSECRETxSECRET")) {
		t.Fatalf("the reset email did not arrive with its link: %d messages", len(got))
	}
	if got[0].Ret != "HDRS" {
		t.Errorf("MAIL FROM RET=%q, want HDRS: a bounce must not bring the link back into the inbound mail log", got[0].Ret)
	}
	le := e.logEntry(id)
	if le.Status != store.EmailSent || le.Size != 0 {
		t.Errorf("mail log entry: %+v", le)
	}
	_ = e.st.View(context.Background(), func(tx store.Tx) error {
		raw, _ := tx.MailLogRaw(le.ID)
		if bytes.Contains(bytes.ReplaceAll(raw, []byte("=\r\n"), nil), []byte("SECRET")) || len(raw) > 0 {
			t.Errorf("the mail log keeps the raw reset email (%d bytes)", len(raw))
		}
		return nil
	})

	// An ordinary notification is still kept whole.
	nid := e.enqueue(1, "carla@example.org")
	e.waitState(nid, store.OutboundSent)
	e.waitIdle()
	if got := up.messages(); len(got) != 2 || got[1].Ret != "" {
		t.Errorf("a notification went out with RET=%q", got[len(got)-1].Ret)
	}
	_ = e.st.View(context.Background(), func(tx store.Tx) error {
		if raw, _ := tx.MailLogRaw(e.logEntry(nid).ID); !bytes.Contains(raw, []byte("turning it off")) {
			t.Errorf("a notification's raw is not in the mail log (%d bytes)", len(raw))
		}
		return nil
	})
}
