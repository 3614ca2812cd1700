package config

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// Load builds the configuration: Default(), then the TOML file at path when
// path != "", then the environment read through getenv (os.Getenv in
// production, a map in tests); the environment wins. An empty variable
// counts as unset. Hostname, unless the file or the environment sets it, is
// the first of the resulting Domains.
//
// Unknown TOML keys are an error naming the key; a bad value is an error
// naming the variable or key and the value. The result is validated
// (Config.Validate), so a nil error means it is ready to use.
func Load(path string, getenv func(string) string) (Config, error) {
	c := Default()
	hostnameSet := false
	if path != "" {
		set, err := loadFile(&c, path)
		if err != nil {
			return Config{}, err
		}
		hostnameSet = set["hostname"]
	}
	for _, s := range settings {
		v := getenv(s.env)
		if v == "" {
			continue
		}
		if err := s.set(&c, v); err != nil {
			return Config{}, fmt.Errorf("config: environment %s=%q: %w", s.env, v, err)
		}
		if s.key == "hostname" {
			hostnameSet = true
		}
	}
	if !hostnameSet && len(c.Domains) > 0 {
		c.Hostname = c.Domains[0]
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// fileConfig is the shape of the TOML file: one field per setting, each a
// rawValue so the type checks and messages are deskgate's own (see
// fromTOML). Keys not listed here stay undecoded and are reported.
type fileConfig struct {
	DataDir              *rawValue `toml:"data_dir"`
	HTTPAddr             *rawValue `toml:"http_addr"`
	SMTPAddr             *rawValue `toml:"smtp_addr"`
	Domains              *rawValue `toml:"domains"`
	Hostname             *rawValue `toml:"hostname"`
	BootstrapToken       *rawValue `toml:"bootstrap_token"`
	UnseenDelay          *rawValue `toml:"unseen_delay"`
	Smarthost            *rawValue `toml:"smarthost"`
	SmarthostUser        *rawValue `toml:"smarthost_user"`
	SmarthostPassword    *rawValue `toml:"smarthost_password"`
	SmarthostInsecureTLS *rawValue `toml:"smarthost_insecure_tls"`
	RetrySchedule        *rawValue `toml:"retry_schedule"`
	QueueLifetime        *rawValue `toml:"queue_lifetime"`
	MaxMessageBytes      *rawValue `toml:"max_message_bytes"`
	LogRetention         *rawValue `toml:"log_retention"`
	TLSCert              *rawValue `toml:"tls_cert"`
	TLSKey               *rawValue `toml:"tls_key"`
	LogLevel             *rawValue `toml:"log_level"`
	FloodLimit           *rawValue `toml:"flood_limit"`
	FloodWindow          *rawValue `toml:"flood_window"`
	CcJoin               *rawValue `toml:"cc_join"`
	DatabaseURL          *rawValue `toml:"database_url"`
	NodeName             *rawValue `toml:"node_name"`
	NodeLease            *rawValue `toml:"node_lease"`
	PublicURL            *rawValue `toml:"public_url"`
	SessionTTL           *rawValue `toml:"session_ttl"`
	TrustedProxies       *rawValue `toml:"trusted_proxies"`
	DNS                  *rawValue `toml:"dns"`
	DMARCEnforce         *rawValue `toml:"dmarc_enforce"`
	ARCTrusted           *rawValue `toml:"arc_trusted"`
	MailLogMaxBytes      *rawValue `toml:"maillog_max_bytes"`
	HTTPMaxConns         *rawValue `toml:"http_max_connections"`
	HTTPMaxConnsPerIP    *rawValue `toml:"http_max_connections_per_ip"`
	HTTPBodyTimeout      *rawValue `toml:"http_body_timeout"`
	MetricsToken         *rawValue `toml:"metrics_token"`
	Outbound             *rawValue `toml:"outbound"`
	DMARCReport          *rawValue `toml:"dmarc_report"`
	CORSOrigins          *rawValue `toml:"cors_origins"`
	WebhookAllowPrivate  *rawValue `toml:"webhook_allow_private"`
}

// rawValue keeps a TOML value as the decoder produced it (string, int64,
// float64, bool, []any, map[string]any, time types).
type rawValue struct{ v any }

// UnmarshalTOML implements toml.Unmarshaler.
func (r *rawValue) UnmarshalTOML(v any) error {
	r.v = v
	return nil
}

// loadFile applies the TOML file at path to c and returns the keys it set.
func loadFile(c *Config, path string) (map[string]bool, error) {
	var f fileConfig
	md, err := toml.DecodeFile(path, &f)
	if err != nil {
		return nil, fmt.Errorf("config: reading %s: %w", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = strconv.Quote(k.String())
		}
		noun := "key"
		if len(keys) > 1 {
			noun = "keys"
		}
		return nil, fmt.Errorf("config: %s: unknown %s %s", path, noun, strings.Join(keys, ", "))
	}
	// The decoder matches struct fields case-insensitively; TOML keys are
	// case-sensitive, so "Data_Dir" is an unknown key too.
	for _, k := range md.Keys() {
		if _, ok := lookupSetting(k.String()); !ok {
			return nil, fmt.Errorf("config: %s: unknown key %q (keys are lower case)", path, k.String())
		}
	}
	set := map[string]bool{}
	rv := reflect.ValueOf(f)
	rt := rv.Type()
	for i := range rt.NumField() {
		key := rt.Field(i).Tag.Get("toml")
		raw, _ := rv.Field(i).Interface().(*rawValue)
		if raw == nil {
			continue
		}
		s, ok := lookupSetting(key)
		if !ok {
			return nil, fmt.Errorf("config: internal error: TOML key %q has no setting", key)
		}
		if err := s.fromTOML(c, raw.v); err != nil {
			return nil, fmt.Errorf("config: %s: %s = %s: %w", path, key, formatRaw(raw.v), err)
		}
		set[key] = true
	}
	return set, nil
}

// fromTOML checks the TOML type of v against the setting's kind and applies
// it to c through the same parser the environment uses.
func (s setting) fromTOML(c *Config, v any) error {
	var text string
	switch s.kind {
	case kindString:
		str, ok := v.(string)
		if !ok {
			return fmt.Errorf("want a string, got %s", tomlType(v))
		}
		text = str
	case kindDuration:
		str, ok := v.(string)
		if !ok {
			return fmt.Errorf("want a duration string with a unit such as \"90s\", \"1m\" or \"120h\", got %s", tomlType(v))
		}
		if strings.TrimSpace(str) == "" {
			return errors.New("empty duration")
		}
		text = str
	case kindList:
		switch x := v.(type) {
		case string:
			text = x
		case []any:
			items := make([]string, len(x))
			for i, item := range x {
				str, ok := item.(string)
				if !ok {
					return fmt.Errorf("item %d: want a string, got %s", i+1, tomlType(item))
				}
				if strings.Contains(str, ",") {
					return fmt.Errorf("item %d %q: one item per array element, no commas", i+1, str)
				}
				items[i] = str
			}
			text = strings.Join(items, ",")
		default:
			return fmt.Errorf("want an array of strings or a comma-separated string, got %s", tomlType(v))
		}
	case kindInt:
		n, ok := v.(int64)
		if !ok {
			return fmt.Errorf("want an integer, got %s", tomlType(v))
		}
		text = strconv.FormatInt(n, 10)
	case kindBool:
		b, ok := v.(bool)
		if !ok {
			return fmt.Errorf("want true or false, got %s", tomlType(v))
		}
		text = strconv.FormatBool(b)
	}
	return s.set(c, text)
}

// tomlType names the TOML type of a decoded value for error messages.
func tomlType(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case []any, []map[string]any:
		return "an array"
	case map[string]any:
		return "a table"
	default:
		return fmt.Sprintf("a %T", v)
	}
}

// formatRaw shows a decoded TOML value in error messages.
func formatRaw(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprintf("%v", v)
}
