package config

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// env returns a getenv backed by a map.
func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// writeFile writes a TOML file into a temporary directory and returns its
// path.
func writeFile(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "deskgate.toml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDefaultsMatchSpec(t *testing.T) {
	// SPEC §2, verbatim, plus the documented extensions.
	want := map[string]string{
		"DESKGATE_DATA_DIR":                    "./data",
		"DESKGATE_HTTP_ADDR":                   "127.0.0.1:8080",
		"DESKGATE_SMTP_ADDR":                   "127.0.0.1:2525",
		"DESKGATE_DOMAINS":                     "support.localhost",
		"DESKGATE_HOSTNAME":                    "support.localhost", // first domain
		"DESKGATE_BOOTSTRAP_TOKEN":             "",
		"DESKGATE_UNSEEN_DELAY":                "1m",
		"DESKGATE_SMARTHOST":                   "",
		"DESKGATE_RETRY_SCHEDULE":              "1m,5m,15m,30m,1h,2h,4h",
		"DESKGATE_QUEUE_LIFETIME":              "120h",
		"DESKGATE_MAX_MESSAGE_BYTES":           "26214400",
		"DESKGATE_LOG_RETENTION":               "72h",
		"DESKGATE_SMARTHOST_USER":              "",
		"DESKGATE_SMARTHOST_PASSWORD":          "",
		"DESKGATE_SMARTHOST_INSECURE_TLS":      "false",
		"DESKGATE_TLS_CERT":                    "",
		"DESKGATE_TLS_KEY":                     "",
		"DESKGATE_LOG_LEVEL":                   "info",
		"DESKGATE_FLOOD_LIMIT":                 "10",
		"DESKGATE_FLOOD_WINDOW":                "10m",
		"DESKGATE_CC_JOIN":                     "true",
		"DESKGATE_DATABASE_URL":                "", // SPEC §8
		"DESKGATE_NODE_NAME":                   "",
		"DESKGATE_NODE_LEASE":                  "30s",
		"DESKGATE_DNS":                         "",
		"DESKGATE_DMARC_ENFORCE":               "true",
		"DESKGATE_ARC_TRUSTED":                 "",
		"DESKGATE_MAILLOG_MAX_BYTES":           "1073741824",
		"DESKGATE_PUBLIC_URL":                  "", // SPEC §10: http:// + the HTTP address
		"DESKGATE_SESSION_TTL":                 "12h",
		"DESKGATE_TRUSTED_PROXIES":             "",
		"DESKGATE_HTTP_MAX_CONNECTIONS":        "1000",
		"DESKGATE_HTTP_MAX_CONNECTIONS_PER_IP": "64",
		"DESKGATE_HTTP_BODY_TIMEOUT":           "30s",
		"DESKGATE_METRICS_TOKEN":               "",
		"DESKGATE_OUTBOUND":                    "deliver", // SPEC §5: or capture
		"DESKGATE_DMARC_REPORT":                "",
		"DESKGATE_CORS_ORIGINS":                "",
		"DESKGATE_WEBHOOK_ALLOW_PRIVATE":       "false",
	}
	d := Default()
	if len(settings) != len(want) {
		t.Errorf("%d settings, want %d", len(settings), len(want))
	}
	for _, s := range settings {
		w, ok := want[s.env]
		if !ok {
			t.Errorf("setting %s (%s) not in the expected table", s.key, s.env)
			continue
		}
		if got := s.get(d); got != w {
			t.Errorf("default %s = %q, want %q", s.env, got, w)
		}
	}
	// The typed values too, not only their text.
	if d.UnseenDelay != time.Minute || d.QueueLifetime != 120*time.Hour || d.LogRetention != 72*time.Hour ||
		d.MaxMessageBytes != 26214400 || d.FloodWindow != 10*time.Minute {
		t.Errorf("typed defaults wrong: %+v", d)
	}
	wantSched := []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour}
	if !reflect.DeepEqual(d.RetrySchedule, wantSched) {
		t.Errorf("RetrySchedule = %v", d.RetrySchedule)
	}
	if err := d.Validate(); err != nil {
		t.Errorf("Default().Validate() = %v", err)
	}
	got, err := Load("", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, d) {
		t.Errorf("Load with nothing = %+v, want Default() %+v", got, d)
	}
}

