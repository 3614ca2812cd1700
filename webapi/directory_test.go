package webapi_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
)

// Every object the API writes can be read back, only by who may see it
// (SPEC §14).
func TestReadWhatYouCanWrite(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	other := e.must(201, "POST", "/api/v1/projects", adminToken, map[string]string{"name": "Sales"}).id(t)
	closed := e.must(201, "POST", "/api/v1/items", adminToken, map[string]any{"project_id": other, "title": "Old deal"}).id(t)
	e.must(200, "PUT", pathf("/api/v1/items/%d", closed), adminToken, map[string]string{"status": "closed"})

	var ps []struct{ ID uint64 }
	e.must(200, "GET", "/api/v1/projects", f.agentTok, nil).decode(t, &ps)
	if len(ps) != 2 || ps[0].ID != f.project || ps[1].ID != other {
		t.Fatalf("agent's projects: %+v", ps)
	}
	var p struct{ Name string }
	e.must(200, "GET", pathf("/api/v1/projects/%d", other), f.agentTok, nil).decode(t, &p)
	if p.Name != "Sales" {
		t.Fatalf("project: %+v", p)
	}
	var its []struct {
		ID     uint64
		Status string
	}
	e.must(200, "GET", pathf("/api/v1/items?project_id=%d", other), adminToken, nil).decode(t, &its)
	if len(its) != 1 || its[0].ID != closed || its[0].Status != "closed" {
		t.Fatalf("items of the project: %+v", its)
	}
	e.must(200, "GET", "/api/v1/items?status=open", adminToken, nil).decode(t, &its)
	if len(its) != 1 || its[0].ID != f.item {
		t.Fatalf("open items: %+v", its)
	}
	e.must(200, "GET", pathf("/api/v1/items/%d", f.item), f.agentTok, nil)

	// An agent that sees only followed projects sees neither list entry nor record.
	e.setSettings(f.agentID, map[string]any{"conversation_visibility": "followed"})
	e.must(200, "GET", "/api/v1/projects", f.agentTok, nil).decode(t, &ps)
	if len(ps) != 0 {
		t.Fatalf("agent following nothing lists projects: %+v", ps)
	}
	e.must(404, "GET", pathf("/api/v1/projects/%d", other), f.agentTok, nil)
	e.must(404, "GET", pathf("/api/v1/items/%d", closed), f.agentTok, nil)
	e.must(200, "GET", "/api/v1/items", f.agentTok, nil).decode(t, &its)
	if len(its) != 0 {
		t.Fatalf("agent following nothing lists items: %+v", its)
	}

	// Customers: staff find them by address or part of a name; a customer
	// token reads itself and nothing else.
	dave := e.must(201, "POST", "/api/v1/customers", adminToken, map[string]string{"email": "dave@example.org", "name": "Dave Smith"}).id(t)
	var cs []struct {
		ID    uint64
		Email string
	}
	e.must(200, "GET", "/api/v1/customers?email=DAVE@example.org", f.agentTok, nil).decode(t, &cs)
	if len(cs) != 1 || cs[0].ID != dave {
		t.Fatalf("customer by email: %+v", cs)
	}
	e.must(200, "GET", "/api/v1/customers?q=smi", f.agentTok, nil).decode(t, &cs)
	if len(cs) != 1 || cs[0].ID != dave {
		t.Fatalf("customers by q: %+v", cs)
	}
	e.must(200, "GET", "/api/v1/customers", f.agentTok, nil).decode(t, &cs)
	if len(cs) != 2 {
		t.Fatalf("customers: %+v", cs)
	}
	e.must(200, "GET", pathf("/api/v1/customers/%d", f.custID), f.custTok, nil)
	for _, path := range []string{pathf("/api/v1/customers/%d", dave), "/api/v1/customers", pathf("/api/v1/projects/%d", f.project),
		pathf("/api/v1/items/%d", f.item), pathf("/api/v1/users/%d", f.agentID), "/api/v1/teams/1"} {
		if r := e.do("GET", path, f.custTok, nil); r.status != http.StatusNotFound {
			t.Errorf("customer token GET %s: %d %s, want 404", path, r.status, r.body)
		}
	}
	var u struct{ Email string }
	e.must(200, "GET", pathf("/api/v1/users/%d", f.agentID), f.agentTok, nil).decode(t, &u)
	if u.Email != "agent@support.test" {
		t.Fatalf("user: %+v", u)
	}
}

