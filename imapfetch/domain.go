package imapfetch

import (
	"context"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/store"
)

// Mailboxes is what the fetcher needs of the domain's mailboxes
// (bridge.Mailboxes): leases, checkpoints and storing fetched mail.
type Mailboxes interface {
	AdvanceMailbox(ctx context.Context, cp bridge.MailboxCheckpoint) error
	AllMailboxes(ctx context.Context) ([]store.Mailbox, error)
	ClaimMailbox(ctx context.Context, id uint64, node string, ttl time.Duration) (store.Mailbox, bool, error)
	MailboxAfterDone(ctx context.Context, id uint64, node string, uidValidity uint32, uid uint32) error
	ReceiveIMAP(ctx context.Context, cp bridge.MailboxCheckpoint, raw []byte) (bridge.Receipt, error)
	ReleaseMailbox(ctx context.Context, id uint64, node string) error
	SetMailboxStatus(ctx context.Context, id uint64, node string, state string, lastErr string, synced bool) error
	SkipMailboxBacklog(ctx context.Context, id uint64, node string, uidValidity uint32, uid uint32) error
	StartMailbox(ctx context.Context, id uint64, node string, uidValidity uint32, lastUID uint32, backlogUID uint32, rescan bool) error
}

// Rejections is what the fetcher needs of inbound mail (bridge.Inbound):
// recording a message it refused in the mail log.
type Rejections interface {
	LogRejection(ctx context.Context, env bridge.Envelope, detail string)
}

// Domain is the domain the fetcher works for. cmd/deskgate fills it from
// one *bridge.Service.
type Domain struct {
	Mailboxes Mailboxes
	Inbound   Rejections
}
