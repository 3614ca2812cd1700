package imapfetch

import (
	"context"
	"fmt"
	"time"

	"github.com/deskgate/deskgate/store"
	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// clockSkew is how much earlier than the moment the mailbox was added an
// internal date may be and the message still count as arrived after it:
// the server's clock is not ours, and INTERNALDATE has whole seconds. It
// errs on the side of importing a message rather than losing one.
const clockSkew = 5 * time.Minute

// window says which mail of the backlog (the UIDs up to BacklogUID: what
// was in the folder when the checkpoint was set) is imported. Mail above
// the backlog is always imported, whatever its internal date.
type window struct {
	// since is the day given to SEARCH SINCE (RFC 3501 §6.4.4: the
	// internal date's day, time and timezone disregarded).
	since time.Time
	// from, when set, is the exact instant: of what SEARCH SINCE found,
	// a message with an internal date before it is left out.
	from time.Time
}

// windowOf is mailbox mb's backlog window: the day import_since names, or
// else the moment the mailbox was added (less clockSkew), so mail that
// arrived after it and before deskgate's first connection (a slow start,
// a long error period) is imported, and mail from before it is not.
func windowOf(mb *store.Mailbox) window {
	if !mb.ImportSince.IsZero() {
		return window{since: mb.ImportSince}
	}
	if mb.CreatedAt.IsZero() {
		return window{}
	}
	from := mb.CreatedAt.Add(-clockSkew)
	// A day earlier: SINCE compares the date in the internal date's own
	// timezone, which may be a day behind UTC.
	return window{since: from.AddDate(0, 0, -1), from: from}
}

// inWindow returns uids without the backlog messages the window leaves
// out by their exact internal date (FETCH INTERNALDATE). uids are sorted.
func (w *worker) inWindow(ctx context.Context, c *imapclient.Client, mb *store.Mailbox, win window, uids []imap.UID) ([]imap.UID, error) {
	if win.from.IsZero() || len(uids) == 0 || uint32(uids[0]) > mb.BacklogUID {
		return uids, nil
	}
	var backlog []imap.UID
	for _, u := range uids {
		if uint32(u) <= mb.BacklogUID {
			backlog = append(backlog, u)
		}
	}
	var dates []*imapclient.FetchMessageBuffer
	err := within(ctx, c, w.m.cfg.CommandTimeout, func() (err error) {
		dates, err = c.Fetch(imap.UIDSetNum(backlog...), &imap.FetchOptions{UID: true, InternalDate: true}).Collect()
		return
	})
	if err != nil {
		return nil, fmt.Errorf("fetching internal dates from folder %q: %s", mb.Folder, imapText(err))
	}
	out := map[imap.UID]bool{}
	for _, m := range dates {
		if m.InternalDate.Before(win.from) {
			out[m.UID] = true
		}
	}
	kept := make([]imap.UID, 0, len(uids))
	for _, u := range uids {
		if !out[u] {
			kept = append(kept, u)
		}
	}
	return kept, nil
}
