package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Config is deskgate's whole configuration: defaults (SPEC §2), overridden
// by a TOML file, overridden by DESKGATE_* environment variables (the
// environment wins). Each field names its environment variable and TOML key.
type Config struct {
	// DataDir holds the store and the DKIM keys.
	// DESKGATE_DATA_DIR, data_dir; default "./data".
	DataDir string
	// HTTPAddr is the host:port of the REST API listener.
	// DESKGATE_HTTP_ADDR, http_addr; default "127.0.0.1:8080".
	HTTPAddr string
	// SMTPAddr is the host:port of the inbound SMTP (MX) listener.
	// DESKGATE_SMTP_ADDR, smtp_addr; default "127.0.0.1:2525".
	SMTPAddr string
	// Domains are the domains deskgate accepts mail for, lower-cased; the
	// first one is the default for Hostname and the bootstrap admin.
	// DESKGATE_DOMAINS (comma list), domains; default ["support.localhost"].
	Domains []string
	// Hostname is the SMTP greeting name and the right side of Message-IDs.
	// DESKGATE_HOSTNAME, hostname; default: the first of Domains (also when
	// the domains come from the file or the environment).
	Hostname string
	// BootstrapToken, on a store with no admin, creates the admin
	// admin@<first domain> with this API token. Secret.
	// DESKGATE_BOOTSTRAP_TOKEN, bootstrap_token; default "" (no bootstrap).
	BootstrapToken string
	// UnseenDelay is how long a notification may stay unseen before it is
	// emailed (SPEC §4). Zero emails at once.
	// DESKGATE_UNSEEN_DELAY, unseen_delay; default 1m.
	UnseenDelay time.Duration
	// Smarthost is the host:port of the upstream relay for outbound mail;
	// empty delivers by MX lookup.
	// DESKGATE_SMARTHOST, smarthost; default "".
	Smarthost string
	// SmarthostUser and SmarthostPassword are the SMTP AUTH credentials for
	// the smarthost; empty user = no AUTH. The password is secret.
	// DESKGATE_SMARTHOST_USER, smarthost_user; DESKGATE_SMARTHOST_PASSWORD,
	// smarthost_password (extensions).
	SmarthostUser, SmarthostPassword string
	// SmarthostInsecureTLS skips verification of the smarthost's TLS
	// certificate (a relay with a self-signed certificate on a LAN).
	// DESKGATE_SMARTHOST_INSECURE_TLS, smarthost_insecure_tls; default false
	// (extension).
	SmarthostInsecureTLS bool
	// Outbound says what becomes of outbound email: OutboundDeliver (to
	// the smarthost or by MX) or OutboundCapture (SPEC §5: nothing leaves
	// the machine; each email is kept whole in the outbound mail log with
	// status captured, for trials and development).
	// DESKGATE_OUTBOUND, outbound; default "deliver".
	Outbound string
	// DMARCReport is the address `deskgate dns` puts in the DMARC record's
	// rua= (aggregate reports); empty = no rua= (and a note saying so).
	// DESKGATE_DMARC_REPORT, dmarc_report; default "" (extension).
	DMARCReport string
	// RetrySchedule is the waits between delivery attempts after a
	// temporary failure; the last one repeats.
	// DESKGATE_RETRY_SCHEDULE, retry_schedule; default
	// 1m,5m,15m,30m,1h,2h,4h.
	RetrySchedule []time.Duration
	// QueueLifetime is how long an undeliverable email is retried before it
	// is given up as bounced.
	// DESKGATE_QUEUE_LIFETIME, queue_lifetime; default 120h.
	QueueLifetime time.Duration
	// MaxMessageBytes is the SIZE limit (RFC 1870) of inbound mail.
	// DESKGATE_MAX_MESSAGE_BYTES, max_message_bytes; default 26214400.
	MaxMessageBytes int64
	// LogRetention is how long the mail log and raw messages are kept.
	// DESKGATE_LOG_RETENTION, log_retention; default 72h.
	LogRetention time.Duration
	// TLSCert and TLSKey are PEM file paths; when both are set inbound SMTP
	// offers STARTTLS (RFC 3207). Set both or neither.
	// DESKGATE_TLS_CERT, tls_cert; DESKGATE_TLS_KEY, tls_key (extensions).
	TLSCert, TLSKey string
	// LogLevel is the slog level: debug, info, warn or error (slog offsets
	// such as "warn+2" are accepted too).
	// DESKGATE_LOG_LEVEL, log_level; default "info" (extension).
	LogLevel string
	// FloodLimit is how many mails one sender may send within FloodWindow
	// before further mail from it is suppressed (SPEC §6); 0 disables the
	// flood guard.
	// DESKGATE_FLOOD_LIMIT, flood_limit; default 10 (extension).
	FloodLimit int
	// FloodWindow is the window FloodLimit counts in.
	// DESKGATE_FLOOD_WINDOW, flood_window; default 10m (extension).
	FloodWindow time.Duration
	// CcJoin: the people a customer copies (Cc) on a mail to support join
	// the conversation as its customers, so they receive the replies and
	// their reply-all threads there (never our own addresses or staff).
	// DESKGATE_CC_JOIN, cc_join; default true (extension).
	CcJoin bool
	// DatabaseURL selects the store (SPEC §8): empty = the embedded bbolt
	// file in DataDir; postgres://… = PostgreSQL, which several nodes
	// may share. Secret (it may carry a password).
	// DESKGATE_DATABASE_URL, database_url; default "".
	DatabaseURL string
	// NodeName names this process among the nodes of one installation.
	// DESKGATE_NODE_NAME, node_name; default "" = the host name.
	NodeName string
	// NodeLease is how long work a node claimed stays its own: after it
	// dies, the others take the work over within this time.
	// DESKGATE_NODE_LEASE, node_lease; default 30s.
	NodeLease time.Duration
	// DNS is host:port of the DNS server asked for the sender checks
	// (SPF, DKIM, DMARC, ARC) and for MX lookups (SPEC §12); empty uses
	// the nameservers of /etc/resolv.conf.
	// DESKGATE_DNS, dns; default "".
	DNS string
	// DMARCEnforce refuses mail whose From domain's DMARC policy is
	// p=reject and that fails DMARC (550 5.7.1); false accepts it, marked
	// unverified (SPEC §12).
	// DESKGATE_DMARC_ENFORCE, dmarc_enforce; default true.
	DMARCEnforce bool
	// ARCTrusted are the forwarders (mailing lists, forwarding services)
	// whose passing ARC chain (RFC 8617) exempts a mail from the p=reject
	// refusal; a domain covers its subdomains.
	// DESKGATE_ARC_TRUSTED (comma list), arc_trusted; default none.
	ARCTrusted []string
	// MailLogMaxBytes bounds the space the mail log (entries, raw messages)
	// takes in the store; past it the oldest entries are evicted before
	// LogRetention would prune them, and deskgate_maillog_evicted_total
	// counts them.
	// DESKGATE_MAILLOG_MAX_BYTES, maillog_max_bytes; default 1073741824 (1 GiB, extension).
	MailLogMaxBytes int64
	// PublicURL starts the links in emails (SPEC §10): the console and
	// <public url>/reset-password?token=…
	// DESKGATE_PUBLIC_URL, public_url; default "" = "http://" + HTTPAddr.
	PublicURL string
	// SessionTTL is how long a sign-in session token works.
	// DESKGATE_SESSION_TTL, session_ttl; default 12h (extension).
	SessionTTL time.Duration
	// TrustedProxies are the networks (CIDR) of reverse proxies whose
	// X-Forwarded-For header names the client, for the sign-in rate limit
	// per client; empty = the peer address is the client.
	// DESKGATE_TRUSTED_PROXIES (comma list), trusted_proxies; default
	// empty (extension).
	TrustedProxies []string
	// HTTPMaxConnections and HTTPMaxConnectionsPerIP cap the open HTTP
	// connections in all and per client address (a trusted proxy counts
	// only in the total); more are answered 503 and closed. The MX has its
	// own, separate caps, so the HTTP side cannot starve it.
	// DESKGATE_HTTP_MAX_CONNECTIONS, http_max_connections; default 1000;
	// DESKGATE_HTTP_MAX_CONNECTIONS_PER_IP, http_max_connections_per_ip;
	// default 64 (extensions).
	HTTPMaxConnections, HTTPMaxConnectionsPerIP int
	// HTTPBodyTimeout is how long a client has to send a request body,
	// counted from the start of the request (headers have at most 10 s of
	// it): a body that trickles in cannot stretch it.
	// DESKGATE_HTTP_BODY_TIMEOUT, http_body_timeout; default 30s (extension).
	HTTPBodyTimeout time.Duration
	// MetricsToken, when set, is the bearer token GET /metrics asks of
	// clients that are not on loopback; unset, /metrics answers loopback
	// clients only. Secret.
	// DESKGATE_METRICS_TOKEN, metrics_token; default "" (extension).
	MetricsToken string
	// CORSOrigins are the origins of browser UIs allowed to call the API
	// (SPEC §14). DESKGATE_CORS_ORIGINS (comma list), cors_origins;
	// default empty = none.
	CORSOrigins []string
	// WebhookAllowPrivate lets webhook URLs resolve to loopback, private
	// or link-local addresses (SPEC §14). DESKGATE_WEBHOOK_ALLOW_PRIVATE,
	// webhook_allow_private; default false.
	WebhookAllowPrivate bool
}

