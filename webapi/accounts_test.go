package webapi_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/webapi"
)

// linkRe finds a password link in an email's text.
var linkRe = regexp.MustCompile(`https://desk\.test/reset-password\?token=(\S+)`)

// lastLink returns the token of the password link in the newest account
// email of template name to addr.
func (e *env) lastLink(name, addr string) string {
	e.t.Helper()
	var tok string
	for _, m := range e.outbox.accountSent() {
		if m.Template == name && m.Recipient.Email == addr {
			sm := linkRe.FindStringSubmatch(m.Rendered.Text)
			if sm == nil {
				e.t.Fatalf("%s email without a link: %q", name, m.Rendered.Text)
			}
			v, err := url.QueryUnescape(sm[1])
			if err != nil {
				e.t.Fatal(err)
			}
			tok = v
		}
	}
	if tok == "" {
		e.t.Fatalf("no %s email to %s among %d", name, addr, len(e.outbox.accountSent()))
	}
	return tok
}

// accountEmails counts account emails of template name to addr.
func (e *env) accountEmails(name, addr string) int {
	n := 0
	for _, m := range e.outbox.accountSent() {
		if m.Template == name && m.Recipient.Email == addr {
			n++
		}
	}
	return n
}

// login signs in and returns the session token.
func (e *env) login(email, password string) string {
	e.t.Helper()
	var s struct {
		Token     string
		ExpiresAt time.Time `json:"expires_at"`
	}
	r := e.must(200, "POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": password})
	r.decode(e.t, &s)
	if !strings.HasPrefix(s.Token, "dgs_") || !s.ExpiresAt.After(e.clock.Now()) || r.header.Get("Cache-Control") != "no-store" {
		e.t.Fatalf("login answer %s (Cache-Control %q)", r.body, r.header.Get("Cache-Control"))
	}
	return s.Token
}

func TestWelcomeLinkSetsPasswordAndSessionsWork(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	tok := e.lastLink(bridge.TemplateWelcome, "agent@support.test")
	if len(strings.TrimPrefix(tok, "dgr_")) != 43 { // 256 bits, base64url
		t.Errorf("link token %q is not 256 bits", tok)
	}
	e.must(204, "POST", "/api/v1/auth/password-reset/confirm", "", map[string]string{"token": tok, "password": "correct horse"})
	// The link is single-use.
	r := e.must(422, "POST", "/api/v1/auth/password-reset/confirm", "", map[string]string{"token": tok, "password": "another one"})
	if r.errCode(t) != "invalid_token" {
		t.Errorf("reused link: %s", r.body)
	}
	sess := e.login("Agent@Support.test", "correct horse")
	var me struct{ ID uint64 }
	e.must(200, "GET", "/api/v1/me", sess, nil).decode(t, &me)
	if me.ID != f.agentID {
		t.Errorf("session is user %d, want %d", me.ID, f.agentID)
	}
	// The API token keeps working beside the session; it is not a session.
	e.must(200, "GET", "/api/v1/me", f.agentTok, nil)
	e.must(404, "DELETE", "/api/v1/auth/session", f.agentTok, nil)
	e.must(204, "DELETE", "/api/v1/auth/session", sess, nil)
	e.must(401, "GET", "/api/v1/me", sess, nil)
	e.must(200, "GET", "/api/v1/me", f.agentTok, nil)

	// A session expires.
	sess = e.login("agent@support.test", "correct horse")
	e.clock.Advance(12*time.Hour + time.Second)
	e.must(401, "GET", "/api/v1/me", sess, nil)
}

