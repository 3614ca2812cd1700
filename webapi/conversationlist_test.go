package webapi_test

import (
	"encoding/base64"
	"slices"
	"strings"
	"testing"
)

type rowT struct {
	ID            uint64
	Kind          string
	Subject       string
	Status        string
	ItemTitle     string   `json:"item_title"`
	Assignees     []uint64 `json:"assignees"`
	AssigneeNames []string `json:"assignee_names"`
	Followers     []uint64 `json:"followers"`
	Customers     []struct {
		ID          uint64
		Email, Name string
	}
	LastMessage *struct {
		Snippet string
		Author  struct{ Type, Email, Name string }
	} `json:"last_message"`
}

func (e *env) rows(path, token string) []rowT {
	var out []rowT
	e.must(200, "GET", path, token, nil).decode(e.t, &out)
	return out
}

func idsOf(rows []rowT) []uint64 {
	out := []uint64{}
	for _, r := range rows {
		out = append(out, r.ID)
	}
	return out
}

// A list row carries the customer, the newest message's snippet, the
// item's status and assignees; status and assignee filter it.
func TestConversationRowsAndFilters(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	long := strings.Repeat("word ", 60)
	e.must(201, "POST", pathf("/api/v1/conversations/%d/messages", f.external), f.custTok, map[string]string{"body": "Hello,\n\n  it is   " + long})
	rows := e.rows("/api/v1/conversations?tab=from_customers", adminToken)
	if len(rows) != 1 || rows[0].ID != f.external {
		t.Fatalf("rows %+v", rows)
	}
	r := rows[0]
	if r.Status != "open" || r.ItemTitle != "Printer on fire" || len(r.Customers) != 1 || r.Customers[0].Email != "carol@example.com" || r.Customers[0].Name != "Carol" {
		t.Errorf("row %+v", r)
	}
	if r.LastMessage == nil || !strings.HasPrefix(r.LastMessage.Snippet, "Hello, it is word word") || !strings.HasSuffix(r.LastMessage.Snippet, "…") ||
		len([]rune(r.LastMessage.Snippet)) > 161 || r.LastMessage.Author.Type != "customer" {
		t.Errorf("last message %+v", r.LastMessage)
	}
	if got := e.rows(pathf("/api/v1/conversations?assignee=none&item_id=%d", f.item), adminToken); len(got) != 2 {
		t.Errorf("unassigned: %v", idsOf(got))
	}
	e.must(200, "PUT", pathf("/api/v1/items/%d/assignees", f.item), adminToken, map[string]any{"user_ids": []uint64{f.agentID}})
	if got := idsOf(e.rows("/api/v1/conversations?assignee=me", f.agentTok)); !slices.Equal(got, []uint64{f.internal, f.external}) && !slices.Equal(got, []uint64{f.external, f.internal}) {
		t.Errorf("assigned to me: %v", got)
	}
	// An agent may not list users, but sees the assignees' names.
	if got := e.rows("/api/v1/conversations?assignee=me", f.agentTok); len(got) == 0 || !slices.Equal(got[0].AssigneeNames, []string{"Agnes Agent"}) {
		t.Errorf("assignee names for the agent: %+v", got)
	}
	if got := e.rows("/api/v1/conversations?assignee=me", adminToken); len(got) != 0 {
		t.Errorf("assigned to the admin: %v", idsOf(got))
	}
	if got := e.rows(pathf("/api/v1/conversations?assignee=%d", f.agentID), adminToken); len(got) != 2 || !slices.Equal(got[0].Assignees, []uint64{f.agentID}) {
		t.Errorf("assigned to the agent, by id: %+v", got)
	}
	e.must(200, "PUT", pathf("/api/v1/items/%d", f.item), adminToken, map[string]string{"status": "closed"})
	if got := e.rows("/api/v1/conversations?status=open", adminToken); len(got) != 0 {
		t.Errorf("open after closing: %v", idsOf(got))
	}
	if got := e.rows("/api/v1/conversations?status=closed&tab=internal", adminToken); !slices.Equal(idsOf(got), []uint64{f.internal}) {
		t.Errorf("closed internal: %v", idsOf(got))
	}
	var one rowT
	e.must(200, "GET", pathf("/api/v1/conversations/%d", f.external), adminToken, nil).decode(t, &one)
	if one.Status != "closed" || one.LastMessage == nil {
		t.Errorf("one conversation: %+v", one)
	}
	// A customer sees no assignees, and cannot filter by them.
	cust := e.rows("/api/v1/conversations", f.custTok)
	if len(cust) != 1 || len(cust[0].Assignees) != 0 {
		t.Errorf("customer's rows %+v", cust)
	}
	if got := e.rows("/api/v1/conversations?assignee="+pathf("%d", f.agentID), f.custTok); len(got) != 0 {
		t.Errorf("a customer filtering by assignee finds %v", idsOf(got))
	}
	for _, bad := range []string{"status=Closed!", "assignee=someone", "item_id=x", "customer_id=0", "q=" + strings.Repeat("a", 201)} {
		if r := e.do("GET", "/api/v1/conversations?"+bad, adminToken, nil); r.status != 422 && r.status != 400 {
			t.Errorf("%s: %d", bad, r.status)
		}
	}
}

