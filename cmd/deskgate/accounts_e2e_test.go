package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/deskgate/deskgate/internal/testenv"
	"github.com/deskgate/deskgate/store/pgstore/pgtest"
	"github.com/emersion/go-message/mail"
)

// smtpSink is Postfix's smtp-sink on loopback, keeping every message it
// accepts as a file in dir (-d): the upstream the binary relays to.
type smtpSink struct {
	dir, addr string
}

// startSMTPSink runs smtp-sink; without it the test is skipped, or fails
// under CI (scripts/test installs postfix).
func startSMTPSink(t *testing.T) *smtpSink {
	t.Helper()
	bin, err := exec.LookPath("smtp-sink")
	if err != nil {
		testenv.Unavailable(t, "smtp-sink (package postfix) is not installed")
	}
	// smtp-sink -u nobody writes here: a directory of its own under the
	// system temp dir (t.TempDir's parent is closed to other users).
	dir, err := os.MkdirTemp("", "deskgate-sink-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	args := []string{"-c", "-d", dir + "/%Y%m%d%H%M%S.", addr, "100"}
	if os.Geteuid() == 0 {
		args = append([]string{"-u", "nobody"}, args...)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("smtp-sink did not listen on %s: %v", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return &smtpSink{dir: dir, addr: addr}
}

// sunk is one message the sink kept.
type sunk struct {
	raw     []byte
	to      string // the RCPT TO address
	subject string
	text    string // the decoded text/plain part
}

var rcptArg = regexp.MustCompile(`(?m)^X-Rcpt-Args: <([^>]*)>`)

// mails reads every message the sink kept so far.
func (s *smtpSink) mails(t *testing.T) []sunk {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(s.dir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	var out []sunk
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil || !bytes.Contains(raw, []byte("\n\n")) && !bytes.Contains(raw, []byte("\r\n\r\n")) {
			continue // still being written
		}
		m := sunk{raw: raw}
		if sm := rcptArg.FindSubmatch(raw); sm != nil {
			m.to = string(sm[1])
		}
		r, err := mail.CreateReader(bytes.NewReader(raw))
		if err != nil {
			continue
		}
		m.subject, _ = r.Header.Subject()
		for {
			p, err := r.NextPart()
			if err != nil {
				break
			}
			if h, ok := p.Header.(*mail.InlineHeader); ok {
				if ct, _, _ := h.ContentType(); ct == "text/plain" {
					b, _ := io.ReadAll(p.Body)
					m.text = string(b)
				}
			}
		}
		out = append(out, m)
	}
	return out
}

// count counts the kept messages to addr whose subject contains subj.
func (s *smtpSink) count(t *testing.T, addr, subj string) int {
	n := 0
	for _, m := range s.mails(t) {
		if m.to == addr && strings.Contains(m.subject, subj) {
			n++
		}
	}
	return n
}

// wait returns the first message to addr whose subject contains subj,
// waiting up to a minute for it.
func (s *smtpSink) wait(t *testing.T, addr, subj string) sunk {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		for _, m := range s.mails(t) {
			if m.to == addr && strings.Contains(m.subject, subj) {
				return m
			}
		}
		if time.Now().After(deadline) {
			var got []string
			for _, m := range s.mails(t) {
				got = append(got, m.to+": "+m.subject)
			}
			t.Fatalf("no email %q to %s within a minute; got %q (files in %s: %v)", subj, addr, got, s.dir, s.files())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// must calls the API and fails unless the status is want.
func (p *proc) must(want int, method, path, token string, body any) map[string]any {
	p.t.Helper()
	st, v := p.api(method, path, token, body)
	if st != want {
		p.t.Fatalf("%s %s: %d %v, want %d", method, path, st, v, want)
	}
	return v
}

func idOf(t *testing.T, v map[string]any) uint64 {
	t.Helper()
	id, ok := v["id"].(float64)
	if !ok || id == 0 {
		t.Fatalf("no id in %v", v)
	}
	return uint64(id)
}

// startAccounts runs the binary relaying to a fresh smtp-sink, emails at
// once (unseen delay 0), links on http://desk.test.
func startAccounts(t *testing.T) (*proc, *smtpSink, string) {
	t.Helper()
	sink := startSMTPSink(t)
	data := t.TempDir()
	p := startServe(t, data, "DESKGATE_SMARTHOST="+sink.addr, "DESKGATE_RETRY_SCHEDULE=1s",
		"DESKGATE_UNSEEN_DELAY=0s", "DESKGATE_PUBLIC_URL=http://desk.test/")
	return p, sink, data
}

var resetLink = regexp.MustCompile(`http://desk\.test/reset-password\?token=\S+`)

// linkToken follows a password link from an email: the token of its query.
func linkToken(t *testing.T, m sunk) string {
	t.Helper()
	l := resetLink.FindString(m.text)
	if l == "" {
		t.Fatalf("no reset-password link in %q", m.text)
	}
	u, err := url.Parse(l)
	if err != nil || u.Path != "/reset-password" {
		t.Fatalf("link %q: %v", l, err)
	}
	return u.Query().Get("token")
}

// The password-reset flow with the real binary: the link is followed
// from the received email; password_reset cannot be switched off, so the
// email still goes out when an admin tries; welcome can be.
func TestAccountsResetFlowEndToEnd(t *testing.T) {
	p, sink, data := startAccounts(t)
	agent := idOf(t, p.must(201, "POST", "/api/v1/users", "e2e-admin", map[string]string{"email": "agent@example.com", "name": "Agnes", "role": "agent"}))

	// welcome carries a set-password link that works.
	welcome := sink.wait(t, "agent@example.com", "Welcome")
	p.must(204, "POST", "/api/v1/auth/password-reset/confirm", "", map[string]string{"token": linkToken(t, welcome), "password": "first password"})
	sess := p.must(200, "POST", "/api/v1/auth/login", "", map[string]string{"email": "agent@example.com", "password": "first password"})["token"].(string)

	// An admin tries to switch password_reset off: refused; welcome can be.
	st, v := p.api("PUT", "/api/v1/templates/password_reset", "e2e-admin", map[string]any{"enabled": false})
	if st != 422 {
		t.Fatalf("disabling password_reset: %d %v, want 422 locked", st, v)
	}
	p.must(200, "PUT", "/api/v1/templates/welcome", "e2e-admin", map[string]any{"enabled": false})
	p.must(201, "POST", "/api/v1/users", "e2e-admin", map[string]string{"email": "quiet@example.com", "name": "Quiet", "role": "agent"})

	p.must(202, "POST", "/api/v1/auth/password-reset", "", map[string]string{"email": "nobody@example.com"})
	p.must(202, "POST", "/api/v1/auth/password-reset", "", map[string]string{"email": "agent@example.com"})
	reset := sink.wait(t, "agent@example.com", "Reset your password")
	tok := linkToken(t, reset)
	verifyWithPublishedRecords(t, data, reset.raw)

	p.must(204, "POST", "/api/v1/auth/password-reset/confirm", "", map[string]string{"token": tok, "password": "second password"})
	if st, _ := p.api("POST", "/api/v1/auth/password-reset/confirm", "", map[string]string{"token": tok, "password": "third password"}); st != 422 {
		t.Errorf("the link worked twice: %d", st)
	}
	if st, _ := p.api("GET", "/api/v1/me", sess, nil); st != 401 {
		t.Errorf("the session from before the reset still works: %d", st)
	}
	if st, _ := p.api("POST", "/api/v1/auth/login", "", map[string]string{"email": "agent@example.com", "password": "first password"}); st != 401 {
		t.Errorf("the old password still signs in: %d", st)
	}
	sess = p.must(200, "POST", "/api/v1/auth/login", "", map[string]string{"email": "agent@example.com", "password": "second password"})["token"].(string)
	if me := p.must(200, "GET", "/api/v1/me", sess, nil); uint64(me["id"].(float64)) != agent {
		t.Errorf("session of %v, want user %d", me, agent)
	}
	p.must(204, "DELETE", "/api/v1/auth/session", sess, nil)
	if st, _ := p.api("GET", "/api/v1/me", sess, nil); st != 401 {
		t.Errorf("signed-out session still works: %d", st)
	}

	// Nothing for the unknown address, no welcome while it is off; the
	// reset email is in the outbound mail log.
	for _, m := range sink.mails(t) {
		if m.to == "nobody@example.com" || m.to == "quiet@example.com" {
			t.Errorf("unexpected email to %s: %q", m.to, m.subject)
		}
	}
	found := false
	for _, e := range p.getList("/api/v1/maillog?direction=outbound", "e2e-admin") {
		if e["to"] == "agent@example.com" && e["subject"] == "Reset your password" {
			found = true
		}
	}
	if !found {
		t.Error("the reset email is not in the outbound mail log")
	}
	// The session token never reaches the log.
	if strings.Contains(p.logs.String(), sess) || strings.Contains(p.logs.String(), tok) {
		t.Error("a session token or reset link is in deskgate's log")
	}
}

// Invitations, teams and the settings of the account emails, with the
// real binary and queue.
func TestAccountsInvitationsTeamsAndSettingsEndToEnd(t *testing.T) {
	p, sink, _ := startAccounts(t)
	adm := "e2e-admin"
	user := func(email, name string) (uint64, string) {
		id := idOf(t, p.must(201, "POST", "/api/v1/users", adm, map[string]string{"email": email, "name": name, "role": "agent"}))
		tok := p.must(201, "POST", fmt.Sprintf("/api/v1/users/%d/tokens", id), adm, nil)["token"].(string)
		return id, tok
	}
	ann, annTok := user("ann@example.com", "Ann")
	bob, bobTok := user("bob@example.com", "Bob")
	cid, _ := user("cid@example.com", "Cid")
	proj := idOf(t, p.must(201, "POST", "/api/v1/projects", adm, map[string]string{"name": "Printers"}))
	item := idOf(t, p.must(201, "POST", "/api/v1/items", adm, map[string]any{"project_id": proj, "title": "Paper jam"}))

	// An invitation to Ann, who does not accept all: pending, one email,
	// then accepted.
	p.must(200, "PUT", fmt.Sprintf("/api/v1/users/%d/settings", ann), adm, map[string]any{"accept_all_invitations": false, "email_new_members": true})
	inv := p.must(201, "POST", fmt.Sprintf("/api/v1/projects/%d/invitations", proj), adm, map[string]any{"user_id": ann})
	if inv["status"] != "pending" {
		t.Fatalf("invitation %v, want pending", inv)
	}
	sink.wait(t, "ann@example.com", "invited you to Printers")
	mine := p.getList("/api/v1/me/invitations?status=pending", annTok)
	if len(mine) != 1 || uint64(mine[0]["id"].(float64)) != idOf(t, inv) {
		t.Fatalf("Ann's invitations %v", mine)
	}
	if st, _ := p.api("POST", fmt.Sprintf("/api/v1/invitations/%d/accept", idOf(t, inv)), bobTok, nil); st != 404 {
		t.Errorf("Bob accepted Ann's invitation: %d", st)
	}
	p.must(200, "POST", fmt.Sprintf("/api/v1/invitations/%d/accept", idOf(t, inv)), annTok, nil)

	// new_member: Ann (on, a follower now) hears of Bob joining; Bob's own
	// joining is not news to Bob; the admin made the change.
	p.must(204, "POST", fmt.Sprintf("/api/v1/projects/%d/followers", proj), adm, map[string]any{"user_id": bob})
	sink.wait(t, "ann@example.com", "Bob joined Printers")

	// assignment_changed: on for Ann (default), off for Bob.
	p.must(200, "PUT", fmt.Sprintf("/api/v1/users/%d/settings", bob), adm, map[string]any{"email_assignment_changes": false})
	p.must(200, "PUT", fmt.Sprintf("/api/v1/items/%d/assignees", item), adm, map[string]any{"user_ids": []uint64{ann, bob}})
	sink.wait(t, "ann@example.com", "Assigned to you: Paper jam")
	// Ann unassigns herself: nobody is told (she made the change).
	p.must(200, "PUT", fmt.Sprintf("/api/v1/items/%d/assignees", item), annTok, map[string]any{"user_ids": []uint64{bob}})

	// A team joins the project: its member Cid receives the project's
	// notifications (emailed at once: unseen delay 0), and Ann hears the
	// team joined.
	team := idOf(t, p.must(201, "POST", "/api/v1/teams", adm, map[string]any{"name": "Night shift", "user_ids": []uint64{cid}}))
	p.must(204, "POST", fmt.Sprintf("/api/v1/projects/%d/followers", proj), adm, map[string]any{"team_id": team})
	sink.wait(t, "ann@example.com", "the team Night shift joined Printers")
	conv := idOf(t, p.must(201, "POST", "/api/v1/conversations", adm, map[string]any{"item_id": item, "kind": "internal", "subject": "Toner everywhere"}))
	p.must(201, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", conv), adm, map[string]string{"body": "who has the spare toner?"})
	note := sink.wait(t, "cid@example.com", "Toner everywhere")
	if !strings.Contains(note.text, "spare toner") {
		t.Errorf("Cid's notification: %q", note.text)
	}

	// Cid accepts all invitations (the default): in at once, no email.
	if inv := p.must(201, "POST", fmt.Sprintf("/api/v1/projects/%d/invitations", proj), adm, map[string]any{"user_id": cid}); inv["status"] != "accepted" {
		t.Errorf("Cid's invitation %v, want accepted", inv)
	}

	// By now every email above went out; check what must not have.
	for addr, subj := range map[string]string{
		"bob@example.com": "Assigned to you", // setting off
		"ann@example.com": "No longer assigned",
	} {
		if n := sink.count(t, addr, subj); n != 0 {
			t.Errorf("%d emails %q to %s", n, subj, addr)
		}
	}
	if n := sink.count(t, "bob@example.com", "joined"); n != 0 {
		t.Errorf("Bob (email_new_members off) got %d new_member emails", n)
	}
	if n := sink.count(t, "cid@example.com", "invited you"); n != 0 {
		t.Errorf("Cid got an invitation email though he accepts all")
	}
	if n := sink.count(t, "ann@example.com", "invited you"); n != 1 {
		t.Errorf("%d invitation emails to Ann, want 1", n)
	}
}

func (s *smtpSink) files() []string {
	fs, _ := filepath.Glob(filepath.Join(s.dir, "*"))
	return fs
}

// noWelcome switches the welcome email off, for tests that count the
// emails of something else.
func noWelcome(t *testing.T, p *proc) {
	t.Helper()
	p.must(200, "PUT", "/api/v1/templates/welcome", "e2e-admin", map[string]any{"enabled": false})
}

// Two nodes on one PostgreSQL count sign-in attempts against the same
// windows (SPEC §8, §10): ten attempts spread over both nodes use up the
// address's limit on both, and a session opened on one node works
// on the other and ends on both.
func TestLoginLimitAndSessionsAcrossNodes(t *testing.T) {
	url := pgtest.NewSchema(t)
	env := func(name string) []string {
		return []string{"DESKGATE_DATABASE_URL=" + url, "DESKGATE_NODE_NAME=" + name}
	}
	a := startServe(t, t.TempDir(), env("node-a")...)
	b := startServe(t, t.TempDir(), env("node-b")...)
	a.must(204, "PUT", "/api/v1/me/password", "e2e-admin", map[string]string{"password": "admin password"})
	sess := b.must(200, "POST", "/api/v1/auth/login", "", map[string]string{"email": "admin@support.test", "password": "admin password"})["token"].(string)
	a.must(200, "GET", "/api/v1/me", sess, nil)
	a.must(204, "DELETE", "/api/v1/auth/session", sess, nil)
	if st, _ := b.api("GET", "/api/v1/me", sess, nil); st != 401 {
		t.Errorf("a session ended on node a still works on node b: %d", st)
	}
	for i := range 8 { // setting the password and signing in were attempts 1 and 2
		p := a
		if i%2 == 1 {
			p = b
		}
		if st, v := p.api("POST", "/api/v1/auth/login", "", map[string]string{"email": "admin@support.test", "password": "wrong"}); st != 401 {
			t.Fatalf("attempt %d: %d %v", i+3, st, v)
		}
	}
	for _, p := range []*proc{a, b} {
		if st, v := p.api("POST", "/api/v1/auth/login", "", map[string]string{"email": "admin@support.test", "password": "admin password"}); st != 429 {
			t.Errorf("attempt past the limit on %s: %d %v, want 429", p.http, st, v)
		}
	}
}
