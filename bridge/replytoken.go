package bridge

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/deskgate/deskgate/store"
)

// Reply tokens (SPEC §3): reply+TOKEN@domain names one conversation and one
// recipient. TOKEN is the conversation id, the recipient kind and id as
// uvarints, followed by 10 bytes (80 bits) of HMAC-SHA256 under the
// install's secret key, in lower-case base32: unforgeable, and safe in a
// local part that mail systems may lower-case.

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

const macLen = 10

// ReplyToken is what a valid reply token names.
type ReplyToken struct {
	Conversation uint64
	Recipient    store.Recipient // Type and ID only
}

func (s *Service) mac(payload []byte) []byte {
	h := hmac.New(sha256New, s.cfg.TokenKey)
	h.Write([]byte("deskgate reply token v1\x00"))
	h.Write(payload)
	return h.Sum(nil)[:macLen]
}

// NewReplyToken returns the token for conversation conv and recipient r.
func (s *Service) NewReplyToken(conv uint64, r store.Recipient) string {
	p := binary.AppendUvarint(nil, conv)
	kind := byte('u')
	if r.Type == store.KindCustomer {
		kind = 'c'
	}
	p = append(p, kind)
	p = binary.AppendUvarint(p, r.ID)
	return strings.ToLower(b32.EncodeToString(append(p, s.mac(p)...)))
}

// ParseReplyToken checks tok and returns what it names.
func (s *Service) ParseReplyToken(tok string) (ReplyToken, error) {
	raw, err := b32.DecodeString(strings.ToUpper(tok))
	if err != nil || len(raw) < macLen+3 {
		return ReplyToken{}, fmt.Errorf("malformed reply token")
	}
	p, mac := raw[:len(raw)-macLen], raw[len(raw)-macLen:]
	if !hmac.Equal(mac, s.mac(p)) {
		return ReplyToken{}, fmt.Errorf("reply token does not verify")
	}
	conv, n := binary.Uvarint(p)
	if n <= 0 || n >= len(p) {
		return ReplyToken{}, fmt.Errorf("malformed reply token")
	}
	kind := p[n]
	id, m := binary.Uvarint(p[n+1:])
	if m <= 0 || n+1+m != len(p) || (kind != 'u' && kind != 'c') {
		return ReplyToken{}, fmt.Errorf("malformed reply token")
	}
	t := ReplyToken{Conversation: conv, Recipient: store.Recipient{Type: store.KindUser, ID: id}}
	if kind == 'c' {
		t.Recipient.Type = store.KindCustomer
	}
	return t, nil
}

// ReplyAddress is recipient r's reply address for conversation conv.
func (s *Service) ReplyAddress(conv uint64, r store.Recipient) string {
	return "reply+" + s.NewReplyToken(conv, r) + "@" + s.mainDomain()
}

func (s *Service) mainDomain() string {
	if len(s.cfg.Domains) > 0 {
		return s.cfg.Domains[0]
	}
	return s.cfg.Hostname
}

// newMessageID returns a fresh Message-ID (without <>) in the form the loop
// guard recognises as ours: "dg." + random + "@" + hostname.
func (s *Service) newMessageID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "dg." + strings.ToLower(b32.EncodeToString(b)) + "@" + s.cfg.Hostname
}

// rootMessageID is the conversation's stable thread root: every email about
// conversation conv references it first, so mail clients put them in one
// thread even when the recipient never wrote.
func (s *Service) rootMessageID(conv uint64) string {
	p := binary.AppendUvarint([]byte("root"), conv)
	return fmt.Sprintf("dg.c%d.%x@%s", conv, s.mac(p)[:4], s.cfg.Hostname)
}

// maxRefs caps References (RFC 5322 §3.6.4 allows trimming; clients keep
// the first and the last ones).
const maxRefs = 20

// threadRefs returns the References of an email about conv: the root, then
// the Message-IDs of the conversation's emails, oldest first, capped.
func (s *Service) threadRefs(tx *store.Tx, conv *store.Conversation) []string {
	refs := []string{s.rootMessageID(conv.ID)}
	msgs, _ := tx.Messages(conv.ID)
	for _, m := range msgs {
		if m.EmailMessageID != "" && !containsString(refs, m.EmailMessageID) {
			refs = append(refs, m.EmailMessageID)
		}
	}
	if len(refs) > maxRefs {
		refs = append(refs[:1], refs[len(refs)-(maxRefs-1):]...)
	}
	return refs
}

// sha256New is the hash of reply and bounce token MACs.
var sha256New = sha256.New
