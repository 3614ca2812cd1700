package outbound

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/internal/testenv"
	"github.com/emersion/go-msgauth/dkim"
)

// dkimpyScript verifies every DKIM-Signature of the message in argv[1]
// with keys given as JSON in argv[2] (no DNS here), printing one result a line.
const dkimpyScript = `
import sys, json, dkim
keys = json.loads(sys.argv[2])
d = dkim.DKIM(open(sys.argv[1], "rb").read())
dnsfunc = lambda name, timeout=5: keys.get(name.decode().rstrip(".").lower(), "").encode()
n = sum(1 for h in d.headers if h[0].lower() == b"dkim-signature")
for i in range(n):
    print(d.verify(idx=i, dnsfunc=dnsfunc))
`

// dnsRecords maps "<selector>._domainkey.<domain>" to each key's TXT value.
func dnsRecords(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, k := range testKeys(t) {
		v, err := k.TXT()
		if err != nil {
			t.Fatal(err)
		}
		out[k.Selector+"._domainkey."+testDomain] = v
	}
	return out
}

func signedTestMessage(t *testing.T, mod func(*bridge.Email)) []byte {
	t.Helper()
	raw := compose(t, mod)
	s := Signer{Domain: testDomain, Keys: testKeys(t)}
	signed, err := s.Sign(raw)
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

func TestBothSignaturesVerifyWithDkimpy(t *testing.T) {
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		testenv.Unavailable(t, "no /usr/bin/python3 (Debian's, with dkimpy)")
	}
	if err := exec.Command("/usr/bin/python3", "-c", "import dkim").Run(); err != nil {
		testenv.Unavailable(t, "dkimpy not installed for /usr/bin/python3 (apt-get install python3-dkim)")
	}
	for name, mod := range map[string]func(*bridge.Email){
		"plain": nil,
		"unicode": func(e *bridge.Email) {
			e.FromName = "Zoë 山田"
			e.Conversation.Subject = "Grüße " + strings.Repeat("lang ", 60)
		},
		"injected": func(e *bridge.Email) { e.FromName = "Eve\r\nBcc: x@y"; e.Messages[0].Body = "a\r\n.\r\nb\n\n\n" },
	} {
		t.Run(name, func(t *testing.T) {
			signed := signedTestMessage(t, mod)
			path := filepath.Join(t.TempDir(), "msg.eml")
			if err := os.WriteFile(path, signed, 0o600); err != nil {
				t.Fatal(err)
			}
			keysJSON, _ := json.Marshal(dnsRecords(t))
			out, err := exec.Command("/usr/bin/python3", "-c", dkimpyScript, path, string(keysJSON)).CombinedOutput()
			if err != nil {
				t.Fatalf("dkimpy: %v\n%s", err, out)
			}
			if got := strings.Fields(string(out)); len(got) != 2 || got[0] != "True" || got[1] != "True" {
				t.Fatalf("dkimpy results %q, want True True\n%s", out, signed)
			}
			// Tampering breaks both.
			tampered := bytes.Replace(signed, []byte("Subject: "), []byte("Subject: X"), 1)
			if err := os.WriteFile(path, tampered, 0o600); err != nil {
				t.Fatal(err)
			}
			out, _ = exec.Command("/usr/bin/python3", "-c", dkimpyScript, path, string(keysJSON)).CombinedOutput()
			if strings.Contains(string(out), "True") {
				t.Fatalf("dkimpy accepted a tampered subject: %s", out)
			}
		})
	}
}

