package bridge

import (
	"crypto/hmac"
	"encoding/binary"
	"fmt"
	"strings"
)

// Bounce tokens (SPEC §3, §5): every outbound email is sent with the
// envelope sender bounce+TOKEN@<main domain> (VERP), so an asynchronous
// DSN, which goes to the envelope sender, names the email it is about.
// TOKEN is the outbound email id as a uvarint followed by 10 bytes of
// HMAC-SHA256 under the install's key (a different context string than
// reply tokens, so neither can pass for the other), in lower-case base32.

func (s *Addresses) bounceMAC(payload []byte) []byte {
	h := hmac.New(sha256New, s.cfg.TokenKey)
	h.Write([]byte("deskgate bounce token v1\x00"))
	h.Write(payload)
	return h.Sum(nil)[:macLen]
}

// NewBounceToken returns the bounce token of outbound email id.
func (s *Addresses) NewBounceToken(id uint64) string {
	p := binary.AppendUvarint(nil, id)
	return strings.ToLower(b32.EncodeToString(append(p, s.bounceMAC(p)...)))
}

// ParseBounceToken checks tok and returns the outbound email id it names.
func (s *Addresses) ParseBounceToken(tok string) (uint64, error) {
	raw, err := b32.DecodeString(strings.ToUpper(tok))
	if err != nil || len(raw) < macLen+1 {
		return 0, fmt.Errorf("malformed bounce token")
	}
	p, mac := raw[:len(raw)-macLen], raw[len(raw)-macLen:]
	if !hmac.Equal(mac, s.bounceMAC(p)) {
		return 0, fmt.Errorf("bounce token does not verify")
	}
	id, n := binary.Uvarint(p)
	if n <= 0 || n != len(p) || id == 0 {
		return 0, fmt.Errorf("malformed bounce token")
	}
	return id, nil
}

// BounceAddress is the envelope sender (VERP) of outbound email id.
func (s *Addresses) BounceAddress(id uint64) string {
	return "bounce+" + s.NewBounceToken(id) + "@" + s.mainDomain()
}
