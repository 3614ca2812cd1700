// Package config holds deskgate's whole configuration and the rules that
// build it: the defaults of SPEC §2, overridden by an optional TOML file
// (deskgate serve --config FILE), overridden by DESKGATE_* environment
// variables. The environment wins.
//
// Every setting has one TOML key and one environment variable:
//
//	TOML key                env variable                       default
//	data_dir                DESKGATE_DATA_DIR                  ./data
//	http_addr               DESKGATE_HTTP_ADDR                 127.0.0.1:8080
//	smtp_addr               DESKGATE_SMTP_ADDR                 127.0.0.1:2525
//	domains                 DESKGATE_DOMAINS                   support.localhost
//	hostname                DESKGATE_HOSTNAME                  first domain
//	bootstrap_token         DESKGATE_BOOTSTRAP_TOKEN           (empty)
//	unseen_delay            DESKGATE_UNSEEN_DELAY              1m
//	smarthost               DESKGATE_SMARTHOST                 (empty: MX delivery)
//	smarthost_user          DESKGATE_SMARTHOST_USER            (empty: no AUTH)
//	smarthost_password      DESKGATE_SMARTHOST_PASSWORD        (empty)
//	smarthost_insecure_tls  DESKGATE_SMARTHOST_INSECURE_TLS    false
//	outbound                DESKGATE_OUTBOUND                  deliver (or capture: nothing sent)
//	retry_schedule          DESKGATE_RETRY_SCHEDULE            1m,5m,15m,30m,1h,2h,4h
//	queue_lifetime          DESKGATE_QUEUE_LIFETIME            120h
//	max_message_bytes       DESKGATE_MAX_MESSAGE_BYTES         26214400
//	log_retention           DESKGATE_LOG_RETENTION             72h
//	tls_cert                DESKGATE_TLS_CERT                  (empty)
//	tls_key                 DESKGATE_TLS_KEY                   (empty)
//	log_level               DESKGATE_LOG_LEVEL                 info
//	flood_limit             DESKGATE_FLOOD_LIMIT               10
//	flood_window            DESKGATE_FLOOD_WINDOW              10m
//	cc_join                 DESKGATE_CC_JOIN                   true
//	database_url            DESKGATE_DATABASE_URL              (empty: bbolt in data_dir)
//	node_name               DESKGATE_NODE_NAME                 (empty: the host name)
//	node_lease              DESKGATE_NODE_LEASE                30s
//	dns                     DESKGATE_DNS                       (empty: /etc/resolv.conf)
//	dmarc_enforce           DESKGATE_DMARC_ENFORCE             true
//	arc_trusted             DESKGATE_ARC_TRUSTED               (empty)
//	maillog_max_bytes       DESKGATE_MAILLOG_MAX_BYTES         1073741824
//	public_url              DESKGATE_PUBLIC_URL                (empty: http:// and http_addr)
//	session_ttl             DESKGATE_SESSION_TTL               12h
//	trusted_proxies         DESKGATE_TRUSTED_PROXIES           (empty)
//	http_max_connections    DESKGATE_HTTP_MAX_CONNECTIONS      1000
//	http_max_connections_per_ip DESKGATE_HTTP_MAX_CONNECTIONS_PER_IP 64
//	http_body_timeout       DESKGATE_HTTP_BODY_TIMEOUT         30s
//	metrics_token           DESKGATE_METRICS_TOKEN             (empty: loopback only)
//	dmarc_report            DESKGATE_DMARC_REPORT              (empty: no rua=)
//	cors_origins            DESKGATE_CORS_ORIGINS              (empty: none)
//	webhook_allow_private   DESKGATE_WEBHOOK_ALLOW_PRIVATE     false
//
// The settings SPEC §2 does not name (smarthost credentials and TLS check,
// inbound TLS, log level, flood guard, Cc joining) are deskgate extensions; the store
// and node settings are SPEC §8's.
//
// Value syntax, the same in the file and in the environment:
//
//   - Durations are Go durations ("90s", "1m", "1h30m", "120h") plus the unit
//     "d" for 24 hours ("5d" = "120h"; a day is always exactly 24h, there is
//     no calendar or DST arithmetic). Fractions are allowed only when they
//     come out as a whole number of nanoseconds ("1.5h" is fine, "1.5ns" is
//     an error): a duration is never truncated silently. In TOML a duration
//     is a string; a bare number is an error because its unit is unknown.
//   - Lists (domains, retry_schedule) are comma-separated in the
//     environment; in TOML either such a string or an array of strings.
//     Blank items are ignored, so a trailing comma is harmless.
//   - Domains and the hostname are trimmed and lower-cased, and a trailing
//     dot is dropped. Internationalised names must be given in their ASCII
//     (xn--) form.
//   - An environment variable set to the empty string counts as unset: the
//     environment can override a file's value but not clear it.
//
// Unknown TOML keys are errors, so a typo never silently leaves a default in
// place. [Load] validates what it builds; [Config.Validate] is exported for
// configs built in code (tests).
package config
