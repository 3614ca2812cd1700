package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Record is one durable thing of an installation as `deskgate store copy`
// moves it between backends (SPEC §8): every record keeps its id, so
// references (a message's conversation, a token's owner, a delivery's
// outbound email) stay true in the copy.
type Record struct {
	Kind string `json:"kind"` // one of the Rec* kinds
	ID   uint64 `json:"id,omitempty"`
	Key  []byte `json:"key,omitempty"`  // RecToken: the token's SHA-256
	Doc  []byte `json:"doc,omitempty"`  // the record as JSON
	Blob []byte `json:"blob,omitempty"` // raw message, attachment content, outbound raw
}

// Record kinds, in the order Export writes them and Import wants them.
const (
	RecUser         = "user"
	RecCustomer     = "customer"
	RecToken        = "token" // Key = SHA-256 of the token, Doc = Principal
	RecSettings     = "settings"
	RecProject      = "project"
	RecItem         = "item"
	RecConversation = "conversation"
	RecMessage      = "message"
	RecAttachment   = "attachment" // ID, Blob = content
	RecMessageRef   = "message_ref"
	RecMailLog      = "maillog" // Doc = MailLogEntry, Blob = raw message
	RecOutbound     = "outbound"
	RecDelivery     = "delivery"
	RecEmailLink    = "email_link" // ID = outbound email, Doc = EmailLink
	RecTimer        = "timer"
	RecBounced      = "bounced"
	RecOutCap       = "outbound_cap" // Doc = OutCapEntry
	RecTemplate     = "template"     // Doc = TemplateRecord
	RecAutomation   = "automation"   // ID, Doc = Automation
	// Accounts (SPEC §10). Rate-limit windows are not copied: they are
	// minutes of state, and a copy starts with fresh ones.
	RecPassword     = "password"      // Doc = PasswordRecord
	RecSession      = "session"       // Key = SHA-256 of the token, Doc = Session
	RecPasswordLink = "password_link" // Key = SHA-256 of the token, Doc = PasswordLink
	RecTeam         = "team"
	RecInvitation   = "invitation"
	RecMailbox      = "mailbox"      // an IMAP mailbox with its checkpoint (SPEC §11)
	RecBuiltinRuns  = "builtin_runs" // ID = built-in automation, Doc = BuiltinRunsRecord
	// RecWebhook is a webhook with its secret (SPEC §14). Its deliveries
	// and the outbox are not copied: they are in flight, not the
	// installation.
	RecWebhook = "webhook"
)

// RecordKinds lists the kinds in export order.
var RecordKinds = []string{RecUser, RecCustomer, RecToken, RecSettings, RecProject, RecItem, RecConversation,
	RecMessage, RecAttachment, RecMessageRef, RecMailLog, RecOutbound, RecDelivery, RecEmailLink, RecTimer,
	RecBounced, RecOutCap, RecTemplate, RecAutomation, RecPassword, RecSession, RecPasswordLink, RecTeam, RecInvitation, RecMailbox, RecBuiltinRuns, RecWebhook}

// PasswordRecord is the document of a RecPassword record.
type PasswordRecord struct {
	UserID uint64 `json:"user_id"`
	Hash   string `json:"hash"`
}

// SettingsRecord is the document of a RecSettings record.
type SettingsRecord struct {
	UserID   uint64   `json:"user_id"`
	Settings Settings `json:"settings"`
}

// MessageRefRecord is the document of a RecMessageRef record.
type MessageRefRecord struct {
	EmailID string     `json:"email_id"`
	Ref     MessageRef `json:"ref"`
}

// EmailLink is the document of a RecEmailLink record: a delivery an
// outbound email carries.
type EmailLink struct {
	MessageID uint64    `json:"message_id"`
	Recipient Recipient `json:"recipient"`
}

// OutCapEntry is the document of a RecOutCap record: one email counted
// by the outbound cap.
type OutCapEntry struct {
	Address        string    `json:"address"`
	ConversationID uint64    `json:"conversation_id"`
	At             time.Time `json:"at"`
}

// Copier is what a backend offers `deskgate store copy`.
type Copier interface {
	// Export calls fn with every record, kind by kind in RecordKinds order.
	Export(ctx context.Context, fn func(Record) error) error
	// Import stores recs, records of Export in its order, keeping their
	// ids, in one transaction; the ids the store allocates next come
	// after them.
	Import(ctx context.Context, recs []Record) error
}

// Doc encodes v as a record document.
func Doc(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("store: encode %T: %v", v, err)) // only record types of this package
	}
	return b
}

// ImportTyped stores the record kinds every backend stores through the Tx
// methods (they keep their keys), and reports whether r was one of them.
func ImportTyped(tx Tx, r Record) (bool, error) {
	var err error
	switch r.Kind {
	case RecSettings:
		var s SettingsRecord
		if err = json.Unmarshal(r.Doc, &s); err == nil {
			err = tx.PutSettings(s.UserID, s.Settings)
		}
	case RecMessageRef:
		var m MessageRefRecord
		if err = json.Unmarshal(r.Doc, &m); err == nil {
			err = tx.PutMessageRef(m.EmailID, m.Ref)
		}
	case RecOutbound:
		var o OutboundEmail
		if err = json.Unmarshal(r.Doc, &o); err == nil {
			err = tx.PutOutbound(&o, r.Blob)
		}
	case RecDelivery:
		var d Delivery
		if err = json.Unmarshal(r.Doc, &d); err == nil {
			err = tx.PutDelivery(&d)
		}
	case RecEmailLink:
		var l EmailLink
		if err = json.Unmarshal(r.Doc, &l); err == nil {
			err = tx.LinkEmail(r.ID, &Delivery{MessageID: l.MessageID, Recipient: l.Recipient})
		}
	case RecTimer:
		var t Timer
		if err = json.Unmarshal(r.Doc, &t); err == nil {
			err = tx.ReplaceTimer(t.Recipient, t.Conversation, t.Due)
		}
	case RecBounced:
		var b BouncedAddress
		if err = json.Unmarshal(r.Doc, &b); err == nil {
			err = tx.PutBouncedAddress(b)
		}
	case RecPassword:
		var pw PasswordRecord
		if err = json.Unmarshal(r.Doc, &pw); err == nil {
			err = tx.SetPasswordHash(pw.UserID, pw.Hash)
		}
	case RecTemplate:
		var tr TemplateRecord
		if err = json.Unmarshal(r.Doc, &tr); err == nil {
			err = tx.PutTemplate(&tr)
		}
	case RecBuiltinRuns:
		var b BuiltinRunsRecord
		if err = json.Unmarshal(r.Doc, &b); err == nil {
			err = tx.AddBuiltinRuns(r.ID, b.Runs)
		}
	case RecOutCap:
		var c OutCapEntry
		if err = json.Unmarshal(r.Doc, &c); err == nil {
			err = tx.RecordOutboundEmail(c.Address, c.ConversationID, c.At)
		}
	default:
		return false, nil
	}
	if err != nil {
		return true, fmt.Errorf("import %s %d: %w", r.Kind, r.ID, err)
	}
	return true, nil
}
