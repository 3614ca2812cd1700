package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The setup link works in a real browser: its page creates the first
// admin and lands in the console, signed in as them.
func TestSetupPageInBrowser(t *testing.T) {
	ctx := browser(t)
	p := startServe(t, t.TempDir(), "DESKGATE_BOOTSTRAP_TOKEN=")
	var m []string
	for range 100 {
		if m = setupLinkLine.FindStringSubmatch(p.logs.String()); m != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if m == nil {
		t.Fatalf("no setup link printed:\n%s", p.logs)
	}
	browse(t, ctx, "create the first admin on the setup page",
		chromedp.Navigate(m[1]),
		chromedp.WaitVisible(chromedp.CSS(`#email`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), "boss@example.com"),
		chromedp.SendKeys(chromedp.CSS(`#name`), "Boss"),
		chromedp.SendKeys(chromedp.CSS(`#password`), "a long passphrase"),
		chromedp.Click(chromedp.CSS(`#setup button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`nav a[data-page=users]`)),
	)
	who, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#whoami`)))
	// The header names the user (their name; their address when nameless).
	if err != nil || !strings.Contains(who, "Boss") && !strings.Contains(who, "boss@example.com") {
		t.Fatalf("signed in as %q (%v)", who, err)
	}
}
