package store

import "time"

// IMAP mailbox TLS modes and states (SPEC §11).
const (
	MailboxTLSImplicit = "implicit" // IMAPS, RFC 8314 §3.2
	MailboxTLSStartTLS = "starttls" // RFC 3501 §6.2.1
	MailboxTLSNone     = "none"     // plain text, loopback only

	MailboxConnecting = "connecting"
	MailboxIdle       = "idle"    // waiting with IMAP IDLE (RFC 2177)
	MailboxPolling    = "polling" // the server has no IDLE: polled every PollInterval
	MailboxError      = "error"
)

// Mailbox is an existing IMAP mailbox deskgate fetches mail from (SPEC
// §11): its settings, its checkpoint and its status, and which node works
// it (the lease). One record, so the checkpoint and the lease change in
// the same transaction as the message a fetch stores.
type Mailbox struct {
	ID       uint64 `json:"id"`
	Host     string `json:"host"`
	Port     int    `json:"port"`
	TLS      string `json:"tls"`
	Username string `json:"username"`
	// Password is kept so the process can log in. The API never returns
	// it and nothing logs it.
	Password     string        `json:"password"`
	Folder       string        `json:"folder"`
	After        string        `json:"after"` // "seen", "move:<folder>" or "delete"
	PollInterval time.Duration `json:"poll_interval"`
	ImportSince  time.Time     `json:"import_since,omitzero"` // zero: mail arriving from CreatedAt on
	CreatedAt    time.Time     `json:"created_at"`
	// Generation counts the changes of the settings above (PATCH
	// /mailboxes/{id}): the node working the mailbox reconnects when it
	// sees a generation other than the one it connected with.
	Generation uint64 `json:"generation,omitempty"`

	// Checkpoint (RFC 3501 §2.3.1.1): the folder's UIDVALIDITY and the
	// highest UID processed. Started is false until the first connection
	// has set them.
	Started     bool   `json:"started"`
	UIDValidity uint32 `json:"uidvalidity"`
	LastUID     uint32 `json:"last_uid"`
	// AfterUID is the highest UID whose `after` action is known done; the
	// UIDs above it up to LastUID were stored but may still need it (a
	// crash between the commit and the flag).
	AfterUID uint32 `json:"after_uid"`
	// BacklogUID is the highest UID that was in the folder when the
	// checkpoint was set: only up to it does ImportSince (else CreatedAt)
	// select what is imported;
	// everything above it is new mail, whatever its internal date.
	BacklogUID uint32 `json:"backlog_uid"`
	// RescanUID, after a UIDVALIDITY change, is the highest UID of the
	// folder being read again: up to it, mail already received only moves
	// the checkpoint (kept here so a crash mid-rescan resumes it).
	RescanUID uint32 `json:"rescan_uid,omitempty"`

	// Status.
	State      string    `json:"state"`
	LastError  string    `json:"last_error"`
	LastSyncAt time.Time `json:"last_sync_at,omitzero"`

	// Lease: the node working the mailbox until LeaseUntil.
	LeaseNode  string    `json:"lease_node"`
	LeaseUntil time.Time `json:"lease_until,omitzero"`
}

// MailboxesTx holds the IMAP mailboxes (SPEC §11).
type MailboxesTx interface {
	// CreateMailbox stores m with a new id.
	CreateMailbox(m *Mailbox) error
	// Mailbox returns mailbox id or ErrNotFound.
	Mailbox(id uint64) (*Mailbox, error)
	// Mailboxes returns every mailbox, by id.
	Mailboxes() ([]Mailbox, error)
	// PutMailbox overwrites an existing mailbox; ErrNotFound when it was
	// deleted.
	PutMailbox(m *Mailbox) error
	// DeleteMailbox removes mailbox id; ErrNotFound when there is none.
	DeleteMailbox(id uint64) error
}