// TrustedProxyPrefixes parses TrustedProxies; a bare address is one host.
func (c Config) TrustedProxyPrefixes() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range c.TrustedProxies {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				return nil, fmt.Errorf("%q: not a CIDR network or address", s)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// PublicBaseURL is PublicURL, or http:// and the HTTP address when it is
// not set, without a trailing slash.
func (c Config) PublicBaseURL() string {
	if c.PublicURL != "" {
		return strings.TrimRight(c.PublicURL, "/")
	}
	return "http://" + c.HTTPAddr
}

// Values of Outbound.
const (
	OutboundDeliver = "deliver"
	OutboundCapture = "capture"
)

// Capture reports whether outbound email is captured instead of sent.
func (c Config) Capture() bool { return c.Outbound == OutboundCapture }

// redactedMark replaces a secret in Config.Redacted.
const redactedMark = "REDACTED"

// Default returns the configuration deskgate runs with when there is no
// file and no environment: the defaults of SPEC §2 and of the extensions.
func Default() Config {
	return Config{
		DataDir:         "./data",
		HTTPAddr:        "127.0.0.1:8080",
		SMTPAddr:        "127.0.0.1:2525",
		Domains:         []string{"support.localhost"},
		Hostname:        "support.localhost",
		UnseenDelay:     time.Minute,
		Outbound:        OutboundDeliver,
		RetrySchedule:   []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour},
		QueueLifetime:   120 * time.Hour,
		MaxMessageBytes: 26214400,
		LogRetention:    72 * time.Hour,
		LogLevel:        "info",
		FloodLimit:      10,
		FloodWindow:     10 * time.Minute,
		CcJoin:          true,
		NodeLease:       30 * time.Second,
		DMARCEnforce:    true,
		MailLogMaxBytes: 1 << 30,
		SessionTTL:      12 * time.Hour,

		HTTPMaxConnections:      1000,
		HTTPMaxConnectionsPerIP: 64,
		HTTPBodyTimeout:         30 * time.Second,
	}
}