// Search finds a conversation by a word of a message, of its subject or
// of its customer's address, only among what the caller may see: a
// customer never finds an internal note.
func TestSearchConversations(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	e.must(201, "POST", pathf("/api/v1/conversations/%d/messages", f.external), f.custTok, map[string]string{"body": "The toner smells of burnt toast"})
	e.must(201, "POST", pathf("/api/v1/conversations/%d/messages", f.internal), adminToken, map[string]string{"body": "secret zebra plan"})
	for _, c := range []struct {
		q, token string
		want     []uint64
	}{
		{"burnt", adminToken, []uint64{f.external}},
		{"TOAST ton", adminToken, []uint64{f.external}},
		{"zebra", adminToken, []uint64{f.internal}},
		{"zebra", f.custTok, []uint64{}},
		{"printer", adminToken, []uint64{f.external}}, // subject "Your printer"
		{"carol", adminToken, []uint64{f.external}},   // the customer's address
		{"example.com", adminToken, []uint64{f.external}},
		{"burnt zebra", adminToken, []uint64{}},
		{"nothing-like-it", adminToken, []uint64{}},
		{"?!", adminToken, []uint64{}},
		{"burnt", f.custTok, []uint64{f.external}},
	} {
		if got := idsOf(e.rows("/api/v1/conversations?status=&q="+strings.ReplaceAll(c.q, " ", "+"), c.token)); !slices.Equal(got, c.want) {
			t.Errorf("search %q: %v, want %v", c.q, got, c.want)
		}
	}
}

// A reply can carry files: they are stored with the message, its email
// carries them, and the file comes back byte for byte.
func TestPostMessageWithAttachments(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	data := []byte("line one\nline two\x00\xff")
	var m struct {
		ID          uint64
		Attachments []struct {
			ID          uint64
			Filename    string
			ContentType string `json:"content_type"`
			Size        int
		}
	}
	e.must(201, "POST", pathf("/api/v1/conversations/%d/messages", f.external), f.agentTok, map[string]any{"body": "see attached",
		"attachments": []map[string]string{{"filename": "../../etc/notes.txt", "content_type": "text/plain; charset=utf-8", "content": base64.StdEncoding.EncodeToString(data)},
			{"filename": "b.bin", "content_type": "not a type", "content": ""}}}).decode(t, &m)
	if len(m.Attachments) != 2 || m.Attachments[0].Filename != "notes.txt" || m.Attachments[0].ContentType != "text/plain" || m.Attachments[0].Size != len(data) ||
		m.Attachments[1].ContentType != "application/octet-stream" {
		t.Fatalf("attachments %+v", m.Attachments)
	}
	got := e.do("GET", pathf("/api/v1/messages/%d/attachments/%d", m.ID, m.Attachments[0].ID), f.custTok, nil)
	if got.status != 200 || string(got.body) != string(data) {
		t.Errorf("download: %d %q", got.status, got.body)
	}
	for _, bad := range []any{
		[]map[string]string{{"filename": "", "content": ""}},
		[]map[string]string{{"filename": "a\nb", "content": ""}},
		[]map[string]string{{"filename": "x", "content": "!!not base64"}},
		slices.Repeat([]map[string]string{{"filename": "x", "content": ""}}, 11),
	} {
		if r := e.do("POST", pathf("/api/v1/conversations/%d/messages", f.external), f.agentTok, map[string]any{"body": "x", "attachments": bad}); r.status != 422 && r.status != 400 {
			t.Errorf("attachments %v: %d", bad, r.status)
		}
	}
}