// PATCH changes what it names and nothing else; addresses and names stay
// unique; the last admin stays an admin.
func TestPatchUsersTeamsCustomers(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	var u struct {
		Name, Email, Role string
	}
	e.must(200, "PATCH", pathf("/api/v1/users/%d", f.agentID), f.agentTok, map[string]string{"name": "Agnes B."}).decode(t, &u)
	if u.Name != "Agnes B." || u.Email != "agent@support.test" || u.Role != "agent" {
		t.Fatalf("after own rename: %+v", u)
	}
	e.must(403, "PATCH", pathf("/api/v1/users/%d", f.agentID), f.agentTok, map[string]string{"role": "admin"})
	e.must(403, "PATCH", "/api/v1/users/1", f.agentTok, map[string]string{"name": "x"})
	e.must(409, "PATCH", pathf("/api/v1/users/%d", f.agentID), adminToken, map[string]string{"email": "carol@example.com"})
	e.must(409, "PATCH", "/api/v1/users/1", adminToken, map[string]string{"role": "agent"}) // the last admin
	e.must(422, "PATCH", pathf("/api/v1/users/%d", f.agentID), adminToken, map[string]string{"role": "root"})
	e.must(200, "PATCH", pathf("/api/v1/users/%d", f.agentID), adminToken, map[string]string{"email": "Agnes@Support.test", "role": "admin"}).decode(t, &u)
	if u.Email != "agnes@support.test" || u.Role != "admin" || u.Name != "Agnes B." {
		t.Fatalf("after admin's patch: %+v", u)
	}
	e.must(200, "PATCH", "/api/v1/users/1", adminToken, map[string]string{"role": "agent"}) // now another admin exists
	e.must(200, "PATCH", "/api/v1/users/1", f.agentTok, map[string]string{"role": "admin"})

	var c struct{ Name, Email string }
	e.must(200, "PATCH", pathf("/api/v1/customers/%d", f.custID), f.agentTok, map[string]string{"name": "Carol K."}).decode(t, &c)
	if c.Name != "Carol K." || c.Email != "carol@example.com" {
		t.Fatalf("customer after patch: %+v", c)
	}
	e.must(409, "PATCH", pathf("/api/v1/customers/%d", f.custID), adminToken, map[string]string{"email": "agnes@support.test"})
	e.must(404, "PATCH", pathf("/api/v1/customers/%d", f.custID), f.custTok, map[string]string{"name": "Me"})

	team := e.must(201, "POST", "/api/v1/teams", adminToken, map[string]any{"name": "Tier 1", "user_ids": []uint64{f.agentID}}).id(t)
	e.must(201, "POST", "/api/v1/teams", adminToken, map[string]any{"name": "Tier 2"})
	e.must(409, "PATCH", pathf("/api/v1/teams/%d", team), adminToken, map[string]any{"name": "tier 2"})
	var tm struct {
		Name    string
		UserIDs []uint64 `json:"user_ids"`
	}
	e.must(200, "PATCH", pathf("/api/v1/teams/%d", team), adminToken, map[string]any{"user_ids": []uint64{}}).decode(t, &tm)
	if tm.Name != "Tier 1" || len(tm.UserIDs) != 0 {
		t.Fatalf("team after patch: %+v", tm)
	}
	e.must(204, "POST", pathf("/api/v1/projects/%d/followers", f.project), adminToken, map[string]any{"team_id": team})
	e.must(204, "DELETE", pathf("/api/v1/teams/%d", team), adminToken, nil)
	e.must(404, "GET", pathf("/api/v1/teams/%d", team), adminToken, nil)
	var p struct{ Teams []uint64 }
	e.must(200, "GET", pathf("/api/v1/projects/%d", f.project), adminToken, nil).decode(t, &p)
	if len(p.Teams) != 0 {
		t.Fatalf("a removed team still follows the project: %+v", p)
	}
	e.must(201, "POST", "/api/v1/teams", adminToken, map[string]any{"name": "tier 1"}) // the name is free again
}