// Redacted returns a copy safe to log: the bootstrap token and the
// smarthost password are replaced by "REDACTED" when set (an unset secret
// stays empty, so the log still shows whether it was set). Slices are
// copied, so the copy shares nothing with c.
func (c Config) Redacted() Config {
	r := c
	r.Domains = append([]string(nil), c.Domains...)
	r.RetrySchedule = append([]time.Duration(nil), c.RetrySchedule...)
	r.ARCTrusted = append([]string(nil), c.ARCTrusted...)
	if r.BootstrapToken != "" {
		r.BootstrapToken = redactedMark
	}
	if r.SmarthostPassword != "" {
		r.SmarthostPassword = redactedMark
	}
	if r.MetricsToken != "" {
		r.MetricsToken = redactedMark
	}
	r.DatabaseURL = RedactURL(r.DatabaseURL)
	return r
}

// LogValue implements slog.LogValuer, so slog.Any("config", c) logs the
// redacted configuration, never the secrets.
func (c Config) LogValue() slog.Value {
	r := c.Redacted()
	return slog.GroupValue(
		slog.String("data_dir", r.DataDir),
		slog.String("http_addr", r.HTTPAddr),
		slog.String("smtp_addr", r.SMTPAddr),
		slog.String("domains", strings.Join(r.Domains, ",")),
		slog.String("hostname", r.Hostname),
		slog.String("bootstrap_token", r.BootstrapToken),
		slog.String("unseen_delay", FormatDuration(r.UnseenDelay)),
		slog.String("smarthost", r.Smarthost),
		slog.String("outbound", r.Outbound),
		slog.String("smarthost_user", r.SmarthostUser),
		slog.String("smarthost_password", r.SmarthostPassword),
		slog.Bool("smarthost_insecure_tls", r.SmarthostInsecureTLS),
		slog.String("retry_schedule", formatDurationList(r.RetrySchedule)),
		slog.String("queue_lifetime", FormatDuration(r.QueueLifetime)),
		slog.Int64("max_message_bytes", r.MaxMessageBytes),
		slog.String("log_retention", FormatDuration(r.LogRetention)),
		slog.String("tls_cert", r.TLSCert),
		slog.String("tls_key", r.TLSKey),
		slog.String("log_level", r.LogLevel),
		slog.Int("flood_limit", r.FloodLimit),
		slog.String("flood_window", FormatDuration(r.FloodWindow)),
		slog.Bool("cc_join", r.CcJoin),
		slog.String("database_url", r.DatabaseURL),
		slog.String("node_name", r.NodeName),
		slog.String("node_lease", FormatDuration(r.NodeLease)),
		slog.String("dns", r.DNS),
		slog.Bool("dmarc_enforce", r.DMARCEnforce),
		slog.String("arc_trusted", strings.Join(r.ARCTrusted, ",")),
		slog.Int64("maillog_max_bytes", r.MailLogMaxBytes),
		slog.String("public_url", r.PublicURL),
		slog.String("session_ttl", FormatDuration(r.SessionTTL)),
		slog.String("trusted_proxies", strings.Join(r.TrustedProxies, ",")),
		slog.Int("http_max_connections", r.HTTPMaxConnections),
		slog.Int("http_max_connections_per_ip", r.HTTPMaxConnectionsPerIP),
		slog.String("http_body_timeout", FormatDuration(r.HTTPBodyTimeout)),
		slog.String("metrics_token", r.MetricsToken),
	)
}