// Unfollowing undoes following; starting a conversation with a new
// customer creates the customer, the conversation (followed by its
// starter) and its first message, which the customer is to get.
func TestUnfollowAndStartConversation(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	e.must(204, "POST", pathf("/api/v1/conversations/%d/followers", f.external), f.agentTok, map[string]any{"user_id": f.agentID})
	e.must(204, "DELETE", pathf("/api/v1/conversations/%d/followers/%d", f.external, f.agentID), f.agentTok, nil)
	var one rowT
	e.must(200, "GET", pathf("/api/v1/conversations/%d", f.external), adminToken, nil).decode(t, &one)
	if slices.Contains(one.Followers, f.agentID) {
		t.Errorf("still following: %v", one.Followers)
	}
	e.must(204, "DELETE", pathf("/api/v1/conversations/%d/followers/%d", f.external, f.agentID), f.agentTok, nil) // not following: fine
	if r := e.do("DELETE", pathf("/api/v1/conversations/%d/followers/1", f.external), f.agentTok, nil); r.status != 403 && r.status != 404 {
		t.Errorf("an agent unfollowing for the admin: %d", r.status)
	}

	var started rowT
	e.must(201, "POST", "/api/v1/conversations/start", f.agentTok, map[string]string{"customer_email": "dora@example.org", "customer_name": "Dora", "subject": "Your order", "body": "It shipped today."}).decode(t, &started)
	if started.Kind != "external" || started.Subject != "Your order" || len(started.Customers) != 1 || started.Customers[0].Email != "dora@example.org" ||
		!slices.Contains(started.Followers, f.agentID) || started.LastMessage == nil || started.LastMessage.Snippet != "It shipped today." {
		t.Fatalf("started %+v", started)
	}
	// An existing customer is reused.
	var again rowT
	e.must(201, "POST", "/api/v1/conversations/start", f.agentTok, map[string]string{"customer_email": "carol@example.com", "subject": "Follow-up", "body": "Anything else?"}).decode(t, &again)
	if len(again.Customers) != 1 || again.Customers[0].ID != f.custID {
		t.Errorf("existing customer: %+v", again.Customers)
	}
	for _, bad := range []map[string]string{
		{"customer_email": "not an address", "subject": "s", "body": "b"},
		{"customer_email": "agent@support.test", "subject": "s", "body": "b"},
		{"customer_email": "x@example.org", "subject": "", "body": "b"},
		{"customer_email": "x@example.org", "subject": "s", "body": " "},
	} {
		if r := e.do("POST", "/api/v1/conversations/start", f.agentTok, bad); r.status != 422 {
			t.Errorf("%v: %d", bad, r.status)
		}
	}
	if r := e.do("POST", "/api/v1/conversations/start", f.custTok, map[string]string{"customer_email": "x@example.org", "subject": "s", "body": "b"}); r.status != 403 && r.status != 404 {
		t.Errorf("a customer starting a conversation: %d", r.status)
	}
}
