package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/deskgate/deskgate/internal/testenv"
)

// browser starts Debian's chromium headless (scripts/test installs it)
// and returns its chromedp context (each browse step is bounded by a
// minute). Without
// chromium the test is skipped, or fails under CI.
func browser(t *testing.T) context.Context {
	t.Helper()
	bin, err := exec.LookPath("chromium")
	if err != nil {
		testenv.Unavailable(t, "chromium is not installed (scripts/test installs it)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", "new"),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.WindowSize(1280, 860),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelB := chromedp.NewContext(actx)
	// The first call starts the browser; it must not carry the timeout.
	if err := chromedp.Do(bctx); err != nil {
		cancelB()
		cancelA()
		t.Fatalf("start chromium: %v", err)
	}
	t.Cleanup(func() { cancelB(); cancelA() })
	return bctx
}

// browse runs browser actions and fails the test with what was being done.
func browse(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for _, step := range steps {
		// A live page may redraw between finding a node and acting on it
		// (CDP: "Could not find node with given id"): the action did not
		// happen, so it is tried again, a few times at most.
		var err error
		for try := 0; try < 3; try++ {
			if err = chromedp.Do(sctx, step); err == nil || !strings.Contains(err.Error(), "Could not find node") {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if err != nil {
			page, _ := chromedp.Run(ctx, chromedp.Evaluate[string]("document.body.innerText"))
			t.Fatalf("%s: %v\npage:\n%s", what, err, page)
		}
	}
}

// shot saves a screenshot of the page as docs/console/NAME.png when
// DESKGATE_SCREENSHOTS names a folder (scripts/screenshots.sh).
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("DESKGATE_SCREENSHOTS")
	if dir == "" {
		return
	}
	browse(t, ctx, "settle", chromedp.Sleep(300*time.Millisecond))
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// goTo opens a console page by its hash route, as a click on a link does.
func goTo(route string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[string](fmt.Sprintf("location.hash = %q", "#/"+route))(ctx, t)
		return err
	})
}

func signIn(t *testing.T, ctx context.Context, base, email, password string) {
	t.Helper()
	browse(t, ctx, "sign in as "+email,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#email`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), email),
		chromedp.SendKeys(chromedp.CSS(`#password`), password),
		chromedp.Click(chromedp.CSS(`form.signin button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`nav a[data-page=messenger]`)),
	)
}

// The console in a real browser against the real binary (SPEC §13): an
// admin sets a password on the reset page of a welcome link; an agent
// signs in, a customer's message posted through the API appears live with
// its unseen count, opening it marks it seen and its delivery icon turns
// "seen"; the admin edits a template and sees the preview; the mail log
// shows a mail sent by SMTP during the test, and its raw view.
func TestConsoleInBrowser(t *testing.T) {
	ctx := browser(t)
	sink := startSMTPSink(t)
	p := startServe(t, t.TempDir(), "DESKGATE_SMARTHOST="+sink.addr, "DESKGATE_UNSEEN_DELAY=1h",
		"DESKGATE_PUBLIC_URL=http://desk.test/")

	admin := idOf(t, p.must(201, "POST", "/api/v1/users", "e2e-admin", map[string]string{"email": "ada@example.com", "name": "Ada Admin", "role": "admin"}))
	agent := idOf(t, p.must(201, "POST", "/api/v1/users", "e2e-admin", map[string]string{"email": "agnes@example.com", "name": "Agnes Agent", "role": "agent"}))
	p.must(204, "POST", "/api/v1/auth/password-reset/confirm", "", map[string]string{"token": linkToken(t, sink.wait(t, "agnes@example.com", "Welcome")), "password": "agnes password"})
	p.must(200, "PUT", fmt.Sprintf("/api/v1/users/%d/settings", agent), "e2e-admin", map[string]string{"from_customers": "all"})
	cust := idOf(t, p.must(201, "POST", "/api/v1/customers", "e2e-admin", map[string]string{"email": "carol@example.org", "name": "Carol <b>Customer</b>"}))
	custTok := p.must(201, "POST", fmt.Sprintf("/api/v1/customers/%d/tokens", cust), "e2e-admin", nil)["token"].(string)
	proj := idOf(t, p.must(201, "POST", "/api/v1/projects", "e2e-admin", map[string]string{"name": "Support"}))
	item := idOf(t, p.must(201, "POST", "/api/v1/items", "e2e-admin", map[string]any{"project_id": proj, "title": "Printer"}))
	conv := idOf(t, p.must(201, "POST", "/api/v1/conversations", "e2e-admin", map[string]any{"item_id": item, "kind": "external", "subject": "Printer on fire", "customer_ids": []uint64{cust}}))

	// The admin's welcome link opens the console's reset page.
	adminTok := linkToken(t, sink.wait(t, "ada@example.com", "Welcome"))
	browse(t, ctx, "reset page",
		chromedp.Navigate(p.http+"/reset-password?token="+adminTok),
		chromedp.WaitVisible(chromedp.CSS(`#newpw`)),
		chromedp.SendKeys(chromedp.CSS(`#newpw`), "ada password"),
		chromedp.Click(chromedp.CSS(`form.signin button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#email`)),
	)

	// "Forgot password?" on the sign-in form sends the reset email.
	browse(t, ctx, "forgot password",
		chromedp.SendKeys(chromedp.CSS(`#email`), "agnes@example.com"),
		chromedp.Click(chromedp.CSS(`#forgot`)),
		chromedp.WaitVisible(`//p[contains(., "on its way")]`))
	sink.wait(t, "agnes@example.com", "Reset your password")

	signIn(t, ctx, p.http, "agnes@example.com", "agnes password")
	sel := fmt.Sprintf(`a[data-conv="%d"]`, conv)
	browse(t, ctx, "conversation listed", chromedp.WaitVisible(chromedp.CSS(sel)))

	// A message posted through the API shows up live with its unseen count.
	msg := idOf(t, p.must(201, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", conv), custTok, map[string]string{"body": "Smoke <script>alert(1)</script> everywhere"}))
	badge := fmt.Sprintf(`.badge.unseen[data-unseen-for="%d"]`, conv)
	browse(t, ctx, "live unseen count and a ping", chromedp.WaitVisible(chromedp.CSS(badge)), chromedp.WaitReady(chromedp.CSS(`body[data-pings="1"]`)))
	count, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(badge)))
	if err != nil {
		t.Fatal(err)
	}
	if count != "1" {
		t.Errorf("unseen count %q, want 1", count)
	}
	if d := p.getList(fmt.Sprintf("/api/v1/messages/%d/deliveries", msg), "e2e-admin"); len(d) == 0 || d[0]["seen_at"] != nil {
		t.Fatalf("before opening: deliveries %v, want one unseen", d)
	}

	// Opening it marks it seen: the agent's delivery chip turns "seen",
	// the customer's markup shows as text, the badge goes back to 0.
	chip := fmt.Sprintf(`article[data-message="%d"] .delivery[data-recipient="user:%d"][data-state=seen]`, msg, agent)
	browse(t, ctx, "open conversation",
		chromedp.Click(chromedp.CSS(sel)),
		chromedp.WaitVisible(chromedp.CSS(chip)),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`.badge[data-unseen-for="%d"]:not(.unseen)`, conv))),
	)
	body, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(fmt.Sprintf(`article[data-message="%d"] .body`, msg))))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, "<script>alert(1)</script>") {
		t.Errorf("message body %q: the markup should show as text", body)
	}
	if d := p.getList(fmt.Sprintf("/api/v1/messages/%d/deliveries", msg), "e2e-admin"); d[0]["seen_at"] == nil {
		t.Errorf("after opening: deliveries %v, want seen", d)
	}
	browse(t, ctx, "settings", goTo("settings"), chromedp.WaitVisible(chromedp.CSS(`button[data-preset]`)))
	// A preset is one click away.
	browse(t, ctx, "preset", chromedp.Click(chromedp.CSS(`button[data-preset="Internal only"]`)),
		chromedp.WaitVisible(`//div[@id="status"][contains(., "Settings saved")]`))
	if v := p.must(200, "GET", fmt.Sprintf("/api/v1/users/%d/settings", agent), "e2e-admin", nil); v["from_customers"] != "none" || v["from_users_and_bot"] != "none" {
		t.Errorf("after the preset Internal only: %v", v)
	}
	session, err := chromedp.Run(ctx, chromedp.Evaluate[string](`sessionStorage.getItem("dg_token")`))
	if err != nil || !strings.HasPrefix(session, "dgs_") {
		t.Fatalf("session token in the tab %q: %v", session, err)
	}
	browse(t, ctx, "sign out", chromedp.Click(chromedp.CSS(`#signout`)), chromedp.WaitVisible(chromedp.CSS(`#email`)),
		chromedp.WaitNotVisible(chromedp.CSS(`#top`)))
	shot(t, ctx, "sign-in")
	if st, _ := p.api("GET", "/api/v1/me", session, nil); st != 401 {
		t.Errorf("the signed-out session still answers: %d", st)
	}

	// An inbound mail by SMTP during the test.
	sendSMTP(t, p.smtp, "dave@example.org", "support@support.test",
		"From: Dave <dave@example.org>\r\nTo: support@support.test\r\nSubject: Toner question 7731\r\nMessage-ID: <toner-7731@example.org>\r\n"+
			"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b1\r\n\r\n"+
			"--b1\r\nContent-Type: multipart/alternative; boundary=b2\r\n\r\n"+
			"--b2\r\nContent-Type: text/plain\r\n\r\nWhere do I buy toner?\r\n"+
			"--b2\r\nContent-Type: text/html\r\n\r\n<p>Where do I buy <b>toner</b>?</p><script>parent.document.title='owned'</script>\r\n--b2--\r\n"+
			"--b1\r\nContent-Type: text/plain; name=list.txt\r\nContent-Disposition: attachment; filename=list.txt\r\n\r\ntoner, paper\r\n--b1--\r\n")

	signIn(t, ctx, p.http, "ada@example.com", "ada password")
	_ = admin

	// The admin edits a template and sees the preview follow.
	browse(t, ctx, "template preview",
		goTo("messaging/welcome"),
		chromedp.WaitVisible(chromedp.CSS(`#t-subject`)),
		chromedp.SendKeys(chromedp.CSS(`#t-subject`), " PREVIEW-CHECK-42"),
		chromedp.WaitVisible(`//div[@id="t-preview-subject"][contains(., "PREVIEW-CHECK-42")]`),
	)
	shot(t, ctx, "messaging-center")

	// Issue 19 item 8: a template links to the automations that use it and
	// back; an automation's trigger condition is edited in the console.
	p.must(201, "POST", "/api/v1/templates", "e2e-admin", map[string]string{"name": "closed_note", "subject": "Closed", "text": "Your request is closed.", "html": ""})
	aut := idOf(t, p.must(201, "POST", "/api/v1/automations", "e2e-admin", map[string]any{"name": "Tell the customer", "enabled": true,
		"trigger": map[string]any{"event": "item.status_changed", "conditions": map[string]string{"to": "closed"}},
		"actions": []map[string]string{{"type": "send_email", "template": "closed_note", "to": "customers"}}}))
	browse(t, ctx, "template to automation",
		goTo("messaging/closed_note"),
		chromedp.WaitVisible(`//p[@id="t-used-by"]/a[.="Tell the customer"]`),
		chromedp.Click(`//p[@id="t-used-by"]/a[.="Tell the customer"]`),
		chromedp.WaitVisible(chromedp.CSS(`#a-cond-to`)),
		chromedp.SetValue(chromedp.CSS(`#a-cond-to`), "done"),
		chromedp.Click(chromedp.CSS(`#a-save`)),
		chromedp.WaitVisible(`//div[@id="status"][contains(., "Automation saved")]`))
	shot(t, ctx, "automation-editor")
	if a := p.must(200, "GET", fmt.Sprintf("/api/v1/automations/%d", aut), "e2e-admin", nil); fmt.Sprint(a["trigger"]) != "map[conditions:map[to:done] event:item.status_changed]" {
		t.Errorf("after editing: trigger %v", a["trigger"])
	}
	browse(t, ctx, "automation to template",
		chromedp.Click(fmt.Sprintf(`//tr[@data-automation="%d"]//a[@data-template-link="closed_note"]`, aut)),
		chromedp.WaitVisible(`//div[@class="card"]/h2[contains(., "Template closed_note")]`))

	// The mail log: the inbound mail, its status, its raw view.
	row := `//tr[td[contains(., "Toner question 7731")]]`
	browse(t, ctx, "mail log",
		goTo("maillog/inbound"),
		chromedp.WaitVisible(row),
		chromedp.Click(row+`//button[contains(@class,"rawbtn")]`),
		chromedp.WaitVisible(`//pre[contains(@class,"raw")][contains(., "Where do I buy toner?")]`),
	)
	shot(t, ctx, "mail-log")
	// Its conversation from the mail log: the HTML in a sandboxed frame
	// (its script never runs), the attachment downloadable.
	browse(t, ctx, "conversation of the mail",
		chromedp.Click(row+`//a[starts-with(., "conversation")]`),
		chromedp.WaitVisible(`//div[@class="body"][contains(., "Where do I buy toner?")]`),
		openWholeEmail(),
		chromedp.WaitVisible(chromedp.CSS(`iframe.mailframe[sandbox="allow-same-origin"]`)),
		chromedp.WaitVisible(`//button[contains(., "list.txt")]`))
	if title, err := chromedp.Run(ctx, chromedp.Title()); err != nil || !strings.HasSuffix(title, "deskgate") || strings.Contains(title, "owned") {
		t.Errorf("page title %q (%v): the mail's script ran", title, err)
	}
	if src, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('iframe.mailframe').srcdoc`)); err != nil || !strings.Contains(src, "<b>toner</b>") || strings.Contains(src, "<script") {
		t.Errorf("the mail's HTML in the frame %q (%v): want it sanitized", src, err)
	}
	browse(t, ctx, "users", goTo("users"), chromedp.WaitVisible(`//td[contains(., "agnes@example.com")]`))
	shot(t, ctx, "users")
	// A mailbox connected from the page is listed with its state (nothing
	// listens on port 1 of loopback, so it cannot sync).
	browse(t, ctx, "mailboxes", goTo("mailboxes"), chromedp.WaitVisible(chromedp.CSS(`#m-host`)),
		chromedp.SendKeys(chromedp.CSS(`#m-host`), "127.0.0.1"), chromedp.SendKeys(chromedp.CSS(`#m-port`), "1"),
		chromedp.SetValue(chromedp.CSS(`#m-tls`), "none"),
		chromedp.SendKeys(chromedp.CSS(`#m-username`), "desk"), chromedp.SendKeys(chromedp.CSS(`#m-password`), "secret"),
		chromedp.Click(`//button[.="Connect"]`),
		chromedp.WaitVisible(`//tr[@data-mailbox]/td[contains(., "desk @ 127.0.0.1:1")]`))
	shot(t, ctx, "mailboxes")

	// At phone width the conversation list and the conversation stack.
	browse(t, ctx, "phone width", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), goTo(fmt.Sprintf("messenger/%d", conv)),
		chromedp.WaitVisible(chromedp.CSS(`#reply`)))
	if w, err := chromedp.Run(ctx, chromedp.Evaluate[int]("document.documentElement.scrollWidth")); err != nil || w > 400 {
		t.Errorf("at 390 px the page is %d px wide (%v): it scrolls sideways", w, err)
	}
}
