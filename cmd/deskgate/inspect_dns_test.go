package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deskgate/deskgate/internal/dkimpy"
	"github.com/deskgate/deskgate/internal/dnstest"
)

// inspect --dns runs the server's sender checks against DESKGATE_DNS and
// prints them as "auth"; without --dns there is no "auth".
func TestInspectDNS(t *testing.T) {
	dns := dnstest.Start(t)
	key := dkimpy.NewKey(t)
	dns.Add(t, `shop.example. 300 IN TXT "v=spf1 ip4:192.0.2.5 -all"`, `_dmarc.shop.example. 300 IN TXT "v=DMARC1; p=reject"`)
	dns.AddTXT("sel._domainkey.shop.example", key.Record)
	t.Setenv("DESKGATE_DNS", dns.Addr)
	f := filepath.Join(t.TempDir(), "m.eml")
	raw := dkimpy.Sign(t, dkimpy.CRLF("From: Sam <sam@shop.example>\nTo: support@support.localhost\nSubject: Order\nMessage-ID: <o1@shop.example>\n\nWhere is it?\n"), key, "sel", "shop.example")
	if err := os.WriteFile(f, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want map[string]string // nil: no auth
	}{
		{[]string{"--dns", "--ip", "192.0.2.5", "--helo", "mx.shop.example", f}, map[string]string{"spf": "pass", "dkim": "pass", "dmarc": "pass", "arc": "none"}},
		{[]string{"--dns", "--ip", "192.0.2.9", f}, map[string]string{"spf": "fail", "dkim": "pass", "dmarc": "pass", "arc": "none"}},
		{[]string{f}, nil},
	} {
		var out, errb bytes.Buffer
		if code := run(append([]string{"inspect"}, c.args...), strings.NewReader(""), &out, &errb); code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, code, errb.String())
		}
		var line struct {
			Auth map[string]any `json:"auth"`
		}
		if err := json.Unmarshal(out.Bytes(), &line); err != nil {
			t.Fatalf("%v: %v: %s", c.args, err, out.String())
		}
		if c.want == nil {
			if line.Auth != nil {
				t.Fatalf("%v: auth without --dns: %v", c.args, line.Auth)
			}
			continue
		}
		for k, v := range c.want {
			if line.Auth[k] != v {
				t.Fatalf("%v: auth %v, want %s=%s", c.args, line.Auth, k, v)
			}
		}
	}
	var errb bytes.Buffer
	if code := run([]string{"inspect", "--dns", "--ip", "not-an-ip", f}, strings.NewReader(""), &bytes.Buffer{}, &errb); code != 2 || !strings.Contains(errb.String(), "not-an-ip") {
		t.Fatalf("bad --ip: exit %d %q", code, errb.String())
	}
}