func TestSignaturesOversignAndVerifyWithGoMsgauth(t *testing.T) {
	signed := signedTestMessage(t, nil)
	recs := dnsRecords(t)
	verifs, err := dkim.VerifyWithOptions(bytes.NewReader(signed), &dkim.VerifyOptions{
		LookupTXT: func(domain string) ([]string, error) { return []string{recs[domain]}, nil },
	})
	if err != nil || len(verifs) != 2 {
		t.Fatalf("%d verifications, %v", len(verifs), err)
	}
	algos := map[string]bool{}
	for _, v := range verifs {
		if v.Err != nil || v.Domain != testDomain {
			t.Fatalf("verification %+v", v)
		}
	}
	hdr := headerBlock(signed)
	for _, m := range regexp.MustCompile(`a=([a-z0-9-]+);`).FindAllStringSubmatch(hdr, -1) {
		algos[m[1]] = true
	}
	if !algos["rsa-sha256"] || !algos["ed25519-sha256"] {
		t.Fatalf("algorithms %v", algos)
	}
	unfolded := strings.NewReplacer("\r\n ", "", "\r\n\t", "").Replace(hdr)
	if !strings.Contains(unfolded, "c=relaxed/relaxed") {
		t.Fatal("not relaxed/relaxed")
	}
	h := regexp.MustCompile(`[;\s]h=([^;]+);`).FindStringSubmatch(unfolded)
	if h == nil {
		t.Fatal("no h= tag")
	}
	list := strings.Split(strings.ReplaceAll(h[1], " ", ""), ":")
	count := map[string]int{}
	for _, k := range list {
		count[strings.ToLower(k)]++
	}
	// Present once, signed twice; absent (Cc), signed once.
	for _, k := range []string{"from", "to", "reply-to", "subject", "date", "message-id", "in-reply-to", "references", "mime-version", "content-type"} {
		if count[k] != 2 {
			t.Errorf("h= lists %s %d times, want 2 (%s)", k, count[k], h[1])
		}
	}
	if count["cc"] != 1 {
		t.Errorf("h= lists cc %d times, want 1", count["cc"])
	}
	// An added From breaks the signatures (oversigning).
	added := append([]byte("From: mallory@evil.test\r\n"), signed...)
	verifs, _ = dkim.VerifyWithOptions(bytes.NewReader(added), &dkim.VerifyOptions{
		LookupTXT: func(domain string) ([]string, error) { return []string{recs[domain]}, nil },
	})
	for _, v := range verifs {
		if v.Err == nil {
			t.Fatal("signature survived an added From")
		}
	}
}

func TestKeysPersistWithMode0600AndZoneLines(t *testing.T) {
	dir := t.TempDir()
	day := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	k1, err := LoadOrCreateKeys(dir, day)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{RSAKeyFile, Ed25519KeyFile} {
		info, err := os.Stat(filepath.Join(dir, f))
		if err != nil || info.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v %v", f, info, err)
		}
	}
	k2, err := LoadOrCreateKeys(dir, day.Add(48*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(k1) != 2 || k1[0].Selector != "dg20261201r" || k1[1].Selector != "dg20261201e" {
		t.Fatalf("selectors %v %v", k1[0].Selector, k1[1].Selector)
	}
	line := regexp.MustCompile(`^(\S+)\._domainkey\.support\.test\. TXT ("[^"]{1,255}")( "[^"]{1,255}")*$`)
	for i := range k1 {
		a, _ := k1[i].TXT()
		b, _ := k2[i].TXT()
		if a != b || k1[i].Selector != k2[i].Selector {
			t.Fatalf("key %d changed on reload", i)
		}
		zl, err := k1[i].ZoneLine(testDomain)
		if err != nil || !line.MatchString(zl) {
			t.Fatalf("zone line %q %v", zl, err)
		}
		joined := strings.Join(regexp.MustCompile(`"([^"]*)"`).FindAllString(zl, -1), "")
		if strings.ReplaceAll(joined, `"`, "") != a {
			t.Fatalf("zone line strings do not join to the record")
		}
	}
	if v, _ := k1[0].TXT(); !strings.HasPrefix(v, "v=DKIM1; k=rsa; p=") || len(v) < 255 {
		t.Fatalf("rsa record %q", v)
	}
	if zl, _ := k1[0].ZoneLine(testDomain); strings.Count(zl, `"`) < 4 {
		t.Fatalf("a 2048-bit key's record must be split: %s", zl)
	}
	if v, _ := k1[1].TXT(); !strings.HasPrefix(v, "v=DKIM1; k=ed25519; p=") {
		t.Fatalf("ed25519 record %q", v)
	}
	if err := os.WriteFile(filepath.Join(dir, RSAKeyFile), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateKeys(dir, day); err == nil {
		t.Fatal("a corrupt key file was accepted")
	}
}

func BenchmarkComposeAndSign(b *testing.B) {
	s := Signer{Domain: testDomain, Keys: testKeys(b)}
	e := testEmail(1, "carla@example.org")
	e.Messages[0].Body = strings.Repeat("A reasonably long line of a support answer. ", 40)
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		raw, err := composer.Compose(e, now)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Sign(raw); err != nil {
			b.Fatal(err)
		}
	}
}
