package outbound

import (
	"bufio"
	"bytes"
	"crypto"
	"fmt"
	"strings"

	"github.com/emersion/go-message/textproto"
	"github.com/emersion/go-msgauth/dkim"
)

// signedHeaders are the header fields every signature covers (RFC 6376
// §5.4.1). Each is listed once more than it occurs ("oversigning", §8.15),
// so no instance can be added after signing without breaking the
// signature; an absent field (Cc) is listed once, which signs its absence.
var signedHeaders = []string{
	"From", "To", "Cc", "Reply-To", "Subject", "Date", "Message-ID",
	"In-Reply-To", "References", "MIME-Version", "Content-Type",
}

// Signer adds a DKIM-Signature per key (relaxed/relaxed, sha256).
type Signer struct {
	Domain string // d=: the From domain, so DMARC aligns
	Keys   []Key
}

// Sign returns raw with one DKIM-Signature field per key prepended.
func (s *Signer) Sign(raw []byte) ([]byte, error) {
	keys, err := headerKeys(raw)
	if err != nil {
		return nil, err
	}
	var sigs []string
	for _, k := range s.Keys {
		opts := &dkim.SignOptions{
			Domain: s.Domain, Selector: k.Selector, Signer: k.Signer, Hash: crypto.SHA256,
			HeaderCanonicalization: dkim.CanonicalizationRelaxed,
			BodyCanonicalization:   dkim.CanonicalizationRelaxed,
			HeaderKeys:             keys,
		}
		ds, err := dkim.NewSigner(opts)
		if err != nil {
			return nil, fmt.Errorf("dkim %s: %w", k.Selector, err)
		}
		if _, err := ds.Write(raw); err != nil {
			ds.Close()
			return nil, fmt.Errorf("dkim %s: %w", k.Selector, err)
		}
		if err := ds.Close(); err != nil {
			return nil, fmt.Errorf("dkim %s: %w", k.Selector, err)
		}
		sigs = append(sigs, ds.Signature())
	}
	out := make([]byte, 0, len(raw)+len(sigs)*800)
	for _, sig := range sigs {
		out = append(out, sig...)
	}
	return append(out, raw...), nil
}

// headerKeys lists signedHeaders, each n+1 times where n is how often it
// occurs in raw's header.
func headerKeys(raw []byte) ([]string, error) {
	h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		return nil, fmt.Errorf("dkim: read header: %w", err)
	}
	var keys []string
	for _, k := range signedHeaders {
		n := len(h.Values(k)) + 1
		for range n {
			keys = append(keys, strings.ToLower(k))
		}
	}
	return keys, nil
}
