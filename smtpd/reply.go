package smtpd

import (
	"strconv"
	"strings"

	"github.com/deskgate/deskgate/mailerr"
	"github.com/emersion/go-smtp"
)

// toSMTP maps any error of the domain to the SMTP reply go-smtp writes.
// It is the one place where codes cross from mailerr to go-smtp: an error
// without SMTP meaning becomes 451 4.3.0 (temporary: the sender keeps the
// message), never a permanent 5xx.
func toSMTP(err error) *smtp.SMTPError {
	me := mailerr.As(err)
	return &smtp.SMTPError{Code: me.Code, EnhancedCode: enhanced(me.Enhanced, me.Code), Message: me.Message}
}

// enhanced parses "5.1.1" (RFC 3463); a malformed one becomes X.0.0.
func enhanced(s string, code int) smtp.EnhancedCode {
	parts := strings.Split(s, ".")
	if len(parts) == 3 {
		var e smtp.EnhancedCode
		ok := true
		for i, p := range parts {
			n, err := strconv.Atoi(p)
			if err != nil || n < 0 || n > 999 {
				ok = false
				break
			}
			e[i] = n
		}
		if ok && e[0] == code/100 {
			return e
		}
	}
	return smtp.EnhancedCode{code / 100, 0, 0}
}

// reasonOf names a refusal for metrics.
func reasonOf(err error) string {
	me := mailerr.As(err)
	switch me.Enhanced {
	case "5.7.1":
		if strings.HasPrefix(me.Message, "DMARC") {
			return "dmarc_reject"
		}
		return "relay_denied"
	case "4.7.5":
		return "dmarc_temperror"
	case "5.1.1":
		return "no_such_user"
	case "5.1.3":
		return "bad_address"
	case "5.3.4":
		return "too_big"
	case "5.4.6":
		return "too_many_hops"
	case "4.3.0":
		return "storage"
	}
	return "other"
}

// describe is the mail log's detail of a refusal: "550 5.1.1 no such user".
func describe(err error) string {
	me := mailerr.As(err)
	return strconv.Itoa(me.Code) + " " + me.Enhanced + " " + me.Message
}