// Retiring a user ends its API tokens and sessions at once; its messages
// stay, shown by name; it can no longer sign in.
func TestRetiredUserCredentialsEndHistoryStays(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	link := e.lastLink(bridge.TemplateWelcome, "agent@support.test")
	e.must(204, "POST", "/api/v1/auth/password-reset/confirm", "", map[string]string{"token": link, "password": "correct horse battery"})
	session := e.login("agent@support.test", "correct horse battery")
	msg := e.post(f.external, f.agentTok, "I will look into it")
	e.must(204, "POST", pathf("/api/v1/conversations/%d/followers", f.external), adminToken, map[string]any{"user_id": f.agentID})
	if ds := e.deliveries(e.post(f.external, f.custTok, "thanks")); ds["agent@support.test"].NotifiedAt.IsZero() {
		t.Fatal("the following agent is not notified before it is retired")
	}
	e.must(403, "DELETE", pathf("/api/v1/users/%d", f.agentID), f.agentTok, nil)
	e.must(409, "DELETE", "/api/v1/users/1", adminToken, nil) // the last admin

	e.must(204, "DELETE", pathf("/api/v1/users/%d", f.agentID), adminToken, nil)
	for _, tok := range []string{f.agentTok, session} {
		if r := e.do("GET", "/api/v1/me", tok, nil); r.status != http.StatusUnauthorized {
			t.Fatalf("a retired user's credential answers %d %s", r.status, r.body)
		}
	}
	if r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"email": "agent@support.test", "password": "correct horse battery"}); r.status != http.StatusUnauthorized {
		t.Fatalf("a retired user signs in: %d %s", r.status, r.body)
	}
	var u struct {
		RetiredAt time.Time `json:"retired_at"`
	}
	e.must(200, "GET", pathf("/api/v1/users/%d", f.agentID), adminToken, nil).decode(t, &u)
	if u.RetiredAt.IsZero() {
		t.Fatal("GET /users/{id} does not show retired_at")
	}
	var msgs []struct {
		ID     uint64
		Author struct{ Name string }
	}
	e.must(200, "GET", pathf("/api/v1/conversations/%d/messages", f.external), f.custTok, nil).decode(t, &msgs)
	if len(msgs) != 2 || msgs[0].ID != msg || msgs[0].Author.Name != "Agnes Agent" {
		t.Fatalf("the retired user's message: %+v", msgs)
	}
	e.must(409, "PATCH", pathf("/api/v1/users/%d", f.agentID), adminToken, map[string]string{"name": "Back"})
	e.must(204, "DELETE", pathf("/api/v1/users/%d", f.agentID), adminToken, nil) // no change
	// Nothing notifies it any more.
	if ds := e.deliveries(e.post(f.external, f.custTok, "hello?")); len(ds) != 0 {
		t.Fatalf("a retired user is notified: %+v", ds)
	}
	var st struct {
		FromCustomers string `json:"from_customers"`
	}
	e.must(200, "GET", pathf("/api/v1/users/%d/settings", f.agentID), adminToken, nil).decode(t, &st)
	if st.FromCustomers != "none" {
		t.Fatalf("a retired user's settings still notify: %+v", st)
	}
}

// pageAll follows Link headers from path and returns every id, calling
// between after each page.
func (e *env) pageAll(path, token string, between func(page int)) []uint64 {
	e.t.Helper()
	var all []uint64
	for page := 0; path != "" && page < 1000; page++ {
		r := e.must(200, "GET", path, token, nil)
		var xs []struct {
			ID        uint64
			MessageID uint64 `json:"message_id"`
		}
		r.decode(e.t, &xs)
		for _, x := range xs {
			all = append(all, x.ID+x.MessageID)
		}
		path = ""
		if l := r.header.Get("Link"); l != "" {
			u, rest, ok := strings.Cut(strings.TrimPrefix(l, "<"), ">")
			if !ok || rest != `; rel="next"` || !strings.Contains(u, "cursor=") {
				e.t.Fatalf("Link header %q", l)
			}
			path = u
			if len(xs) == 0 {
				e.t.Fatalf("an empty page with a Link to another")
			}
		}
		if between != nil {
			between(page)
		}
	}
	return all
}