func TestWrongAddressAndWrongPasswordAnswerAlike(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	e.must(204, "POST", "/api/v1/auth/password-reset/confirm", "", map[string]string{"token": e.lastLink(bridge.TemplateWelcome, "agent@support.test"), "password": "correct horse"})
	var bodies []string
	for _, c := range []map[string]string{
		{"email": "agent@support.test", "password": "wrong horse"},
		{"email": "nobody@support.test", "password": "wrong horse"},
		{"email": "carol@example.com", "password": "wrong horse"},  // a customer: no password
		{"email": "admin@support.test", "password": "wrong horse"}, // a user who never set one
		{"email": "", "password": ""},
	} {
		r := e.must(401, "POST", "/api/v1/auth/login", "", c)
		if r.header.Get("WWW-Authenticate") != "" {
			t.Errorf("login answered with a WWW-Authenticate header")
		}
		bodies = append(bodies, string(r.body))
	}
	for _, b := range bodies[1:] {
		if b != bodies[0] {
			t.Errorf("answers differ: %q vs %q", b, bodies[0])
		}
	}
	// A customer token can use none of the account routes.
	for _, rt := range [][2]string{{"DELETE", "/api/v1/auth/session"}, {"GET", "/api/v1/teams"}, {"GET", "/api/v1/me/invitations"},
		{"POST", pathf("/api/v1/projects/%d/invitations", f.project)}, {"POST", "/api/v1/invitations/1/accept"}} {
		r := e.do(rt[0], rt[1], f.custTok, map[string]any{"user_id": f.agentID})
		if r.status != 404 {
			t.Errorf("customer %s %s: %d %s, want 404", rt[0], rt[1], r.status, r.body)
		}
	}
	e.must(404, "PUT", "/api/v1/me/password", f.custTok, map[string]string{"password": "customer password"})
}

func TestLoginRateLimitedPerAddressAndPerClient(t *testing.T) {
	e := newEnv(t)
	e.fixture()
	for _, addr := range []string{"agent@support.test", "ghost@support.test"} { // known or not: the same
		for i := range 10 {
			e.must(401, "POST", "/api/v1/auth/login", "", map[string]string{"email": addr, "password": "guess " + string(rune('a'+i))})
		}
		r := e.must(429, "POST", "/api/v1/auth/login", "", map[string]string{"email": addr, "password": "guess"})
		if r.errCode(t) != "rate_limited" {
			t.Errorf("code %s", r.body)
		}
		ra := r.header.Get("Retry-After")
		if ra == "" || ra == "0" {
			t.Errorf("429 without a Retry-After: %q", ra)
		}
	}
	// Another address from the same client still gets through (the client
	// limit is 50 per 5 min, 22 used), until the client's limit is hit.
	e.must(401, "POST", "/api/v1/auth/login", "", map[string]string{"email": "third@support.test", "password": "x"})
	for i := range 40 {
		r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"email": pathf("n%d@support.test", i), "password": "x"})
		if r.status == 429 {
			if i < 27 {
				t.Errorf("client limited after %d attempts", 23+i)
			}
			break
		}
		if i == 39 {
			t.Fatal("the client was never limited")
		}
	}
	// The windows pass.
	e.clock.Advance(16 * time.Minute)
	e.must(401, "POST", "/api/v1/auth/login", "", map[string]string{"email": "agent@support.test", "password": "guess"})
}