// SlogLevel returns LogLevel as a slog.Level; an invalid level (which
// Validate reports) gives slog.LevelInfo.
func (c Config) SlogLevel() slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return slog.LevelInfo
	}
	return l
}

// TLSEnabled reports whether inbound SMTP offers STARTTLS.
func (c Config) TLSEnabled() bool { return c.TLSCert != "" && c.TLSKey != "" }

// Validate reports every inconsistency of c at once (errors.Join), each
// naming the TOML key, its environment variable and the bad value. It does
// not touch the network or the file system: a missing TLS certificate file
// is found when the SMTP server loads it.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("config: %s (%s): %s", key, envName(key), fmt.Sprintf(format, args...)))
	}
	if strings.TrimSpace(c.DataDir) == "" {
		bad("data_dir", "must not be empty")
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		bad("database_url", "%q: must be empty (bbolt in data_dir) or a postgres:// URL", RedactURL(c.DatabaseURL))
	}
	if err := checkListenAddr(c.HTTPAddr); err != nil {
		bad("http_addr", "%q: %v", c.HTTPAddr, err)
	}
	if err := checkListenAddr(c.SMTPAddr); err != nil {
		bad("smtp_addr", "%q: %v", c.SMTPAddr, err)
	}
	if len(c.Domains) == 0 {
		bad("domains", "at least one domain is required")
	}
	for _, o := range c.CORSOrigins {
		if !ValidOrigin(o) {
			bad("cors_origins", "%q: an origin is scheme://host[:port] (http or https, no path; * is not allowed)", o)
		}
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			bad("public_url", "%q: must be an http:// or https:// URL without query", c.PublicURL)
		}
	}
	if _, err := c.TrustedProxyPrefixes(); err != nil {
		bad("trusted_proxies", "%v", err)
	}
	if c.HTTPMaxConnections < 1 {
		bad("http_max_connections", "%d: must be at least 1", c.HTTPMaxConnections)
	}
	if c.HTTPMaxConnectionsPerIP < 1 {
		bad("http_max_connections_per_ip", "%d: must be at least 1", c.HTTPMaxConnectionsPerIP)
	}
	if c.HTTPBodyTimeout < time.Second {
		bad("http_body_timeout", "%s: must be at least 1s", FormatDuration(c.HTTPBodyTimeout))
	}
	seen := make(map[string]bool, len(c.Domains))
	for _, d := range c.Domains {
		if err := checkDomain(d); err != nil {
			bad("domains", "%q: %v", d, err)
		} else if seen[d] {
			bad("domains", "%q is listed twice", d)
		}
		seen[d] = true
	}
	if err := checkDomain(c.Hostname); err != nil {
		bad("hostname", "%q: %v", c.Hostname, err)
	}
	if c.UnseenDelay < 0 {
		bad("unseen_delay", "must not be negative, got %s", FormatDuration(c.UnseenDelay))
	}
	if c.Outbound != OutboundDeliver && c.Outbound != OutboundCapture {
		bad("outbound", "%q: must be %q or %q", c.Outbound, OutboundDeliver, OutboundCapture)
	}
	if c.DMARCReport != "" && !strings.Contains(c.DMARCReport, "@") {
		bad("dmarc_report", "%q: must be an email address", c.DMARCReport)
	}
	if c.Smarthost != "" {
		if err := checkHostPort(c.Smarthost, true); err != nil {
			bad("smarthost", "%q: %v", c.Smarthost, err)
		}
	} else if c.SmarthostUser != "" {
		bad("smarthost_user", "is set but smarthost is empty")
	}
	if c.SmarthostPassword != "" && c.SmarthostUser == "" {
		bad("smarthost_password", "is set but smarthost_user is empty")
	}
	if len(c.RetrySchedule) == 0 {
		bad("retry_schedule", "at least one wait is required")
	}
	for i, d := range c.RetrySchedule {
		if d <= 0 {
			bad("retry_schedule", "item %d must be positive, got %s", i+1, FormatDuration(d))
		}
	}
	positive := []struct {
		key string
		d   time.Duration
	}{{"queue_lifetime", c.QueueLifetime}, {"log_retention", c.LogRetention}, {"flood_window", c.FloodWindow}, {"node_lease", c.NodeLease}, {"session_ttl", c.SessionTTL}}
	for _, p := range positive {
		if p.d <= 0 {
			bad(p.key, "must be positive, got %s", FormatDuration(p.d))
		}
	}
	if c.MaxMessageBytes <= 0 {
		bad("max_message_bytes", "must be positive, got %d", c.MaxMessageBytes)
	}
	if c.MailLogMaxBytes < 1<<20 {
		bad("maillog_max_bytes", "must be at least 1048576 (1 MiB), got %d", c.MailLogMaxBytes)
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		bad("tls_cert", "tls_cert and tls_key must be set together (cert %q, key %q)", c.TLSCert, c.TLSKey)
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.LogLevel)); err != nil {
		bad("log_level", "%q: want debug, info, warn or error", c.LogLevel)
	}
	if c.FloodLimit < 0 {
		bad("flood_limit", "must not be negative (0 disables), got %d", c.FloodLimit)
	}
	if c.DNS != "" {
		if err := checkHostPort(c.DNS, true); err != nil {
			bad("dns", "%q: %v", c.DNS, err)
		}
	}
	for _, d := range c.ARCTrusted {
		if err := checkDomain(d); err != nil {
			bad("arc_trusted", "%q: %v", d, err)
		}
	}
	return errors.Join(errs...)
}

