package smtpd

import (
	"errors"
	"fmt"
	"testing"

	"github.com/deskgate/deskgate/mailerr"
	"github.com/emersion/go-smtp"
)

// Every error reaches go-smtp as an *smtp.SMTPError with its codes; an
// error without SMTP meaning is temporary (451 4.3.0), never 554.
func TestToSMTP(t *testing.T) {
	cases := []struct {
		err  error
		code int
		enh  smtp.EnhancedCode
	}{
		{mailerr.ErrRelayDenied, 550, smtp.EnhancedCode{5, 7, 1}},
		{fmt.Errorf("wrapped: %w", mailerr.ErrNoSuchUser), 550, smtp.EnhancedCode{5, 1, 1}},
		{mailerr.ErrTooBig, 552, smtp.EnhancedCode{5, 3, 4}},
		{mailerr.ErrTooManyHops, 554, smtp.EnhancedCode{5, 4, 6}},
		{mailerr.Storage(errors.New("disk full")), 451, smtp.EnhancedCode{4, 3, 0}},
		{errors.New("something odd"), 451, smtp.EnhancedCode{4, 3, 0}},
		{mailerr.New(550, "4.1.1", "class mismatch"), 550, smtp.EnhancedCode{5, 0, 0}},
		{mailerr.New(451, "x.y", "garbage"), 451, smtp.EnhancedCode{4, 0, 0}},
	}
	for _, c := range cases {
		got := toSMTP(c.err)
		if got.Code != c.code || got.EnhancedCode != c.enh {
			t.Errorf("%v: %d %v, want %d %v", c.err, got.Code, got.EnhancedCode, c.code, c.enh)
		}
	}
	if r := reasonOf(mailerr.ErrTooBig); r != "too_big" {
		t.Errorf("reason %q", r)
	}
}