func TestPasswordResetFlow(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	// Unknown address: 202 and no email.
	e.must(202, "POST", "/api/v1/auth/password-reset", "", map[string]string{"email": "ghost@support.test"})
	e.must(202, "POST", "/api/v1/auth/password-reset", "", map[string]string{"email": "carol@example.com"})
	for _, m := range e.outbox.accountSent() {
		if m.Template == bridge.TemplatePasswordReset {
			t.Fatalf("a reset email went to %s", m.Recipient.Email)
		}
	}
	e.must(204, "POST", "/api/v1/auth/password-reset/confirm", "", map[string]string{"token": e.lastLink(bridge.TemplateWelcome, "agent@support.test"), "password": "first password"})
	old := e.login("agent@support.test", "first password")

	e.must(202, "POST", "/api/v1/auth/password-reset", "", map[string]string{"email": "AGENT@support.test "})
	tok := e.lastLink(bridge.TemplatePasswordReset, "agent@support.test")
	// Weak password: refused, and the link still works.
	r := e.must(422, "POST", "/api/v1/auth/password-reset/confirm", "", map[string]string{"token": tok, "password": "short"})
	if r.errCode(t) != "weak_password" {
		t.Errorf("weak password: %s", r.body)
	}
	// A forged token is refused alike.
	forged := tok[:len(tok)-2] + "AA"
	if forged == tok {
		forged = tok[:len(tok)-2] + "BB"
	}
	if c := e.must(422, "POST", "/api/v1/auth/password-reset/confirm", "", map[string]string{"token": forged, "password": "second password"}).errCode(t); c != "invalid_token" {
		t.Errorf("forged token: %s", c)
	}
	e.must(204, "POST", "/api/v1/auth/password-reset/confirm", "", map[string]string{"token": tok, "password": "second password"})
	e.must(401, "GET", "/api/v1/me", old, nil) // the old session ended
	e.must(200, "GET", "/api/v1/me", f.agentTok, nil)
	e.must(401, "POST", "/api/v1/auth/login", "", map[string]string{"email": "agent@support.test", "password": "first password"})
	e.login("agent@support.test", "second password")

	// A link expires after one hour.
	e.must(202, "POST", "/api/v1/auth/password-reset", "", map[string]string{"email": "agent@support.test"})
	tok = e.lastLink(bridge.TemplatePasswordReset, "agent@support.test")
	e.clock.Advance(time.Hour + time.Second)
	e.must(422, "POST", "/api/v1/auth/password-reset/confirm", "", map[string]string{"token": tok, "password": "third password"})

	// Beyond 3 requests an hour for one address: still 202, no more email.
	before := e.accountEmails(bridge.TemplatePasswordReset, "agent@support.test")
	for range 5 {
		e.must(202, "POST", "/api/v1/auth/password-reset", "", map[string]string{"email": "agent@support.test"})
	}
	if got := e.accountEmails(bridge.TemplatePasswordReset, "agent@support.test") - before; got != 3 {
		t.Errorf("%d reset emails for 5 requests, want 3", got)
	}
}

func TestChangeOwnPassword(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	e.must(204, "PUT", "/api/v1/me/password", f.agentTok, map[string]string{"password": "set by token"})
	s1 := e.login("agent@support.test", "set by token")
	s2 := e.login("agent@support.test", "set by token")
	e.must(403, "PUT", "/api/v1/me/password", s1, map[string]string{"current_password": "nope", "password": "changed password"})
	e.must(204, "PUT", "/api/v1/me/password", s1, map[string]string{"current_password": "set by token", "password": "changed password"})
	e.must(200, "GET", "/api/v1/me", s1, nil) // the caller's session stays
	e.must(401, "GET", "/api/v1/me", s2, nil) // the others end
}

// settingsOf sets user id's account-email settings.
func (e *env) setSettings(id uint64, s map[string]any) {
	e.t.Helper()
	e.must(200, "PUT", pathf("/api/v1/users/%d/settings", id), adminToken, s)
}

func TestTeamFollowsProjectAndMembersAreNotified(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	// The agent sees only followed projects and follows nothing yet.
	e.setSettings(f.agentID, map[string]any{"conversation_visibility": "followed", "from_users_and_bot": "followed"})
	e.must(404, "GET", pathf("/api/v1/conversations/%d", f.external), f.agentTok, nil)
	team := e.must(201, "POST", "/api/v1/teams", adminToken, map[string]any{"name": "Tier 1", "user_ids": []uint64{f.agentID}}).id(t)
	e.must(409, "POST", "/api/v1/teams", adminToken, map[string]any{"name": "tier 1"})
	e.must(403, "POST", "/api/v1/teams", f.agentTok, map[string]any{"name": "Mine"})
	e.must(422, "POST", "/api/v1/teams", adminToken, map[string]any{"name": "Ghosts", "user_ids": []uint64{999}})
	var teams []struct {
		ID      uint64
		UserIDs []uint64 `json:"user_ids"`
	}
	e.must(200, "GET", "/api/v1/teams", f.agentTok, nil).decode(t, &teams)
	if len(teams) != 1 || teams[0].ID != team || !slices.Equal(teams[0].UserIDs, []uint64{f.agentID}) {
		t.Fatalf("teams %+v", teams)
	}
	e.must(422, "POST", pathf("/api/v1/projects/%d/followers", f.project), adminToken, map[string]any{"team_id": 999})
	e.must(422, "POST", pathf("/api/v1/projects/%d/followers", f.project), adminToken, map[string]any{})
	e.must(204, "POST", pathf("/api/v1/projects/%d/followers", f.project), adminToken, map[string]any{"team_id": team})
	e.must(200, "GET", pathf("/api/v1/conversations/%d", f.external), f.agentTok, nil)
	// The admin posts: the team member is notified.
	e.must(201, "POST", pathf("/api/v1/conversations/%d/messages", f.external), adminToken, map[string]string{"body": "hello team"})
	var ns []struct {
		ConversationID uint64 `json:"conversation_id"`
	}
	e.must(200, "GET", "/api/v1/me/notifications", f.agentTok, nil).decode(t, &ns)
	if len(ns) != 1 || ns[0].ConversationID != f.external {
		t.Fatalf("team member's notifications: %+v", ns)
	}
}

