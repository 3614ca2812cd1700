package bridge

import (
	"strings"
	"testing"

	"github.com/deskgate/deskgate/store"
)

func TestBounceTokenRoundTripAndForgery(t *testing.T) {
	s := &Addresses{core: &core{cfg: Config{TokenKey: []byte("0123456789abcdef0123456789abcdef"), Domains: []string{"support.test"}}}}
	for _, id := range []uint64{1, 127, 128, 1 << 40} {
		addr := s.BounceAddress(id)
		local, _, _ := strings.Cut(addr, "@")
		tok := strings.TrimPrefix(local, "bounce+")
		got, err := s.ParseBounceToken(tok)
		if err != nil || got != id {
			t.Fatalf("id %d: token %q parsed as %d, %v", id, tok, got, err)
		}
		if _, err := s.ParseBounceToken(strings.ToUpper(tok)); err != nil {
			t.Fatalf("upper-cased token rejected: %v", err)
		}
		// A reply token's MAC must not pass as a bounce token's.
		if _, err := s.ParseBounceToken(s.NewReplyToken(id, store.Recipient{Type: store.KindUser, ID: 1})); err == nil {
			t.Fatalf("a reply token passed as a bounce token")
		}
	}
	tok := s.NewBounceToken(42)
	last := byte('a')
	if tok[len(tok)-1] == 'a' {
		last = 'b'
	}
	forged := tok[:len(tok)-1] + string(last)
	if _, err := s.ParseBounceToken(forged); err == nil {
		t.Fatalf("forged token %q accepted", forged)
	}
	other := &Addresses{core: &core{cfg: Config{TokenKey: []byte("another key, another install....")}}}
	if _, err := other.ParseBounceToken(tok); err == nil {
		t.Fatalf("token verified under another key")
	}
}
