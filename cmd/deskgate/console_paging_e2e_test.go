package main

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// The console follows the lists' Link header and shows captured mail
// readably (issue: console follow-ups), in a real browser against the real
// binary in capture mode: more than 100 conversations show the first 100
// and "Load more" reaches the rest, a live redraw keeps them; a captured
// welcome email opened in the mail log reads decoded, its set-password
// link is clicked and leads to the reset page, which then says what ended
// and which admin-issued token still works.
func TestConsolePagingAndCapturedMail(t *testing.T) {
	ctx := browser(t)
	p := startServe(t, t.TempDir(), "DESKGATE_OUTBOUND=capture", "DESKGATE_UNSEEN_DELAY=1h")

	// The bootstrap admin gets a password to sign in with.
	me := p.must(200, "GET", "/api/v1/me", "e2e-admin", nil)
	adminEmail := me["email"].(string)
	p.must(204, "PUT", "/api/v1/me/password", "e2e-admin", map[string]string{"password": "admin password"})
	p.must(200, "PUT", fmt.Sprintf("/api/v1/users/%d/settings", idOf(t, me)), "e2e-admin", map[string]string{"from_customers": "all"})

	// 105 conversations, the first created the oldest (the last listed).
	cust := idOf(t, p.must(201, "POST", "/api/v1/customers", "e2e-admin", map[string]string{"email": "pat@example.org", "name": "Pat"}))
	custTok := p.must(201, "POST", fmt.Sprintf("/api/v1/customers/%d/tokens", cust), "e2e-admin", nil)["token"].(string)
	proj := idOf(t, p.must(201, "POST", "/api/v1/projects", "e2e-admin", map[string]string{"name": "Support"}))
	const n = 105
	convs := make([]uint64, n)
	for i := range convs {
		item := idOf(t, p.must(201, "POST", "/api/v1/items", "e2e-admin", map[string]any{"project_id": proj, "title": fmt.Sprintf("Item %03d", i)}))
		convs[i] = idOf(t, p.must(201, "POST", "/api/v1/conversations", "e2e-admin", map[string]any{"item_id": item, "kind": "external",
			"subject": fmt.Sprintf("Paged %03d", i), "customer_ids": []uint64{cust}}))
	}

	signIn(t, ctx, p.http, adminEmail, "admin password")
	// Direct reads of the page are bounded too (browse bounds its steps).
	rctx, rcancel := context.WithTimeout(ctx, 5*time.Minute)
	defer rcancel()
	rows := `document.querySelectorAll("#convs a[data-conv]").length`
	oldest := fmt.Sprintf(`#convs a[data-conv="%d"]`, convs[0])
	browse(t, ctx, "first page", poll(rows+` === 100`), chromedp.WaitVisible(chromedp.CSS(`#more-convs`)))
	if c, err := chromedp.Run(rctx, chromedp.Evaluate[bool](fmt.Sprintf(`!!document.querySelector(%q)`, oldest))); err != nil || c {
		t.Fatalf("the oldest conversation is on the first page (%v): want it beyond 100", err)
	}
	browse(t, ctx, "load more", chromedp.Click(chromedp.CSS(`#more-convs`)), poll(rows+fmt.Sprintf(` === %d`, n)),
		chromedp.WaitVisible(chromedp.CSS(oldest)))
	if c, err := chromedp.Run(rctx, chromedp.Evaluate[bool](`!!document.getElementById("more-convs")`)); err != nil || c {
		t.Errorf("Load more still offered after the last page (%v)", err)
	}
	// A live redraw (a customer's message) keeps what was loaded beyond the
	// first page, the conversation that moved at the top.
	p.must(201, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", convs[0]), custTok, map[string]string{"body": "Still there?"})
	browse(t, ctx, "live redraw keeps the loaded pages",
		poll(fmt.Sprintf(`document.querySelector("#convs a[data-conv]")?.dataset.conv === "%d"`, convs[0])), poll(rows+fmt.Sprintf(` === %d`, n)))
	browse(t, ctx, "a conversation beyond the first page opens", chromedp.Click(chromedp.CSS(fmt.Sprintf(`#convs a[data-conv="%d"]`, convs[4]))),
		chromedp.WaitVisible(`//h2[contains(., "Paged 004")]`))

	// A new agent: her welcome email is captured, not sent; an admin
	// issued her an API token too.
	agent := idOf(t, p.must(201, "POST", "/api/v1/users", "e2e-admin", map[string]string{"email": "agnes@example.com", "name": "Agnes Agent", "role": "agent"}))
	p.must(201, "POST", fmt.Sprintf("/api/v1/users/%d/tokens", agent), "e2e-admin", nil)
	toks := p.getList(fmt.Sprintf("/api/v1/users/%d/tokens", agent), "e2e-admin")
	if len(toks) != 1 {
		t.Fatalf("agent tokens %v", toks)
	}
	kept := toks[0]["id"].(string)

	// The mail log page is not live: it is opened once the queue says
	// captured.
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		es := p.getList("/api/v1/maillog?direction=outbound", "e2e-admin")
		if len(es) > 0 && es[0]["to"] == "agnes@example.com" && es[0]["status"] == "captured" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the welcome email is not captured within a minute: %v", es)
		}
	}
	row := `//tr[td[contains(., "agnes@example.com")]]`
	link := `.mailread a.maillink[href*="/reset-password?token="]`
	browse(t, ctx, "captured welcome email, readable",
		goTo("maillog/outbound"),
		chromedp.WaitVisible(row+`/td[contains(@class,"status-captured")]`),
		chromedp.Click(row+`//button[contains(@class,"readbtn")]`),
		chromedp.WaitVisible(chromedp.CSS(link)))
	shot(t, ctx, "mail-log-read")
	text, err := chromedp.Run(rctx, chromedp.Text(chromedp.CSS(`.mailread pre.mailtext`)))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(text, "=3D") || strings.Contains(text, "=\n") {
		t.Errorf("the welcome email reads quoted-printable:\n%s", text)
	}
	href, err := chromedp.Run(rctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).href`, link)))
	if err != nil || !strings.HasPrefix(href, p.http+"/reset-password?token=dgr_") || !strings.Contains(text, href) {
		t.Fatalf("link %q (%v), want the whole set-password link of the text:\n%s", href, err, text)
	}
	if rel, err := chromedp.Run(rctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).rel`, link))); err != nil || rel != "noopener noreferrer" {
		t.Errorf("link rel %q (%v)", rel, err)
	}

	// Clicking it opens the set-password page in a new tab.
	ch := chromedp.WaitNewTarget(ctx, func(i *target.Info) bool { return strings.Contains(i.URL, "/reset-password?token=") })
	browse(t, ctx, "click the link", chromedp.Click(chromedp.CSS(link)))
	var tab context.Context
	var cancelTab context.CancelFunc
	select {
	case id, ok := <-ch:
		if !ok {
			t.Fatal("no new tab")
		}
		tab, cancelTab = chromedp.NewContext(ctx, chromedp.WithTargetID(id))
		defer cancelTab()
	case <-time.After(time.Minute):
		t.Fatal("clicking the link opened no tab within a minute")
	}
	browse(t, tab, "reset page of the link",
		chromedp.WaitVisible(chromedp.CSS(`#newpw`)),
		chromedp.SendKeys(chromedp.CSS(`#newpw`), "agnes password"),
		chromedp.Click(chromedp.CSS(`form.signin button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#pw-set`)),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#kept-tokens li[data-token=%q]`, kept))))
	cancelTab()
	if st, v := p.api("POST", "/api/v1/auth/login", "", map[string]string{"email": "agnes@example.com", "password": "agnes password"}); st != 200 {
		t.Fatalf("agnes signs in with the password set from the console: %d %v", st, v)
	}

	// What the reset page says, read in the first tab (chromedp cannot
	// evaluate in a tab it attached to after its page loaded): a reset
	// asked while she is signed in ends that session and names the token
	// an admin issued her.
	p.must(202, "POST", "/api/v1/auth/password-reset", "", map[string]string{"email": "agnes@example.com"})
	var resetText string
	for deadline := time.Now().Add(time.Minute); resetText == ""; time.Sleep(100 * time.Millisecond) {
		for _, e := range p.getList("/api/v1/maillog?direction=outbound", "e2e-admin") {
			if e["to"] == "agnes@example.com" && strings.Contains(e["subject"].(string), "Reset") && e["status"] == "captured" {
				resetText = p.must(200, "GET", fmt.Sprintf("/api/v1/maillog/%d/text", int(e["id"].(float64))), "e2e-admin", nil)["text"].(string)
			}
		}
		if resetText == "" && time.Now().After(deadline) {
			t.Fatal("no captured reset email within a minute")
		}
	}
	resetLink := regexp.MustCompile(`http://\S+/reset-password\?token=dgr_[A-Za-z0-9_-]+`).FindString(resetText)
	if resetLink == "" {
		t.Fatalf("no whole reset link in the decoded email:\n%s", resetText)
	}
	browse(t, ctx, "reset page", chromedp.Navigate(resetLink), chromedp.WaitVisible(chromedp.CSS(`#newpw`)),
		chromedp.SendKeys(chromedp.CSS(`#newpw`), "agnes second password"),
		chromedp.Click(chromedp.CSS(`form.signin button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#pw-set`)))
	shot(t, ctx, "reset-done")
	note, err := chromedp.Run(rctx, chromedp.Evaluate[string](`document.getElementById("signin-note").innerText`))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Your password is set", "1 signed-in session ended.", "1 token an admin issued still works", kept, "never used"} {
		if !strings.Contains(note, want) {
			t.Errorf("the reset page says %q, want %q in it", note, want)
		}
	}

	// A password change in Settings says what ended too.
	browse(t, ctx, "to the sign-in form", chromedp.Navigate(p.http+"/"), chromedp.WaitVisible(chromedp.CSS(`#signout`)),
		chromedp.Click(chromedp.CSS(`#signout`)), chromedp.WaitVisible(chromedp.CSS(`#email`)))
	signIn(t, ctx, p.http, "agnes@example.com", "agnes second password")
	browse(t, ctx, "change password", goTo("settings"), chromedp.WaitVisible(chromedp.CSS(`#pw-current`)),
		chromedp.SendKeys(chromedp.CSS(`#pw-current`), "agnes second password"),
		chromedp.SendKeys(chromedp.CSS(`#pw-new`), "agnes third password"),
		chromedp.Click(`//button[.="Change password"]`),
		chromedp.WaitVisible(chromedp.CSS(`#pw-changed`)))
	changed, err := chromedp.Run(rctx, chromedp.Evaluate[string](`document.getElementById("pw-changed").parentElement.innerText`))
	if err != nil || !strings.Contains(changed, "Password changed.") || !strings.Contains(changed, "session") {
		t.Errorf("after a password change the page says %q (%v)", changed, err)
	}
}