func TestFileOverridesDefaults(t *testing.T) {
	p := writeFile(t, `
data_dir = "/var/lib/deskgate"
http_addr = ":8081"
smtp_addr = "0.0.0.0:25"
domains = ["Help.Example.COM ", "example.org."]
bootstrap_token = "tok"
unseen_delay = "90s"
smarthost = "relay.example.com:587"
smarthost_user = "u"
smarthost_password = "p"
smarthost_insecure_tls = true
retry_schedule = "2m, 10m"
queue_lifetime = "5d"
max_message_bytes = 1048576
log_retention = "1.5h"
tls_cert = "/etc/c.pem"
tls_key = "/etc/k.pem"
log_level = "DEBUG"
flood_limit = 0
flood_window = "1h"
cc_join = false
database_url = "postgres://dg:pw@db.example.com/deskgate"
node_name = "mx1"
node_lease = "45s"
dns = "127.0.0.1:5353"
dmarc_enforce = false
arc_trusted = ["Lists.Example.org"]
maillog_max_bytes = 2097152
public_url = "https://help.example.com/"
session_ttl = "8h"
trusted_proxies = ["10.0.0.0/8", "192.0.2.7"]
http_max_connections = 200
http_max_connections_per_ip = 20
http_body_timeout = "20s"
metrics_token = "mt"
outbound = "capture"
dmarc_report = "reports@example.org"
`)
	c, err := Load(p, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		DataDir: "/var/lib/deskgate", HTTPAddr: ":8081", SMTPAddr: "0.0.0.0:25",
		Domains: []string{"help.example.com", "example.org"}, Hostname: "help.example.com",
		BootstrapToken: "tok", UnseenDelay: 90 * time.Second,
		Smarthost: "relay.example.com:587", SmarthostUser: "u", SmarthostPassword: "p", SmarthostInsecureTLS: true,
		RetrySchedule: []time.Duration{2 * time.Minute, 10 * time.Minute},
		QueueLifetime: 120 * time.Hour, MaxMessageBytes: 1 << 20, LogRetention: 90 * time.Minute,
		TLSCert: "/etc/c.pem", TLSKey: "/etc/k.pem", LogLevel: "debug",
		FloodLimit: 0, FloodWindow: time.Hour, CcJoin: false,
		DatabaseURL: "postgres://dg:pw@db.example.com/deskgate", NodeName: "mx1", NodeLease: 45 * time.Second,
		DNS: "127.0.0.1:5353", DMARCEnforce: false, ARCTrusted: []string{"lists.example.org"},
		MailLogMaxBytes: 2 << 20,
		PublicURL:       "https://help.example.com/", SessionTTL: 8 * time.Hour, TrustedProxies: []string{"10.0.0.0/8", "192.0.2.7"},
		HTTPMaxConnections: 200, HTTPMaxConnectionsPerIP: 20, HTTPBodyTimeout: 20 * time.Second, MetricsToken: "mt",
		Outbound: "capture", DMARCReport: "reports@example.org",
	}
	if got := c.PublicBaseURL(); got != "https://help.example.com" {
		t.Errorf("PublicBaseURL %q", got)
	}
	if ps, err := c.TrustedProxyPrefixes(); err != nil || len(ps) != 2 || ps[1].String() != "192.0.2.7/32" {
		t.Errorf("TrustedProxyPrefixes %v, %v", ps, err)
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got  %+v\nwant %+v", c, want)
	}
	if !c.TLSEnabled() || c.SlogLevel() != slog.LevelDebug {
		t.Errorf("TLSEnabled %v, SlogLevel %v", c.TLSEnabled(), c.SlogLevel())
	}
}