// checkListenAddr checks a listener address: host:port with a numeric port;
// the host may be empty (all interfaces) and the port 0 (any free port).
func checkListenAddr(addr string) error {
	return checkHostPort(addr, false)
}

// checkHostPort checks host:port syntax; needHost requires a non-empty host.
func checkHostPort(addr string, needHost bool) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("want host:port: %w", err)
	}
	if needHost && host == "" {
		return errors.New("host is empty")
	}
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return fmt.Errorf("port %q is not a number from 0 to 65535", port)
	}
	if needHost && n == 0 {
		return errors.New("port 0 is not a destination")
	}
	return nil
}

// checkDomain checks the syntax of a lower-case ASCII domain name
// (RFC 1035 §2.3.1 as relaxed by RFC 1123 §2.1: labels may start with a
// digit).
func checkDomain(d string) error {
	if d == "" {
		return errors.New("empty")
	}
	if len(d) > 253 {
		return errors.New("longer than 253 characters")
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" {
			return errors.New("empty label")
		}
		if len(label) > 63 {
			return fmt.Errorf("label %q longer than 63 characters", label)
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("label %q starts or ends with a hyphen", label)
		}
		for _, r := range label {
			if !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '-') {
				return fmt.Errorf("invalid character %q (use lower-case ASCII; xn-- form for international names)", r)
			}
		}
	}
	return nil
}

