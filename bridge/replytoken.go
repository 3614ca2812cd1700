package bridge

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"slices"
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

func (s *Addresses) mac(payload []byte) []byte {
	h := hmac.New(sha256New, s.cfg.TokenKey)
	h.Write([]byte("deskgate reply token v1\x00"))
	h.Write(payload)
	return h.Sum(nil)[:macLen]
}

// NewReplyToken returns the token for conversation conv and recipient r.
func (s *Addresses) NewReplyToken(conv uint64, r store.Recipient) string {
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
func (s *Addresses) ParseReplyToken(tok string) (ReplyToken, error) {
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
func (s *Addresses) ReplyAddress(conv uint64, r store.Recipient) string {
	return "reply+" + s.NewReplyToken(conv, r) + "@" + s.mainDomain()
}

func (s *Addresses) mainDomain() string {
	if len(s.cfg.Domains) > 0 {
		return s.cfg.Domains[0]
	}
	return s.cfg.Hostname
}

// newMessageID returns a fresh Message-ID (without <>) in the form the loop
// guard recognises as ours: "dg." + random + "@" + hostname.
func (s *Addresses) newMessageID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "dg." + strings.ToLower(b32.EncodeToString(b)) + "@" + s.cfg.Hostname
}

// rootMessageID is the conversation's stable thread root: every email about
// conversation conv references it first, so mail clients put them in one
// thread even when the recipient never wrote.
func (s *Addresses) rootMessageID(conv uint64) string {
	p := binary.AppendUvarint([]byte("root"), conv)
	return fmt.Sprintf("dg.c%d.%x@%s", conv, s.mac(p)[:4], s.cfg.Hostname)
}

// maxRefs caps References (RFC 5322 §3.6.4 allows trimming; clients keep
// the first and the last ones).
const maxRefs = 20

// maxRefsScan bounds how many of a conversation's newest messages
// threadRefs reads: an email is built for every recipient a timer fires
// for, and reading every message of a long conversation each time would
// make firing slow. Older Message-IDs are left out, as RFC 5322 §3.6.4
// allows; the root, which every email carries, threads them anyway.
const maxRefsScan = 200

// threadRefs returns the References of an email about conv: the root, then
// the Message-IDs of the conversation's emails, oldest first: the newest
// maxRefs-1 of those among its newest maxRefsScan messages.
func (s *Addresses) threadRefs(tx store.MessagesTx, conv *store.Conversation) []string {
	root := s.rootMessageID(conv.ID)
	var newest []string                                 // newest first
	ids, _ := tx.NewestMessageIDs(conv.ID, maxRefsScan) // on a failed read, the root alone still threads
	for _, id := range ids {
		if len(newest) == maxRefs-1 {
			break
		}
		m, err := tx.Message(id)
		if err != nil {
			continue
		}
		if e := m.EmailMessageID; e != "" && e != root && !slices.Contains(newest, e) {
			newest = append(newest, e)
		}
	}
	refs := make([]string, 0, len(newest)+1)
	refs = append(refs, root)
	for i := len(newest) - 1; i >= 0; i-- {
		refs = append(refs, newest[i])
	}
	return refs
}

// sha256New is the hash of reply and bounce token MACs.
var sha256New = sha256.New