func TestInvitations(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	other := e.must(201, "POST", "/api/v1/users", adminToken, map[string]string{"email": "otto@support.test", "name": "Otto", "role": "agent"}).id(t)
	e.setSettings(f.agentID, map[string]any{"accept_all_invitations": false})
	var inv struct {
		ID     uint64
		Status string
	}
	e.must(201, "POST", pathf("/api/v1/projects/%d/invitations", f.project), adminToken, map[string]any{"user_id": f.agentID}).decode(t, &inv)
	if inv.Status != "pending" || e.accountEmails(bridge.TemplateInvitation, "agent@support.test") != 1 {
		t.Fatalf("invitation %+v, %d emails", inv, e.accountEmails(bridge.TemplateInvitation, "agent@support.test"))
	}
	// Inviting again returns the same pending invitation and sends nothing.
	var again struct{ ID uint64 }
	e.must(201, "POST", pathf("/api/v1/projects/%d/invitations", f.project), adminToken, map[string]any{"user_id": f.agentID}).decode(t, &again)
	if again.ID != inv.ID || e.accountEmails(bridge.TemplateInvitation, "agent@support.test") != 1 {
		t.Errorf("second invitation %d (first %d), %d emails", again.ID, inv.ID, e.accountEmails(bridge.TemplateInvitation, "agent@support.test"))
	}
	var mine []struct {
		ID     uint64
		Status string
	}
	e.must(200, "GET", "/api/v1/me/invitations?status=pending", f.agentTok, nil).decode(t, &mine)
	if len(mine) != 1 || mine[0].ID != inv.ID {
		t.Fatalf("my invitations %+v", mine)
	}
	var ottoTok struct{ Token string }
	e.must(201, "POST", pathf("/api/v1/users/%d/tokens", other), adminToken, nil).decode(t, &ottoTok)
	e.must(404, "POST", pathf("/api/v1/invitations/%d/accept", inv.ID), ottoTok.Token, nil) // not Otto's
	e.must(200, "POST", pathf("/api/v1/invitations/%d/accept", inv.ID), f.agentTok, nil)
	e.must(409, "POST", pathf("/api/v1/invitations/%d/decline", inv.ID), f.agentTok, nil)
	// Otto accepts all invitations (the default): in at once, no email.
	e.must(201, "POST", pathf("/api/v1/projects/%d/invitations", f.project), adminToken, map[string]any{"user_id": other}).decode(t, &inv)
	if inv.Status != "accepted" || e.accountEmails(bridge.TemplateInvitation, "otto@support.test") != 0 {
		t.Errorf("invitation of a user who accepts all: %+v", inv)
	}
	// A team with a member who does not accept all: pending; any member settles it.
	team := e.must(201, "POST", "/api/v1/teams", adminToken, map[string]any{"name": "Both", "user_ids": []uint64{f.agentID, other}}).id(t)
	p2 := e.must(201, "POST", "/api/v1/projects", adminToken, map[string]string{"name": "Second"}).id(t)
	e.must(201, "POST", pathf("/api/v1/projects/%d/invitations", p2), adminToken, map[string]any{"team_id": team}).decode(t, &inv)
	if inv.Status != "pending" || e.accountEmails(bridge.TemplateInvitation, "agent@support.test") != 2 || e.accountEmails(bridge.TemplateInvitation, "otto@support.test") != 0 {
		t.Fatalf("team invitation %+v", inv)
	}
	e.must(200, "GET", "/api/v1/me/invitations", ottoTok.Token, nil).decode(t, &mine)
	if len(mine) != 2 {
		t.Fatalf("otto's invitations (own and team's): %+v", mine)
	}
	e.must(200, "POST", pathf("/api/v1/invitations/%d/decline", inv.ID), ottoTok.Token, nil)
	e.must(422, "POST", pathf("/api/v1/projects/%d/invitations", p2), adminToken, map[string]any{"user_id": other, "team_id": team})
}

