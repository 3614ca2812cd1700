package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/emersion/go-message/mail"
)

// poll waits (up to 30 s) until a JavaScript expression is true.
func poll(js string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](js, chromedp.WithPollingInterval(100*time.Millisecond))
}

// openWholeEmail presses "Show the whole email" until the email's frame is
// there: a live redraw can replace the button under a pointer click, so
// the button's own click() is called, only while it is still closed.
func openWholeEmail() chromedp.Action[chromedp.Void] {
	return poll(`(() => { if (document.querySelector('iframe.mailframe')) return true; const b = document.querySelector('button.showwhole[aria-expanded="false"]'); if (b) b.click(); return false; })()`)
}

// convByID is the list row link of conversation id.
func convByID(id uint64) string { return fmt.Sprintf(`#convs a[data-conv="%d"]`, id) }

// convIDBySubject finds a conversation's id through the API (as the admin).
func convIDBySubject(t *testing.T, p *proc, subject string) uint64 {
	t.Helper()
	for _, c := range p.getList("/api/v1/conversations?status=", "e2e-admin") {
		if c["subject"] == subject {
			return uint64(c["id"].(float64))
		}
	}
	t.Fatalf("no conversation %q", subject)
	return 0
}

// attachmentsOf lists the file names and contents of a sunk email's
// attachments.
func attachmentsOf(t *testing.T, raw []byte) map[string]string {
	t.Helper()
	r, err := mail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for {
		part, err := r.NextPart()
		if err != nil {
			break
		}
		if h, ok := part.Header.(*mail.AttachmentHeader); ok {
			name, _ := h.Filename()
			b, _ := io.ReadAll(part.Body)
			out[name] = string(b)
		}
	}
	return out
}