// RedactURL replaces the password of a database URL by "REDACTED": the
// one in the userinfo and a "password" query parameter (libpq's connection
// URIs take both). A string that does not parse as a URL (a mistyped
// password escape, a key=value DSN) loses its whole userinfo and every
// password=… value instead of being returned as it came.
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return redactUnparsed(s)
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), redactedMark)
		}
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", redactedMark)
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// passwordParam matches a password=value pair of a key=value DSN or a query.
var passwordParam = regexp.MustCompile(`(?i)(password=)('[^']*'|[^\s&]*)`)

// redactUnparsed hides what may be secret in a string url.Parse refused.
func redactUnparsed(s string) string {
	if i := strings.Index(s, "://"); i >= 0 {
		rest := s[i+3:]
		if j := strings.LastIndex(rest, "@"); j >= 0 {
			user, _, _ := strings.Cut(rest[:j], ":")
			s = s[:i+3] + user + ":" + redactedMark + rest[j:]
		}
	}
	return passwordParam.ReplaceAllString(s, "${1}"+redactedMark)
}

// ValidOrigin reports whether o is a browser origin (RFC 6454 §6.2):
// http or https, a host, an optional port, nothing else.
func ValidOrigin(o string) bool {
	u, err := url.Parse(o)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.Path == "" &&
		u.User == nil && u.RawQuery == "" && u.Fragment == "" && !strings.HasSuffix(o, "/") && o == strings.ToLower(u.Scheme)+"://"+u.Host
}