func TestEnvOverridesFile(t *testing.T) {
	p := writeFile(t, `
data_dir = "/from/file"
domains = ["file.example"]
unseen_delay = "5m"
retry_schedule = ["1m"]
max_message_bytes = 1000
smarthost_insecure_tls = true
`)
	c, err := Load(p, env(map[string]string{
		"DESKGATE_DATA_DIR":               "/from/env",
		"DESKGATE_UNSEEN_DELAY":           "30s",
		"DESKGATE_RETRY_SCHEDULE":         "1m,1h,",
		"DESKGATE_MAX_MESSAGE_BYTES":      "2000",
		"DESKGATE_SMARTHOST_INSECURE_TLS": "false",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.DataDir != "/from/env" || c.UnseenDelay != 30*time.Second || c.MaxMessageBytes != 2000 || c.SmarthostInsecureTLS {
		t.Errorf("env did not win: %+v", c)
	}
	if !reflect.DeepEqual(c.RetrySchedule, []time.Duration{time.Minute, time.Hour}) {
		t.Errorf("RetrySchedule = %v", c.RetrySchedule)
	}
	if !reflect.DeepEqual(c.Domains, []string{"file.example"}) {
		t.Errorf("file value lost where env is unset: Domains = %v", c.Domains)
	}
}

func TestHostnameDefaultsToFirstDomain(t *testing.T) {
	fileDomains := writeFile(t, `domains = "a.example, b.example"`)
	fileHost := writeFile(t, `hostname = "MX.Example.net."`)
	for _, tc := range []struct {
		name string
		path string
		env  map[string]string
		want string
	}{
		{"defaults", "", nil, "support.localhost"},
		{"domains from env", "", map[string]string{"DESKGATE_DOMAINS": " First.Example ,second.example"}, "first.example"},
		{"domains from file", fileDomains, nil, "a.example"},
		{"env domains over file domains", fileDomains, map[string]string{"DESKGATE_DOMAINS": "z.example"}, "z.example"},
		{"hostname from file kept", fileHost, map[string]string{"DESKGATE_DOMAINS": "z.example"}, "mx.example.net"},
		{"hostname from env", fileDomains, map[string]string{"DESKGATE_HOSTNAME": "mx.example"}, "mx.example"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(tc.path, env(tc.env))
			if err != nil {
				t.Fatal(err)
			}
			if c.Hostname != tc.want {
				t.Errorf("Hostname = %q, want %q", c.Hostname, tc.want)
			}
		})
	}
}

func TestBadEnvValues(t *testing.T) {
	for _, tc := range []struct{ name, value string }{
		{"DESKGATE_HTTP_ADDR", "localhost"},
		{"DESKGATE_SMTP_ADDR", "127.0.0.1:99999"},
		{"DESKGATE_DOMAINS", "bad_domain.example"},
		{"DESKGATE_DOMAINS", ","},
		{"DESKGATE_HOSTNAME", "-bad.example"},
		{"DESKGATE_UNSEEN_DELAY", "1"},
		{"DESKGATE_UNSEEN_DELAY", "-1m"},
		{"DESKGATE_UNSEEN_DELAY", "1.5ns"},
		{"DESKGATE_SMARTHOST", "relay.example"},
		{"DESKGATE_SMARTHOST_USER", "user"}, // without a smarthost
		{"DESKGATE_SMARTHOST_INSECURE_TLS", "maybe"},
		{"DESKGATE_RETRY_SCHEDULE", "1m,soon"},
		{"DESKGATE_RETRY_SCHEDULE", "1m,0s"},
		{"DESKGATE_RETRY_SCHEDULE", " , "},
		{"DESKGATE_QUEUE_LIFETIME", "0s"},
		{"DESKGATE_QUEUE_LIFETIME", "200000d"},
		{"DESKGATE_MAX_MESSAGE_BYTES", "25MB"},
		{"DESKGATE_MAX_MESSAGE_BYTES", "-1"},
		{"DESKGATE_LOG_RETENTION", "3 days"},
		{"DESKGATE_TLS_CERT", "/etc/c.pem"}, // without a key
		{"DESKGATE_LOG_LEVEL", "loud"},
		{"DESKGATE_FLOOD_LIMIT", "ten"},
		{"DESKGATE_FLOOD_LIMIT", "-1"},
		{"DESKGATE_FLOOD_WINDOW", "-10m"},
		{"DESKGATE_DNS", "127.0.0.53"},
		{"DESKGATE_DNS", ":53"},
		{"DESKGATE_DMARC_ENFORCE", "sometimes"},
		{"DESKGATE_ARC_TRUSTED", "lists.example.org,bad_domain.example"},
	} {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) {
			_, err := Load("", env(map[string]string{tc.name: tc.value}))
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.name) {
				t.Errorf("error %q does not name %s", err, tc.name)
			}
			// The bad value, or for a list its bad last item, is shown
			// (an all-blank list has nothing to show).
			items := strings.Split(tc.value, ",")
			if last := strings.TrimSpace(items[len(items)-1]); last != "" && !strings.Contains(err.Error(), last) {
				t.Errorf("error %q does not show the value %q", err, tc.value)
			}
		})
	}
}