// The console as an agent's workspace (issue 24), in Chromium against the
// real binary: on "/" with no hash the list is live (a brand-new
// conversation by SMTP arrives, a reply moves its conversation to the
// top); a fresh install's empty list names the support address; the agent
// finds a conversation by a word of the customer's message, assigns it to
// herself and closes and reopens it, writes an internal note with
// Ctrl+Enter (shown marked, never emailed to the customer), answers with
// an attachment that the customer receives, reads a long HTML email whole
// in a frame sized to it, starts a conversation with a new customer; a
// page for admins says it is denied, an unknown conversation errs inside
// the page; the active preset shows; the phone layout keeps the header
// small.
func TestConsoleWorkspace(t *testing.T) {
	ctx := browser(t)
	sink := startSMTPSink(t)
	p := startServe(t, t.TempDir(), "DESKGATE_SMARTHOST="+sink.addr, "DESKGATE_UNSEEN_DELAY=2s",
		"DESKGATE_PUBLIC_URL=http://desk.test/")
	agent := idOf(t, p.must(201, "POST", "/api/v1/users", "e2e-admin", map[string]string{"email": "agnes@example.com", "name": "Agnes Agent", "role": "agent"}))
	p.must(204, "POST", "/api/v1/auth/password-reset/confirm", "", map[string]string{"token": linkToken(t, sink.wait(t, "agnes@example.com", "Welcome")), "password": "agnes password"})
	p.must(200, "PUT", fmt.Sprintf("/api/v1/users/%d/settings", agent), "e2e-admin", map[string]string{"from_customers": "all"})

	res, err := http.Get(p.http + "/favicon.ico")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/svg+xml" {
		t.Errorf("/favicon.ico: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}

	// A fresh install: the empty list says where customers write.
	signIn(t, ctx, p.http, "agnes@example.com", "agnes password")
	browse(t, ctx, "empty state", chromedp.WaitVisible(`//ul[@id="convs"]/li[contains(@class,"empty")][contains(., "support@support.test")]`))
	shot(t, ctx, "messenger-empty")

	// Issue 19 item 7: on "/" with no hash, a brand-new conversation by
	// SMTP appears without a reload, and a reply moves it to the top.
	sendSMTP(t, p.smtp, "dave@example.org", "support@support.test",
		"From: Dave Customer <dave@example.org>\r\nTo: support@support.test\r\nSubject: Printer jam 4412\r\nMessage-ID: <jam-4412@example.org>\r\n\r\nMy printer has a paper jam in tray two.\r\n")
	browse(t, ctx, "a new conversation arrives live on /",
		chromedp.WaitVisible(`//ul[@id="convs"]//a[contains(., "Printer jam 4412")][contains(., "Dave Customer")][contains(., "paper jam in tray two")]`))
	sendSMTP(t, p.smtp, "erin@example.org", "support@support.test",
		"From: Erin <erin@example.org>\r\nTo: support@support.test\r\nSubject: Invoice copy\r\nMessage-ID: <inv-1@example.org>\r\n\r\nPlease send a copy of invoice 88123.\r\n")
	first := `document.querySelector('#convs li a .subject').textContent`
	browse(t, ctx, "the newest on top", poll(first+` === "Invoice copy"`))
	sendSMTP(t, p.smtp, "dave@example.org", "support@support.test",
		"From: Dave Customer <dave@example.org>\r\nTo: support@support.test\r\nSubject: Re: Printer jam 4412\r\nIn-Reply-To: <jam-4412@example.org>\r\nMessage-ID: <jam-4412-2@example.org>\r\n\r\nStill jammed, and the light blinks.\r\n")
	browse(t, ctx, "activity moves a conversation to the top", poll(first+` === "Printer jam 4412"`),
		chromedp.WaitVisible(`//ul[@id="convs"]/li[1][contains(@class,"unread")]//div[@class="snippet"][contains(., "light blinks")]`))
	if hash, err := chromedp.Run(ctx, chromedp.Evaluate[string]("location.pathname + location.hash")); err != nil || hash != "/" {
		t.Errorf("the live list was tested on %q (%v), want /", hash, err)
	}
	jam, invoice := convIDBySubject(t, p, "Printer jam 4412"), convIDBySubject(t, p, "Invoice copy")

	// Search by a word of the customer's first message.
	browse(t, ctx, "search", chromedp.SendKeys(chromedp.CSS(`#search`), "tray"),
		chromedp.WaitNotPresent(chromedp.CSS(convByID(invoice))), chromedp.WaitVisible(chromedp.CSS(convByID(jam))))
	shot(t, ctx, "messenger-search")
	browse(t, ctx, "clear the search", chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById('search'); s.value = ''; s.dispatchEvent(new Event('input')); })()`),
		chromedp.WaitVisible(chromedp.CSS(convByID(invoice))))

	// Triage from the header: assign to me, close (it leaves the Open
	// list), reopen.
	browse(t, ctx, "assign to me",
		chromedp.Click(chromedp.CSS(convByID(jam))),
		chromedp.WaitVisible(chromedp.CSS(`#assign-me`)),
		chromedp.Click(chromedp.CSS(`#assign-me`)),
		chromedp.WaitVisible(`//span[@id="conv-assignees"][.="me"]`),
		chromedp.WaitVisible(`//a[@data-conv="`+fmt.Sprint(jam)+`"]//span[@class="assignee"][.="me"]`))
	browse(t, ctx, "close", chromedp.Click(chromedp.CSS(`#close`)),
		chromedp.WaitVisible(`//span[@id="conv-status"][.="closed"]`),
		chromedp.WaitNotPresent(chromedp.CSS(convByID(jam))))
	row := p.must(200, "GET", fmt.Sprintf("/api/v1/conversations/%d", jam), "e2e-admin", nil)
	if row["status"] != "closed" || fmt.Sprint(row["assignees"]) != fmt.Sprintf("[%d]", agent) {
		t.Errorf("after assign and close: status %v, assignees %v", row["status"], row["assignees"])
	}
	browse(t, ctx, "reopen", chromedp.Click(chromedp.CSS(`#reopen`)),
		chromedp.WaitVisible(`//span[@id="conv-status"][.="open"]`), chromedp.WaitVisible(chromedp.CSS(convByID(jam))))

	// An internal note in the same timeline, sent with Ctrl+Enter.
	browse(t, ctx, "internal note",
		chromedp.Click(chromedp.CSS(`button[data-mode="note"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form.composer.note`)),
		chromedp.SendKeys(chromedp.CSS(`#reply`), "Note 5531: he has the old model"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('reply').dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true, bubbles: true }))`),
		chromedp.WaitVisible(`//article[contains(@class,"msg internal")][contains(., "Note 5531")][contains(., "staff only")]`),
		chromedp.WaitVisible(`//article[contains(@class,"msg external")][contains(., "light blinks")]`))

	// A reply with an attachment, which the customer receives.
	file := filepath.Join(t.TempDir(), "manual.txt")
	if err := os.WriteFile(file, []byte("Open tray two, pull gently.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	browse(t, ctx, "reply with an attachment",
		chromedp.Click(chromedp.CSS(`button[data-mode="reply"]`)),
		chromedp.SendKeys(chromedp.CSS(`#reply`), "Here is the manual 7781."),
		chromedp.SetUploadFiles(chromedp.CSS(`#attach`), []string{file}),
		chromedp.WaitVisible(`//div[@id="files"]/span[contains(., "manual.txt")]`),
		// A second file dropped on the composer.
		chromedp.Evaluate[chromedp.Void](`(() => { const dt = new DataTransfer(); dt.items.add(new File(['dropped bytes'], 'dropped.txt', { type: 'text/plain' }));
			document.getElementById('composer').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true })); })()`),
		chromedp.WaitVisible(`//div[@id="files"]/span[contains(., "dropped.txt")]`))
	shot(t, ctx, "messenger")
	browse(t, ctx, "send the reply", chromedp.Click(chromedp.CSS(`#send`)),
		chromedp.WaitVisible(`//article[contains(@class,"msg external")][contains(., "manual 7781")]//button[contains(., "manual.txt")]`))
	got := waitMail(t, sink, "dave@example.org", "manual 7781")
	if atts := attachmentsOf(t, got.raw); atts["manual.txt"] != "Open tray two, pull gently.\n" || atts["dropped.txt"] != "dropped bytes" {
		t.Errorf("the customer's email carries %q, want manual.txt and dropped.txt", atts)
	}
	for _, m := range sink.mails(t) {
		if m.to == "dave@example.org" && bytes.Contains(m.raw, []byte("Note 5531")) {
			t.Errorf("the customer got the internal note: %s", m.raw)
		}
	}

	// A long HTML email: the new text first, then the whole email in a
	// frame as tall as its content (nothing to scroll inside it), its
	// inline image shown, its remote image not loaded.
	var long strings.Builder
	for i := range 80 {
		fmt.Fprintf(&long, "<p>Paragraph %d of the long newsletter.</p>", i)
	}
	sendSMTP(t, p.smtp, "fay@example.org", "support@support.test",
		"From: Fay <fay@example.org>\r\nTo: support@support.test\r\nSubject: Long HTML 9902\r\nMessage-ID: <long-9902@example.org>\r\n"+
			"MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=b2\r\n\r\n"+
			"--b2\r\nContent-Type: text/plain\r\n\r\nThe short question.\r\n\r\n> an old quoted line\r\n"+
			"--b2\r\nContent-Type: multipart/related; boundary=b3\r\n\r\n"+
			"--b3\r\nContent-Type: text/html\r\n\r\n<p>The short question.</p><img src=\"cid:logo@fay\" alt=\"logo\"><img src=\"https://tracker.example/pixel.gif\">"+long.String()+"<script>parent.document.title='owned'</script>\r\n"+
			"--b3\r\nContent-Type: image/png\r\nContent-ID: <logo@fay>\r\nContent-Disposition: inline; filename=logo.png\r\nContent-Transfer-Encoding: base64\r\n\r\n"+
			"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==\r\n--b3--\r\n--b2--\r\n")
	longID := uint64(0)
	browse(t, ctx, "the long email arrives", chromedp.WaitVisible(`//ul[@id="convs"]//a[contains(., "Long HTML 9902")]`))
	longID = convIDBySubject(t, p, "Long HTML 9902")
	browse(t, ctx, "the whole email",
		chromedp.Click(chromedp.CSS(convByID(longID))),
		chromedp.WaitVisible(`//article//div[@class="body"][contains(., "The short question.")]`),
		openWholeEmail(),
		chromedp.WaitVisible(chromedp.CSS(`iframe.mailframe[sandbox="allow-same-origin"]`)),
		poll(`(() => { const f = document.querySelector('iframe.mailframe'); const d = f.contentDocument; return d && d.body && d.body.textContent.includes('Paragraph 79') && f.clientHeight > 1000 && d.documentElement.scrollHeight <= f.clientHeight + 8; })()`),
		// The inline image shows from a blob: URL; the remote one stays off.
		poll(`(() => { const d = document.querySelector('iframe.mailframe').contentDocument; const img = d && d.querySelector('img[alt="logo"]'); return img && img.src.startsWith('blob:') && img.naturalWidth === 1 && !d.querySelector('img[src^="http"]'); })()`),
		chromedp.WaitVisible(`//p[contains(., "Remote images in this email are not loaded")]`))
	shot(t, ctx, "messenger-email")
	if title, err := chromedp.Run(ctx, chromedp.Title()); err != nil || !strings.HasSuffix(title, "deskgate") || strings.Contains(title, "owned") {
		t.Errorf("page title %q (%v): the mail's script ran", title, err)
	}

	// Start a conversation with a new customer.
	browse(t, ctx, "new conversation",
		chromedp.Click(chromedp.CSS(`#new-conv`)),
		chromedp.WaitVisible(chromedp.CSS(`#nc-email`)),
		chromedp.SendKeys(chromedp.CSS(`#nc-email`), "gil@example.org"),
		chromedp.SendKeys(chromedp.CSS(`#nc-name`), "Gil"),
		chromedp.SendKeys(chromedp.CSS(`#nc-subject`), "Your replacement part 3310"),
		chromedp.SendKeys(chromedp.CSS(`#nc-body`), "The part ships tomorrow."))
	shot(t, ctx, "messenger-new")
	browse(t, ctx, "start it", chromedp.Click(`//form[@id="new-conversation"]//button[@type="submit"]`),
		chromedp.WaitVisible(`//header[@class="convhead"]//h2[.="Your replacement part 3310"]`),
		chromedp.WaitVisible(`//aside[@id="customer"][contains(., "gil@example.org")]`))
	waitMail(t, sink, "gil@example.org", "The part ships tomorrow.")

	// Errors stay inside the page; an admins' page says it is denied.
	browse(t, ctx, "unknown conversation", goTo("messenger/999999"),
		chromedp.WaitVisible(chromedp.CSS(`#conv-error`)), chromedp.WaitVisible(chromedp.CSS(`#convs`)), chromedp.WaitVisible(chromedp.CSS(`nav a[data-page=messenger]`)))
	browse(t, ctx, "denied page", goTo("maillog/inbound"), chromedp.WaitVisible(chromedp.CSS(`#denied`)))

	// The active preset shows, and follows a click.
	browse(t, ctx, "active preset", goTo("settings"),
		chromedp.WaitVisible(chromedp.CSS(`button[data-preset="Front line"][aria-pressed=true]`)),
		chromedp.Click(chromedp.CSS(`button[data-preset="Internal only"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[data-preset="Internal only"][aria-pressed=true]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[data-preset="Front line"][aria-pressed=false]`)))
	shot(t, ctx, "settings")

	// At phone width: a small header, the list or the conversation, no
	// sideways scrolling.
	browse(t, ctx, "phone list", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), goTo("messenger"),
		chromedp.WaitVisible(chromedp.CSS(convByID(jam))))
	shot(t, ctx, "messenger-phone-list")
	browse(t, ctx, "phone conversation", chromedp.Click(chromedp.CSS(convByID(jam))), chromedp.WaitVisible(chromedp.CSS(`#reply`)))
	if hd, err := chromedp.Run(ctx, chromedp.Evaluate[int]("document.getElementById('top').offsetHeight")); err != nil || hd > 90 {
		t.Errorf("at 390 px the header is %d px high (%v)", hd, err)
	}
	if w, err := chromedp.Run(ctx, chromedp.Evaluate[int]("document.documentElement.scrollWidth")); err != nil || w > 400 {
		t.Errorf("at 390 px the page is %d px wide (%v): it scrolls sideways", w, err)
	}
	shot(t, ctx, "messenger-phone")
}

// waitMail waits (up to a minute) for an email to addr whose text
// contains text.
func waitMail(t *testing.T, sink *smtpSink, addr, text string) sunk {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		for _, m := range sink.mails(t) {
			if m.to == addr && strings.Contains(m.text, text) {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no email to %s with %q within a minute", addr, text)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