func TestAccountEmailsFollowSettingsAndSkipTheActor(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	other := e.must(201, "POST", "/api/v1/users", adminToken, map[string]string{"email": "otto@support.test", "name": "Otto", "role": "agent"}).id(t)
	// assignment_changed: on by default.
	e.must(200, "PUT", pathf("/api/v1/items/%d/assignees", f.item), adminToken, map[string]any{"user_ids": []uint64{f.agentID, other}})
	if e.accountEmails(bridge.TemplateAssignmentChanged, "agent@support.test") != 1 || e.accountEmails(bridge.TemplateAssignmentChanged, "otto@support.test") != 1 {
		t.Fatalf("assignment emails: %+v", e.outbox.accountSent())
	}
	// Otto switches them off; the agent removes itself and Otto: nobody is
	// told (the agent made the change, Otto's setting is off).
	e.setSettings(other, map[string]any{"email_assignment_changes": false})
	e.must(200, "PUT", pathf("/api/v1/items/%d/assignees", f.item), f.agentTok, map[string]any{"user_ids": []uint64{}})
	if e.accountEmails(bridge.TemplateAssignmentChanged, "agent@support.test") != 1 || e.accountEmails(bridge.TemplateAssignmentChanged, "otto@support.test") != 1 {
		t.Fatalf("assignment emails after removal: %+v", e.outbox.accountSent())
	}
	// new_member: off by default.
	e.must(204, "POST", pathf("/api/v1/projects/%d/followers", f.project), adminToken, map[string]any{"user_id": f.agentID})
	e.must(204, "POST", pathf("/api/v1/projects/%d/followers", f.project), adminToken, map[string]any{"user_id": other})
	e.must(204, "POST", pathf("/api/v1/projects/%d/followers", f.project), adminToken, map[string]any{"user_id": 1}) // the admin follows too
	if n := e.accountEmails(bridge.TemplateNewMember, "agent@support.test"); n != 0 {
		t.Fatalf("new_member with the setting off: %d", n)
	}
	e.setSettings(f.agentID, map[string]any{"email_new_members": true})
	e.setSettings(other, map[string]any{"email_new_members": true})
	third := e.must(201, "POST", "/api/v1/users", adminToken, map[string]string{"email": "tess@support.test", "name": "Tess", "role": "agent"}).id(t)
	e.setSettings(1, map[string]any{"email_new_members": true})
	// The admin adds Tess: the agent and Otto are told; the admin (who made
	// the change) and Tess are not.
	e.must(204, "POST", pathf("/api/v1/projects/%d/followers", f.project), f.agentTok, map[string]any{"user_id": f.agentID}) // no change: nothing
	e.must(204, "POST", pathf("/api/v1/projects/%d/followers", f.project), adminToken, map[string]any{"user_id": third})
	if e.accountEmails(bridge.TemplateNewMember, "agent@support.test") != 1 || e.accountEmails(bridge.TemplateNewMember, "otto@support.test") != 1 ||
		e.accountEmails(bridge.TemplateNewMember, "tess@support.test") != 0 || e.accountEmails(bridge.TemplateNewMember, "admin@support.test") != 0 {
		t.Fatalf("new_member emails: %+v", e.outbox.accountSent())
	}
	for _, m := range e.outbox.accountSent() {
		if m.Template == bridge.TemplateNewMember && !strings.Contains(m.Rendered.Text, "Tess") {
			t.Errorf("new_member does not name Tess: %q", m.Rendered.Text)
		}
	}
}