func TestBadFileValues(t *testing.T) {
	for _, tc := range []struct{ key, toml string }{
		{"data_dir", `data_dir = 5`},
		{"domains", `domains = [1, 2]`},
		{"domains", `domains = ["a.example,b.example"]`},
		{"unseen_delay", `unseen_delay = 60`},
		{"unseen_delay", `unseen_delay = 1.5`},
		{"unseen_delay", `unseen_delay = "1.5ns"`},
		{"unseen_delay", `unseen_delay = ""`},
		{"retry_schedule", `retry_schedule = ["1m", 5]`},
		{"retry_schedule", `retry_schedule = []`},
		{"max_message_bytes", `max_message_bytes = 2.5e7`},
		{"max_message_bytes", `max_message_bytes = "25MB"`},
		{"smarthost_insecure_tls", `smarthost_insecure_tls = "yes"`},
		{"flood_limit", `flood_limit = "10"`},
		{"log_retention", `log_retention = "0s"`},
	} {
		t.Run(tc.toml, func(t *testing.T) {
			_, err := Load(writeFile(t, tc.toml), env(nil))
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.key) {
				t.Errorf("error %q does not name %s", err, tc.key)
			}
		})
	}
}

func TestUnknownKey(t *testing.T) {
	for _, tc := range []struct{ toml, key string }{
		{`smtp_adr = "127.0.0.1:25"`, "smtp_adr"},
		{"[smtp]\naddr = \":25\"", "smtp"},
		{`Data_Dir = "/x"`, "Data_Dir"},
	} {
		_, err := Load(writeFile(t, tc.toml), env(nil))
		if err == nil || !strings.Contains(err.Error(), "unknown key") || !strings.Contains(err.Error(), tc.key) {
			t.Errorf("%s: error %v, want unknown key naming %q", tc.toml, err, tc.key)
		}
	}
}

func TestMissingAndMalformedFile(t *testing.T) {
	if _, err := Load(filepath.Join(t.TempDir(), "nope.toml"), env(nil)); err == nil || !strings.Contains(err.Error(), "nope.toml") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Load(writeFile(t, "data_dir = "), env(nil)); err == nil {
		t.Error("malformed file: no error")
	}
}

func TestSampleParsesBackToDefault(t *testing.T) {
	s := Sample()
	c, err := Load(writeFile(t, s), env(nil))
	if err != nil {
		t.Fatalf("%v\n%s", err, s)
	}
	if !reflect.DeepEqual(c, Default()) {
		t.Errorf("Sample loads to %+v, want %+v", c, Default())
	}
	for _, st := range settings {
		if !strings.Contains(s, st.key+" = ") || !strings.Contains(s, st.env) {
			t.Errorf("Sample lacks %s / %s", st.key, st.env)
		}
	}
}

