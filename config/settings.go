package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// kind is how a setting is written: it decides which TOML types are
// accepted and how Sample writes the default.
type kind int

const (
	kindString   kind = iota // TOML string
	kindList                 // TOML array of strings, or one comma-separated string
	kindDuration             // TOML string in ParseDuration syntax
	kindInt                  // TOML integer
	kindBool                 // TOML boolean
)

// setting describes one configuration value: its TOML key, environment
// variable, documentation, and how to read and write it in the textual form
// the environment uses (lists comma-separated, durations as ParseDuration
// reads them). The file, the environment, Sample and Validate's messages all
// work from this one table, so they cannot drift apart.
type setting struct {
	key, env string
	kind     kind
	doc      string // for Sample; lines of a # comment
	// commented writes the key commented out in Sample: its default is
	// derived from other settings.
	commented bool
	set       func(c *Config, s string) error
	get       func(c Config) string
}

// settings is the table of every setting, in SPEC §2 order, then the
// extensions.
var settings = [...]setting{
	{key: "data_dir", env: "DESKGATE_DATA_DIR", kind: kindString,
		doc: "Directory of the store and the DKIM keys.",
		set: func(c *Config, s string) error { c.DataDir = s; return nil },
		get: func(c Config) string { return c.DataDir }},
	{key: "http_addr", env: "DESKGATE_HTTP_ADDR", kind: kindString,
		doc: "host:port of the REST API. An empty host listens on all interfaces.",
		set: func(c *Config, s string) error { c.HTTPAddr = strings.TrimSpace(s); return nil },
		get: func(c Config) string { return c.HTTPAddr }},
	{key: "smtp_addr", env: "DESKGATE_SMTP_ADDR", kind: kindString,
		doc: "host:port of inbound SMTP (the MX). Use \":25\" in production.",
		set: func(c *Config, s string) error { c.SMTPAddr = strings.TrimSpace(s); return nil },
		get: func(c Config) string { return c.SMTPAddr }},
	{key: "domains", env: "DESKGATE_DOMAINS", kind: kindList,
		doc: "Domains deskgate accepts mail for (never an open relay). The first one\nis the default hostname and the bootstrap admin's domain.",
		set: func(c *Config, s string) error { c.Domains = parseDomains(s); return nil },
		get: func(c Config) string { return strings.Join(c.Domains, ",") }},
	{key: "hostname", env: "DESKGATE_HOSTNAME", kind: kindString, commented: true,
		doc: "SMTP greeting and Message-ID right side. Default: the first domain.",
		set: func(c *Config, s string) error { c.Hostname = normalizeDomain(s); return nil },
		get: func(c Config) string { return c.Hostname }},
	{key: "bootstrap_token", env: "DESKGATE_BOOTSTRAP_TOKEN", kind: kindString,
		doc: "On a store with no admin, create admin@<first domain> with this API token.\nSecret: prefer the environment variable. Empty = no bootstrap.",
		set: func(c *Config, s string) error { c.BootstrapToken = s; return nil },
		get: func(c Config) string { return c.BootstrapToken }},
	{key: "unseen_delay", env: "DESKGATE_UNSEEN_DELAY", kind: kindDuration,
		doc: "How long a notification may stay unseen before it is emailed.",
		set: func(c *Config, s string) error { return setDuration(&c.UnseenDelay, s) },
		get: func(c Config) string { return FormatDuration(c.UnseenDelay) }},
	{key: "smarthost", env: "DESKGATE_SMARTHOST", kind: kindString,
		doc: "host:port of the upstream relay for outbound mail. Empty = deliver by MX lookup.",
		set: func(c *Config, s string) error { c.Smarthost = strings.TrimSpace(s); return nil },
		get: func(c Config) string { return c.Smarthost }},
	{key: "smarthost_user", env: "DESKGATE_SMARTHOST_USER", kind: kindString,
		doc: "SMTP AUTH user for the smarthost. Empty = no AUTH.",
		set: func(c *Config, s string) error { c.SmarthostUser = s; return nil },
		get: func(c Config) string { return c.SmarthostUser }},
	{key: "smarthost_password", env: "DESKGATE_SMARTHOST_PASSWORD", kind: kindString,
		doc: "SMTP AUTH password for the smarthost. Secret: prefer the environment variable.",
		set: func(c *Config, s string) error { c.SmarthostPassword = s; return nil },
		get: func(c Config) string { return c.SmarthostPassword }},
	{key: "smarthost_insecure_tls", env: "DESKGATE_SMARTHOST_INSECURE_TLS", kind: kindBool,
		doc: "Do not verify the smarthost's TLS certificate (self-signed relay on a LAN).",
		set: func(c *Config, s string) error { return setBool(&c.SmarthostInsecureTLS, s) },
		get: func(c Config) string { return strconv.FormatBool(c.SmarthostInsecureTLS) }},
	{key: "outbound", env: "DESKGATE_OUTBOUND", kind: kindString,
		doc: "What becomes of outbound email: \"deliver\" (smarthost or MX) or \"capture\"\n(nothing leaves the machine; every email is kept whole in the outbound\nmail log with status captured: for trials and development).",
		set: func(c *Config, s string) error { c.Outbound = strings.ToLower(strings.TrimSpace(s)); return nil },
		get: func(c Config) string { return c.Outbound }},
	{key: "retry_schedule", env: "DESKGATE_RETRY_SCHEDULE", kind: kindList,
		doc: "Waits between delivery attempts after a temporary failure; the last one repeats.",
		set: func(c *Config, s string) error {
			l, err := parseDurationList(s)
			if err != nil {
				return err
			}
			c.RetrySchedule = l
			return nil
		},
		get: func(c Config) string { return formatDurationList(c.RetrySchedule) }},
	{key: "queue_lifetime", env: "DESKGATE_QUEUE_LIFETIME", kind: kindDuration,
		doc: "After this an undeliverable email is given up (bounced).",
		set: func(c *Config, s string) error { return setDuration(&c.QueueLifetime, s) },
		get: func(c Config) string { return FormatDuration(c.QueueLifetime) }},
	{key: "max_message_bytes", env: "DESKGATE_MAX_MESSAGE_BYTES", kind: kindInt,
		doc: "SIZE limit of inbound mail, in bytes.",
		set: func(c *Config, s string) error {
			n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
			if err != nil {
				return fmt.Errorf("not an integer number of bytes: %w", err)
			}
			c.MaxMessageBytes = n
			return nil
		},
		get: func(c Config) string { return strconv.FormatInt(c.MaxMessageBytes, 10) }},
	{key: "log_retention", env: "DESKGATE_LOG_RETENTION", kind: kindDuration,
		doc: "How long the mail log and raw messages are kept.",
		set: func(c *Config, s string) error { return setDuration(&c.LogRetention, s) },
		get: func(c Config) string { return FormatDuration(c.LogRetention) }},
	{key: "tls_cert", env: "DESKGATE_TLS_CERT", kind: kindString,
		doc: "PEM certificate file. With tls_key set too, inbound SMTP offers STARTTLS.",
		set: func(c *Config, s string) error { c.TLSCert = s; return nil },
		get: func(c Config) string { return c.TLSCert }},
	{key: "tls_key", env: "DESKGATE_TLS_KEY", kind: kindString,
		doc: "PEM private key file for tls_cert.",
		set: func(c *Config, s string) error { c.TLSKey = s; return nil },
		get: func(c Config) string { return c.TLSKey }},
	{key: "log_level", env: "DESKGATE_LOG_LEVEL", kind: kindString,
		doc: "debug, info, warn or error.",
		set: func(c *Config, s string) error { c.LogLevel = strings.ToLower(strings.TrimSpace(s)); return nil },
		get: func(c Config) string { return c.LogLevel }},
	{key: "flood_limit", env: "DESKGATE_FLOOD_LIMIT", kind: kindInt,
		doc: "Mails one sender may send within flood_window before the rest is suppressed.\n0 disables the flood guard.",
		set: func(c *Config, s string) error {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil {
				return fmt.Errorf("not an integer: %w", err)
			}
			c.FloodLimit = n
			return nil
		},
		get: func(c Config) string { return strconv.Itoa(c.FloodLimit) }},
	{key: "flood_window", env: "DESKGATE_FLOOD_WINDOW", kind: kindDuration,
		doc: "The window flood_limit counts in.",
		set: func(c *Config, s string) error { return setDuration(&c.FloodWindow, s) },
		get: func(c Config) string { return FormatDuration(c.FloodWindow) }},
	{key: "cc_join", env: "DESKGATE_CC_JOIN", kind: kindBool,
		doc: "People a customer copies (Cc) on a mail to support join the conversation as its\ncustomers: they receive the replies and their reply-all threads there.",
		set: func(c *Config, s string) error { return setBool(&c.CcJoin, s) },
		get: func(c Config) string { return strconv.FormatBool(c.CcJoin) }},
	{key: "database_url", env: "DESKGATE_DATABASE_URL", kind: kindString,
		doc: "The store: empty = the embedded bbolt file in data_dir; postgres://user:pass@host/db\n= PostgreSQL, which several deskgate nodes may share (SPEC §8).\nSecret when it carries a password: prefer the environment variable.",
		set: func(c *Config, s string) error { c.DatabaseURL = strings.TrimSpace(s); return nil },
		get: func(c Config) string { return c.DatabaseURL }},
	{key: "node_name", env: "DESKGATE_NODE_NAME", kind: kindString, commented: true,
		doc: "This node's name among the nodes of one installation. Default: the host name.",
		set: func(c *Config, s string) error { c.NodeName = strings.TrimSpace(s); return nil },
		get: func(c Config) string { return c.NodeName }},
	{key: "node_lease", env: "DESKGATE_NODE_LEASE", kind: kindDuration,
		doc: "How long work a node claimed stays its own: when a node dies, the others\ntake its claimed emails over within this time.",
		set: func(c *Config, s string) error { return setDuration(&c.NodeLease, s) },
		get: func(c Config) string { return FormatDuration(c.NodeLease) }},
	{key: "dns", env: "DESKGATE_DNS", kind: kindString,
		doc: "host:port of the DNS server for the sender checks (SPF, DKIM, DMARC, ARC)\nand MX lookups. Empty = the nameservers of /etc/resolv.conf.",
		set: func(c *Config, s string) error { c.DNS = strings.TrimSpace(s); return nil },
		get: func(c Config) string { return c.DNS }},
	{key: "dmarc_enforce", env: "DESKGATE_DMARC_ENFORCE", kind: kindBool,
		doc: "Refuse (550 5.7.1) mail that fails DMARC when its From domain says p=reject.\nfalse = accept it, marked unverified.",
		set: func(c *Config, s string) error { return setBool(&c.DMARCEnforce, s) },
		get: func(c Config) string { return strconv.FormatBool(c.DMARCEnforce) }},
	{key: "arc_trusted", env: "DESKGATE_ARC_TRUSTED", kind: kindList,
		doc: "Forwarders (mailing lists) whose passing ARC chain exempts a mail from the\np=reject refusal. A domain covers its subdomains.",
		set: func(c *Config, s string) error { c.ARCTrusted = parseDomains(s); return nil },
		get: func(c Config) string { return strings.Join(c.ARCTrusted, ",") }},
	{key: "dmarc_report", env: "DESKGATE_DMARC_REPORT", kind: kindString, commented: true,
		doc: "Address `deskgate dns` puts in the DMARC record (rua=). Empty: no rua= (a note says so).",
		set: func(c *Config, s string) error { c.DMARCReport = strings.TrimSpace(s); return nil },
		get: func(c Config) string { return c.DMARCReport }},
	{key: "maillog_max_bytes", env: "DESKGATE_MAILLOG_MAX_BYTES", kind: kindInt,
		doc: "Most bytes the mail log (entries and raw messages) may take in the store; past it the oldest entries go first, before the log retention.",
		set: func(c *Config, s string) error {
			n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
			if err != nil {
				return fmt.Errorf("not an integer number of bytes: %w", err)
			}
			c.MailLogMaxBytes = n
			return nil
		},
		get: func(c Config) string { return strconv.FormatInt(c.MailLogMaxBytes, 10) }},
	{key: "public_url", env: "DESKGATE_PUBLIC_URL", kind: kindString, commented: true,
		doc: "Where users reach deskgate: links in emails start with it (the console,\n<public_url>/reset-password?token=…). Default: http:// and http_addr.",
		set: func(c *Config, s string) error { c.PublicURL = strings.TrimSpace(s); return nil },
		get: func(c Config) string { return c.PublicURL }},
	{key: "session_ttl", env: "DESKGATE_SESSION_TTL", kind: kindDuration,
		doc: "How long a sign-in session (POST /auth/login) lasts.",
		set: func(c *Config, s string) error { return setDuration(&c.SessionTTL, s) },
		get: func(c Config) string { return FormatDuration(c.SessionTTL) }},
	{key: "trusted_proxies", env: "DESKGATE_TRUSTED_PROXIES", kind: kindList,
		doc: "Networks (CIDR) of reverse proxies whose X-Forwarded-For names the client,\nfor the sign-in rate limit per client. Empty: the peer address is the client.",
		set: func(c *Config, s string) error { c.TrustedProxies = splitList(s); return nil },
		get: func(c Config) string { return strings.Join(c.TrustedProxies, ",") }},
	{key: "http_max_connections", env: "DESKGATE_HTTP_MAX_CONNECTIONS", kind: kindInt,
		doc: "Most open HTTP connections in all; more are answered 503. The MX has its own caps.",
		set: func(c *Config, s string) error { return setInt(&c.HTTPMaxConnections, s) },
		get: func(c Config) string { return strconv.Itoa(c.HTTPMaxConnections) }},
	{key: "http_max_connections_per_ip", env: "DESKGATE_HTTP_MAX_CONNECTIONS_PER_IP", kind: kindInt,
		doc: "Most open HTTP connections per client address (a trusted proxy counts only in the total).",
		set: func(c *Config, s string) error { return setInt(&c.HTTPMaxConnectionsPerIP, s) },
		get: func(c Config) string { return strconv.Itoa(c.HTTPMaxConnectionsPerIP) }},
	{key: "http_body_timeout", env: "DESKGATE_HTTP_BODY_TIMEOUT", kind: kindDuration,
		doc: "How long a client has to send a request body, from the start of the request.",
		set: func(c *Config, s string) error { return setDuration(&c.HTTPBodyTimeout, s) },
		get: func(c Config) string { return FormatDuration(c.HTTPBodyTimeout) }},
	{key: "metrics_token", env: "DESKGATE_METRICS_TOKEN", kind: kindString,
		doc: "Bearer token for GET /metrics from clients not on loopback. Empty = /metrics\nanswers loopback clients only. Secret: prefer the environment variable.",
		set: func(c *Config, s string) error { c.MetricsToken = strings.TrimSpace(s); return nil },
		get: func(c Config) string { return c.MetricsToken }},
	{key: "cors_origins", env: "DESKGATE_CORS_ORIGINS", kind: kindList,
		doc: "Origins (scheme://host[:port]) of browser UIs that may call the API with a\nbearer token (CORS, SPEC §14). Empty: none.",
		set: func(c *Config, s string) error { c.CORSOrigins = splitList(s); return nil },
		get: func(c Config) string { return strings.Join(c.CORSOrigins, ",") }},
	{key: "webhook_allow_private", env: "DESKGATE_WEBHOOK_ALLOW_PRIVATE", kind: kindBool,
		doc: "Let webhooks reach loopback, private and link-local addresses (a receiver\non the same host or network). false = such URLs are refused.",
		set: func(c *Config, s string) error { return setBool(&c.WebhookAllowPrivate, s) },
		get: func(c Config) string { return strconv.FormatBool(c.WebhookAllowPrivate) }},
}