// Paging never repeats nor skips an entry while new ones arrive, and
// while old conversations become the most recently active (SPEC §14).
func TestPagingNeverRepeatsOrSkips(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	var convs []uint64
	for i := range 23 {
		e.clock.Advance(time.Second)
		id := e.must(201, "POST", "/api/v1/conversations", adminToken, map[string]any{"item_id": f.item, "kind": "external", "subject": pathf("c%d", i), "customer_ids": []uint64{f.custID}}).id(t)
		convs = append(convs, id)
		if i%3 == 0 {
			e.clock.Advance(time.Second)
			e.post(id, adminToken, "first")
		}
	}
	want := append([]uint64{f.external, f.internal}, convs...)
	got := e.pageAll("/api/v1/conversations?limit=4", adminToken, func(page int) {
		// Meanwhile: a conversation from every part of the list gets a
		// message (moving it to the top), and a new one is created.
		e.clock.Advance(time.Second)
		e.post(convs[(page*5)%len(convs)], adminToken, "bump")
		e.post(convs[len(convs)-1-page%len(convs)], f.custTok, "bump too")
		e.clock.Advance(time.Second)
		e.must(201, "POST", "/api/v1/conversations", adminToken, map[string]any{"item_id": f.item, "kind": "internal", "subject": "new"})
	})
	if len(got) != len(want) || !sameSet(got, want) {
		t.Fatalf("paged conversations: %d %v, want each of %d %v once", len(got), got, len(want), want)
	}

	// Messages (oldest first) while more are posted.
	for range 9 {
		e.post(f.internal, adminToken, "m")
	}
	var before []uint64
	var ms []struct{ ID uint64 }
	e.must(200, "GET", pathf("/api/v1/conversations/%d/messages?limit=500", f.internal), adminToken, nil).decode(t, &ms)
	for _, m := range ms {
		before = append(before, m.ID)
	}
	got = e.pageAll(pathf("/api/v1/conversations/%d/messages?limit=2", f.internal), adminToken, func(int) { e.post(f.internal, adminToken, "more") })
	if len(got) < len(before) || !slices.Equal(got[:len(before)], before) || !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
		t.Fatalf("paged messages %v, want %v first, in order, once each", got, before)
	}

	// Customers, items, users: by id.
	for i := range 7 {
		e.must(201, "POST", "/api/v1/customers", adminToken, map[string]string{"email": pathf("c%d@example.net", i)})
	}
	got = e.pageAll("/api/v1/customers?limit=3", adminToken, nil)
	if len(got) != 8 || !slices.IsSorted(got) {
		t.Fatalf("paged customers: %v", got)
	}
	// Notifications (newest first).
	got = e.pageAll("/api/v1/me/notifications?limit=5", f.custTok, func(int) { e.post(f.external, adminToken, "n") })
	if !slices.IsSortedFunc(got, func(a, b uint64) int { return int(b) - int(a) }) || len(slices.Compact(slices.Clone(got))) != len(got) || len(got) < 10 {
		t.Fatalf("paged notifications: %v", got)
	}

	for _, bad := range []string{"?limit=0", "?limit=501", "?limit=x", "?cursor=nonsense"} {
		e.must(422, "GET", "/api/v1/conversations"+bad, adminToken, nil)
	}
	// A cursor of one list is refused by another.
	r := e.must(200, "GET", "/api/v1/customers?limit=1", adminToken, nil)
	u, _, _ := strings.Cut(strings.TrimPrefix(r.header.Get("Link"), "<"), ">")
	_, cur, _ := strings.Cut(u, "cursor=")
	cur, _, _ = strings.Cut(cur, "&")
	e.must(422, "GET", "/api/v1/items?cursor="+cur, adminToken, nil)
}

func sameSet(a, b []uint64) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
