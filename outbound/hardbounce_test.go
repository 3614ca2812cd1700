package outbound

import (
	"context"
	"errors"
	"net/textproto"
	"strings"
	"testing"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/store"
	"github.com/emersion/go-smtp"
)

// Only a reply's own enhanced code decides a hard bounce: a smarthost at
// 10.5.1.10:587 answering 550 5.7.1 is a policy refusal, not a "5.1.10"
// bad mailbox read out of its address.
func TestHardBounceStatusOnlyForBadMailboxes(t *testing.T) {
	for _, c := range []struct {
		addr string
		err  error
		want string
		hard bool
	}{
		{"10.5.1.10:587", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "message refused by policy"}, "5.7.1", false},
		{"10.5.1.10:587", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user here"}, "5.1.1", true},
		{"mx.example:25", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 2, 1}, Message: "mailbox disabled"}, "5.2.1", true},
		{"mx.example:25", &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 2, 2}, Message: "mailbox full"}, "5.2.2", false},
		{"10.5.1.10:587", &smtp.SMTPError{Code: 554, Message: "transaction failed 5.1.1"}, "", false},
		{"10.5.1.10:587", &textproto.Error{Code: 550, Msg: "5.1.10 recipient address has null MX"}, "5.1.10", true},
		{"10.5.1.10:587", &textproto.Error{Code: 550, Msg: "policy says no (see 5.1.1)"}, "", false},
		{"10.5.1.10:587", errors.New("connection reset by 5.1.1.1"), "", false},
	} {
		res := failure(c.addr, "RCPT", c.err)
		if st, hard := res.enhanced, bridge.HardBounce(res.enhanced); st != c.want || hard != c.hard {
			t.Errorf("%s %v: status %q hard %v, want %q %v (text %q)", c.addr, c.err, st, hard, c.want, c.hard, res.text)
		}
	}
}

// The case end to end: a smarthost whose address holds "5.1.10"
// (127.5.1.10 here, on loopback) refuses with 550 5.7.1: the email
// bounces, and the address is not cooled as a bad mailbox.
func TestPolicyRefusalFromASmarthostAt5110IsNoHardBounce(t *testing.T) {
	up := startUpstreamAt(t, "127.5.1.10:0")
	up.answer(&smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "relaying denied by policy"})
	e := newEnv(t, up.addr, nil)
	e.start()
	id := e.enqueue(1, "someone@example.org")
	rec := e.waitState(id, store.OutboundBounced)
	if !strings.Contains(rec.LastResult, "127.5.1.10") || !strings.Contains(rec.LastResult, "550 5.7.1") {
		t.Fatalf("last result %q", rec.LastResult)
	}
	_ = e.st.View(context.Background(), func(tx store.Tx) error {
		if b, ok, err := tx.BouncedAddress("someone@example.org"); err != nil || ok {
			t.Fatalf("a policy refusal cooled the address: %+v %v %v", b, ok, err)
		}
		return nil
	})
}