func TestWhoMayInviteAndAddTeams(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	other := e.must(201, "POST", "/api/v1/users", adminToken, map[string]string{"email": "otto@support.test", "name": "Otto", "role": "agent"}).id(t)
	team := e.must(201, "POST", "/api/v1/teams", adminToken, map[string]any{"name": "Pair", "user_ids": []uint64{f.agentID, other}}).id(t)
	// The agent does not follow the project: it may neither invite nor add its team.
	e.must(403, "POST", pathf("/api/v1/projects/%d/invitations", f.project), f.agentTok, map[string]any{"user_id": other})
	e.must(403, "POST", pathf("/api/v1/projects/%d/followers", f.project), f.agentTok, map[string]any{"team_id": team})
	e.must(204, "POST", pathf("/api/v1/projects/%d/followers", f.project), f.agentTok, map[string]any{"user_id": f.agentID})
	e.must(201, "POST", pathf("/api/v1/projects/%d/invitations", f.project), f.agentTok, map[string]any{"user_id": other})
	e.must(204, "POST", pathf("/api/v1/projects/%d/followers", f.project), f.agentTok, map[string]any{"team_id": team})
}

// A forwarding header moves the rate limit's client only behind a trusted
// proxy; by default it is ignored, so it cannot be used to dodge the limit.
func TestForwardedForDoesNotDodgeTheClientLimit(t *testing.T) {
	e := newEnv(t)
	for i := range 60 {
		req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/auth/login", strings.NewReader(pathf(`{"email":"u%d@x.test","password":"x"}`, i)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", pathf("203.0.113.%d", i))
		req.Header.Set("X-Real-IP", pathf("198.51.100.%d", i))
		res, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode == 429 {
			if i != 50 {
				t.Fatalf("limited after %d attempts, want 50", i)
			}
			return
		}
	}
	t.Fatal("60 attempts with changing X-Forwarded-For were never limited")
}

// An edited welcome that validates but fails on real data neither stops
// the user from being created nor loses the link: the default goes out.
func TestBrokenAccountTemplateFallsBackToDefault(t *testing.T) {
	e := newEnv(t)
	e.must(200, "PUT", "/api/v1/templates/welcome", adminToken, map[string]any{"text": "Hi {{index .Name 3}}\n{{.Link}}"})
	e.must(201, "POST", "/api/v1/users", adminToken, map[string]string{"email": "nina@support.test", "name": "Al", "role": "agent"})
	tok := e.lastLink(bridge.TemplateWelcome, "nina@support.test")
	e.must(204, "POST", "/api/v1/auth/password-reset/confirm", "", map[string]string{"token": tok, "password": "nina's password"})
	for _, m := range e.outbox.accountSent() {
		if strings.Contains(m.Rendered.Text, "Hi ") {
			t.Errorf("the broken edit was sent: %q", m.Rendered.Text)
		}
	}
}

// Confirming with forged tokens is limited per client before any hashing.
func TestConfirmLimitedPerClient(t *testing.T) {
	e := newEnv(t)
	for i := range 20 {
		e.must(422, "POST", "/api/v1/auth/password-reset/confirm", "", map[string]string{"token": pathf("dgr_forged%d", i), "password": "a new password"})
	}
	r := e.must(429, "POST", "/api/v1/auth/password-reset/confirm", "", map[string]string{"token": "dgr_forged", "password": "a new password"})
	if r.header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
}

// A reset request answers no sooner than ResetAnswerAfter whether the
// address has an account or not: the extra work for a user (a link, an
// email, more store writes) must not show in the answer's timing.
func TestPasswordResetAnswerTimeHidesAccounts(t *testing.T) {
	e := newEnv(t)
	e.fixture()
	for _, addr := range []string{"agent@support.test", "ghost@support.test"} {
		start := time.Now()
		e.must(202, "POST", "/api/v1/auth/password-reset", "", map[string]string{"email": addr})
		if took := time.Since(start); took < webapi.DefaultResetAnswerAfter {
			t.Errorf("reset for %s answered after %v, before %v", addr, took, webapi.DefaultResetAnswerAfter)
		}
	}
	if e.accountEmails(bridge.TemplatePasswordReset, "agent@support.test") != 1 {
		t.Error("the user's reset email was not queued")
	}
}
