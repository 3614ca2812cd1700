package main

import (
	"context"
	"fmt"
	"io"
	"time"
)

// offerSetup prints a first-run setup link while the store has no admin
// (SPEC §10): a new one at each start, valid 24 h, logged and written
// plainly to console so a newcomer can copy it.
func (a *app) offerSetup(ctx context.Context, console io.Writer) {
	link, err := a.svc.Accounts.IssueSetupLink(ctx)
	if err != nil {
		a.log.Error("issuing the setup link", "err", err)
		return
	}
	if link == nil {
		return // an admin exists
	}
	a.log.Warn("no admin yet: open the setup link to create the first admin (DESKGATE_BOOTSTRAP_TOKEN does it for automation)",
		"url", link.URL, "expires", link.ExpiresAt.UTC().Format(time.RFC3339))
	fmt.Fprintf(console, "\n  deskgate has no admin yet. Open this link to create one (valid 24 h, once):\n\n    %s\n\n", link.URL)
}