// setInt parses s as a decimal integer into *dst.
func setInt(dst *int, s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("not an integer: %w", err)
	}
	*dst = n
	return nil
}

// splitList splits a comma list, trimming blanks and dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// lookupSetting returns the setting with TOML key key.
func lookupSetting(key string) (setting, bool) {
	for _, s := range settings {
		if s.key == key {
			return s, true
		}
	}
	return setting{}, false
}

// envName returns the environment variable of TOML key key.
func envName(key string) string {
	s, _ := lookupSetting(key)
	return s.env
}

// setDuration parses s with ParseDuration into *dst.
func setDuration(dst *time.Duration, s string) error {
	d, err := ParseDuration(s)
	if err != nil {
		return err
	}
	*dst = d
	return nil
}

// setBool parses s with strconv.ParseBool into *dst.
func setBool(dst *bool, s string) error {
	b, err := strconv.ParseBool(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("not a boolean (want true or false): %w", err)
	}
	*dst = b
	return nil
}

// normalizeDomain trims, lower-cases and drops a trailing dot.
func normalizeDomain(s string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".")
}

// parseDomains splits a comma list of domains, normalizes each, and drops
// blank items and repeats.
func parseDomains(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, item := range strings.Split(s, ",") {
		d := normalizeDomain(item)
		if d == "" || seen[d] {
			continue
		}
		seen[d] = true
		out = append(out, d)
	}
	return out
}
