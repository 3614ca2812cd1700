package mailparse

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// decode2231 joins RFC 2231 parameter continuations ("name*0*=", "name*1=")
// and decodes their charset'language'percent-encoded form (RFC 2231 §3–4)
// with any charset we know, not only UTF-8 as mime.ParseMediaType does.
func decode2231(ext map[string][]string) map[string]string {
	type seg struct {
		n       int
		val     string
		encoded bool
	}
	groups := map[string][]seg{}
	for k, vals := range ext {
		name, rest, _ := strings.Cut(k, "*")
		encoded := strings.HasSuffix(k, "*")
		num := strings.TrimSuffix(rest, "*")
		n := 0
		if num != "" {
			var err error
			if n, err = strconv.Atoi(num); err != nil {
				continue
			}
		}
		groups[name] = append(groups[name], seg{n: n, val: vals[0], encoded: encoded})
	}
	out := map[string]string{}
	for name, segs := range groups {
		sort.Slice(segs, func(i, j int) bool { return segs[i].n < segs[j].n })
		cs := ""
		var raw []byte
		for i, s := range segs {
			v := s.val
			if s.encoded {
				if i == 0 {
					parts := strings.SplitN(v, "'", 3)
					if len(parts) == 3 {
						cs, v = parts[0], parts[2]
					}
				}
				if u, err := url.PathUnescape(v); err == nil {
					v = u
				}
			}
			raw = append(raw, v...)
		}
		out[name] = decodeBytes(cs, raw)
	}
	return out
}