func TestRedacted(t *testing.T) {
	c := Default()
	c.BootstrapToken = "s3cret-token"
	c.Smarthost = "relay.example:587"
	c.SmarthostUser = "user"
	c.SmarthostPassword = "s3cret-pass"
	c.MetricsToken = "s3cret-metrics"
	r := c.Redacted()
	if r.BootstrapToken != "REDACTED" || r.SmarthostPassword != "REDACTED" || r.MetricsToken != "REDACTED" {
		t.Errorf("not masked: %+v", r)
	}
	if r.SmarthostUser != "user" || c.BootstrapToken != "s3cret-token" {
		t.Error("Redacted changed what it should not")
	}
	r.Domains[0] = "changed"
	if c.Domains[0] == "changed" {
		t.Error("Redacted shares the Domains slice")
	}
	if e := Default().Redacted(); e.BootstrapToken != "" || e.SmarthostPassword != "" {
		t.Error("unset secrets should stay empty")
	}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("start", "config", c)
	if strings.Contains(buf.String(), "s3cret") || !strings.Contains(buf.String(), "config.bootstrap_token=REDACTED") {
		t.Errorf("log leaks or lacks fields: %s", buf.String())
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		key    string
		modify func(*Config)
	}{
		{"domains", func(c *Config) { c.Domains = nil }},
		{"domains", func(c *Config) { c.Domains = []string{"a.example", "a.example"} }},
		{"hostname", func(c *Config) { c.Hostname = "" }},
		{"data_dir", func(c *Config) { c.DataDir = " " }},
		{"retry_schedule", func(c *Config) { c.RetrySchedule = nil }},
		{"unseen_delay", func(c *Config) { c.UnseenDelay = -time.Second }},
		{"smarthost_password", func(c *Config) { c.SmarthostPassword = "p" }},
		{"smarthost", func(c *Config) { c.Smarthost = "relay.example:0" }},
		{"tls_cert", func(c *Config) { c.TLSKey = "k.pem" }},
	} {
		c := Default()
		tc.modify(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.key) {
			t.Errorf("%s: Validate() = %v", tc.key, err)
		}
	}
	c := Default()
	c.Domains = nil
	c.QueueLifetime = 0
	err := c.Validate()
	if err == nil || !strings.Contains(err.Error(), "domains") || !strings.Contains(err.Error(), "DESKGATE_QUEUE_LIFETIME") {
		t.Errorf("want every problem reported, got %v", err)
	}
	c = Default()
	c.UnseenDelay = 0
	c.HTTPAddr = "127.0.0.1:0"
	if err := c.Validate(); err != nil {
		t.Errorf("zero delay and port 0 listener should be valid: %v", err)
	}
}

// TestTableMatchesFile checks that fileConfig has exactly one field per
// setting: the TOML struct and the settings table are two lists of keys.
func TestTableMatchesFile(t *testing.T) {
	rt := reflect.TypeFor[fileConfig]()
	if rt.NumField() != len(settings) {
		t.Errorf("fileConfig has %d fields, settings %d", rt.NumField(), len(settings))
	}
	for i := range rt.NumField() {
		if _, ok := lookupSetting(rt.Field(i).Tag.Get("toml")); !ok {
			t.Errorf("fileConfig.%s has no setting", rt.Field(i).Name)
		}
	}
	seen := map[string]bool{}
	for _, s := range settings {
		if seen[s.key] || seen[s.env] {
			t.Errorf("duplicate %s/%s", s.key, s.env)
		}
		seen[s.key], seen[s.env] = true, true
		if s.env != "DESKGATE_"+strings.ToUpper(s.key) {
			t.Errorf("%s: env %s does not follow the naming rule", s.key, s.env)
		}
	}
}

