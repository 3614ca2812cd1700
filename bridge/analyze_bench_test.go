package bridge_test

import (
	"strings"
	"testing"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/loopguard"
)

// BenchmarkAnalyze parses and classifies a 3 KB multipart/alternative
// reply (the part of Receive before the store): allocations per mail.
func BenchmarkAnalyze(b *testing.B) {
	guard := loopguard.New(loopguard.Config{Hostname: "desk.support.test", Domains: []string{"support.test"}})
	pad := strings.Repeat("a line of a benchmark message body, quoted below ..........\r\n", 20)
	raw := []byte("Received: from mx.x.test ([192.0.2.1])\r\n\tby desk.support.test with ESMTPS; Mon, 7 Dec 2026 10:00:00 +0000\r\n" +
		"From: Ann <a@x.test>\r\nTo: support@support.test\r\nSubject: Re: bench\r\nMessage-ID: <b1@x.test>\r\n" +
		"In-Reply-To: <dg.1@desk.support.test>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"BB\"\r\n\r\n" +
		"--BB\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThanks!\r\n\r\nOn Mon, Dec 7, 2026 Support wrote:\r\n> " + pad +
		"--BB\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Thanks!</p><blockquote>" + pad + "</blockquote>\r\n--BB--\r\n")
	b.ReportAllocs()
	for b.Loop() {
		if a := bridge.Analyze(raw, "a@x.test", guard); a.Class != loopguard.Human {
			b.Fatal(a.Class, a.Reason)
		}
	}
}
