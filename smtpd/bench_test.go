package smtpd_test

import (
	"fmt"
	"net/smtp"
	"strings"
	"sync/atomic"
	"testing"
)

// BenchmarkSMTPInbound: 20 concurrent sessions each sending 2 KB mails to
// support@ over the real server, each answered 250 after its commit.
func BenchmarkSMTPInbound(b *testing.B) {
	h := newHarness(b, harnessOpts{})
	pad := strings.Repeat("a line of a two kilobyte benchmark message body ..........\r\n", 30)
	var n atomic.Int64
	b.SetParallelism(10)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		c, err := smtp.Dial(h.addr)
		if err != nil {
			b.Error(err)
			return
		}
		defer c.Close()
		for pb.Next() {
			i := n.Add(1)
			if err := c.Mail("a@x.test"); err != nil {
				b.Error(err)
				return
			}
			if err := c.Rcpt("support@support.test"); err != nil {
				b.Error(err)
				return
			}
			w, err := c.Data()
			if err != nil {
				b.Error(err)
				return
			}
			fmt.Fprintf(w, "From: a@x.test\r\nSubject: bench %d\r\nMessage-ID: <sb%d@x.test>\r\n\r\n%s", i, i, pad)
			if err := w.Close(); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