// TestDocListsEverySetting keeps the table in the package doc in step with
// the settings table.
func TestDocListsEverySetting(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	d := Default()
	for _, s := range settings {
		want := s.get(d)
		if s.key == "hostname" {
			want = "first domain"
		}
		if want == "" {
			want = "(" // "(empty…)"
		}
		found := false
		for _, line := range strings.Split(string(doc), "\n") {
			f := strings.Fields(strings.TrimPrefix(line, "//"))
			if len(f) >= 3 && f[0] == s.key && f[1] == s.env && strings.HasPrefix(strings.Join(f[2:], " "), want) {
				found = true
			}
		}
		if !found {
			t.Errorf("doc.go has no line %q %q %q", s.key, s.env, want)
		}
	}
}

// The database URL's password never reaches a log; a bad scheme is refused.
func TestDatabaseURLRedactedAndChecked(t *testing.T) {
	c := Default()
	c.DatabaseURL = "postgres://dg:s3cret@db.example.com:5432/deskgate?sslmode=require"
	if r := c.Redacted().DatabaseURL; strings.Contains(r, "s3cret") || !strings.Contains(r, "dg:REDACTED@db.example.com") {
		t.Fatalf("redacted %q", r)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	c.DatabaseURL = "mysql://dg:s3cret@db/x"
	err := c.Validate()
	if err == nil || !strings.Contains(err.Error(), "DESKGATE_DATABASE_URL") || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("bad scheme: %v", err)
	}
}

// Passwords a database URL may carry elsewhere than its userinfo never reach
// a log either: a "password" query parameter, an unparsable URL (a bad
// percent escape in the password), a key=value DSN refused by Validate.
func TestDatabaseURLRedactedEverywhere(t *testing.T) {
	for _, u := range []string{
		"postgres://dg@db.example.com/deskgate?sslmode=disable&password=s3cret",
		"postgres://dg:s3%cret@db.example.com/deskgate",
		"postgres://dg:s3#cret@db.example.com/deskgate",
		"host=db.example.com user=dg password=s3cret dbname=deskgate",
		"host=db.example.com user=dg password='s3cret' dbname=deskgate",
	} {
		if r := RedactURL(u); strings.Contains(r, "s3") || !strings.Contains(r, "REDACTED") {
			t.Errorf("RedactURL(%q) = %q", u, r)
		}
		c := Default()
		c.DatabaseURL = u
		if r := c.Redacted().DatabaseURL; strings.Contains(r, "s3") {
			t.Errorf("Redacted(%q) = %q", u, r)
		}
		if err := c.Validate(); err != nil && strings.Contains(err.Error(), "s3") {
			t.Errorf("Validate(%q): %v", u, err)
		}
	}
	if r := RedactURL("postgres://dg@db.example.com/deskgate?sslmode=disable"); r != "postgres://dg@db.example.com/deskgate?sslmode=disable" {
		t.Errorf("a URL without a password changed: %q", r)
	}
}

// DESKGATE_OUTBOUND takes deliver or capture; anything else stops serve
// with a message naming the variable.
func TestOutboundMode(t *testing.T) {
	c, err := Load("", env(map[string]string{"DESKGATE_OUTBOUND": "Capture"}))
	if err != nil || !c.Capture() {
		t.Fatalf("capture: %v, Capture()=%v", err, c.Capture())
	}
	if c, err := Load("", env(nil)); err != nil || c.Capture() || c.Outbound != OutboundDeliver {
		t.Fatalf("default: %v, %q", err, c.Outbound)
	}
	_, err = Load("", env(map[string]string{"DESKGATE_OUTBOUND": "drop"}))
	if err == nil || !strings.Contains(err.Error(), "DESKGATE_OUTBOUND") {
		t.Fatalf("bad value: %v", err)
	}
}

func TestCORSOriginsMustBeOrigins(t *testing.T) {
	for o, ok := range map[string]bool{"http://127.0.0.2:8080": true, "https://desk.example.com": true,
		"*": false, "https://desk.example.com/": false, "https://x.test/app": false, "ftp://x.test": false, "x.test": false, "https://u@x.test": false} {
		c := Default()
		c.CORSOrigins = []string{o}
		if err := c.Validate(); (err == nil) != ok {
			t.Errorf("cors_origins %q: Validate() = %v", o, err)
		}
	}
}
