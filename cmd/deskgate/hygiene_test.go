package main

import (
	"bytes"
	"os/exec"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/deskgate/deskgate/config"
)

// --help on every command and subcommand is a request, not an error:
// exit 0 with a usage text.
func TestHelpExitsZero(t *testing.T) {
	for _, args := range [][]string{
		{"--help"}, {"help"}, {"serve", "--help"}, {"serve", "-h"}, {"version", "--help"}, {"config", "--help"},
		{"dkim", "--help"}, {"dkim", "dns", "--help"}, {"inspect", "--help"}, {"migrate", "--help"},
		{"store", "--help"}, {"store", "copy", "--help"}, {"store", "backup", "--help"}, {"dns", "--help"},
		{"healthcheck", "--help"},
	} {
		var out, errOut bytes.Buffer
		code := run(args, strings.NewReader(""), &out, &errOut)
		if code != 0 || !strings.Contains(strings.ToLower(out.String()+errOut.String()), "usage") {
			t.Errorf("deskgate %s: exit %d\n%s%s", strings.Join(args, " "), code, out.String(), errOut.String())
		}
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"serve", "--bogus"}, strings.NewReader(""), &out, &errOut); code != 2 {
		t.Errorf("a bad flag: exit %d, want 2", code)
	}
}

// The version comes from Go's build information: the module version and
// the commit (with a mark when the tree was modified), never a bare "dev".
func TestVersionFromBuildInfo(t *testing.T) {
	bi := &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.time", Value: "2026-12-07T18:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	if got, want := formatVersion("", bi), "0.1.0-dev (commit 0123456789ab, 2026-12-07T18:00:00Z, modified)"; got != want {
		t.Errorf("checkout build: %q, want %q", got, want)
	}
	if got := formatVersion("", &debug.BuildInfo{Main: debug.Module{Version: "v0.2.0"}}); got != "v0.2.0" {
		t.Errorf("go install @v0.2.0: %q", got)
	}
	if got := formatVersion("1.2.3", nil); got != "1.2.3" {
		t.Errorf("-X main.version: %q", got)
	}
	out, err := exec.Command(deskgateBinary(t), "version").Output()
	// The commit is there when the build recorded it (-buildvcs, Go's
	// default in a checkout; GOFLAGS may turn it off).
	if err != nil || !regexp.MustCompile(`^deskgate (0\.1\.0-dev|v\d+\.\d+\.\d+\S*)( \(commit [0-9a-f]{12}.*\))?\n$`).Match(out) {
		t.Errorf("the built binary: %q %v", out, err)
	}
}

// `deskgate healthcheck` exits 0 against a serving deskgate (found from
// the configuration, on loopback for a wildcard address) and 1 when
// nothing answers.
func TestHealthcheckCommand(t *testing.T) {
	p := startServe(t, t.TempDir(), "DESKGATE_HTTP_ADDR=0.0.0.0:0")
	port := p.http[strings.LastIndex(p.http, ":")+1:]
	cmd := exec.Command(deskgateBinary(t), "healthcheck")
	cmd.Env = append(cmd.Environ(), "DESKGATE_HTTP_ADDR=0.0.0.0:"+port)
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), `"status":"ok"`) {
		t.Fatalf("healthcheck of a serving deskgate: %v\n%s", err, out)
	}
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command(deskgateBinary(t), "healthcheck")
	cmd.Env = append(cmd.Environ(), "DESKGATE_HTTP_ADDR=127.0.0.1:"+port)
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Fatalf("healthcheck with nothing listening exited 0:\n%s", out)
	}
}

// `deskgate dns` prints, per domain, MX, SPF, DMARC with the reporting
// address, the first domain's DKIM keys, and the host's A/PTR names.
func TestDNSRecords(t *testing.T) {
	cfg := config.Default()
	cfg.Domains = []string{"help.example.com", "example.org"}
	cfg.Hostname = "mx.example.com"
	cfg.DMARCReport = "dmarc@reports.example.net"
	var out bytes.Buffer
	writeDNS(&out, cfg, []string{`dg1._domainkey.help.example.com. TXT "v=DKIM1; k=rsa; p=AAAA"`})
	text := out.String()
	for _, want := range []string{
		"help.example.com.\tMX\t10 mx.example.com.",
		"example.org.\tMX\t10 mx.example.com.",
		`help.example.com.	TXT	"v=spf1 mx -all"`,
		`example.org.	TXT	"v=spf1 -all"`,
		`dg1._domainkey.help.example.com. TXT "v=DKIM1; k=rsa; p=AAAA"`,
		`_dmarc.help.example.com.	TXT	"v=DMARC1; p=quarantine; adkim=r; aspf=r; rua=mailto:dmarc@reports.example.net"`,
		`_dmarc.example.org.	TXT	"v=DMARC1;`,
		`help.example.com._report._dmarc.reports.example.net.	TXT	"v=DMARC1"`,
		"mx.example.com.\tA\t",
		"PTR\tmx.example.com.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("dns output lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(text)
	}
	// The real command reuses the DKIM keys of `dkim dns`.
	dir := t.TempDir()
	run := func(args ...string) string {
		cmd := exec.Command(deskgateBinary(t), args...)
		cmd.Env = append(cmd.Environ(), "DESKGATE_DATA_DIR="+dir, "DESKGATE_DOMAINS=support.test")
		b, err := cmd.Output()
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return string(b)
	}
	dkim, dns := run("dkim", "dns"), run("dns")
	for _, l := range strings.Split(strings.TrimSpace(dkim), "\n") {
		if !strings.Contains(dns, l) {
			t.Errorf("dns lacks the DKIM record %q", l)
		}
	}
}
