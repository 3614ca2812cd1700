package webapi_test

import (
	"testing"
)

// A user whose show_from_customers is off has customers' conversations out
// of every list (tab=all too), the notification list and the unseen
// counts; they still open one by its id (SPEC §4; issue 19, item 4).
func TestShowFromCustomersOffHidesCustomerConversations(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	e.must(204, "POST", pathf("/api/v1/conversations/%d/followers", f.external), f.agentTok, map[string]any{"user_id": f.agentID})
	e.must(204, "POST", pathf("/api/v1/conversations/%d/followers", f.internal), f.agentTok, map[string]any{"user_id": f.agentID})
	e.post(f.external, f.custTok, "My printer is on fire")
	e.post(f.internal, adminToken, "Who has the extinguisher?")
	list := func(tab string) []uint64 {
		t.Helper()
		var cs []struct{ ID uint64 }
		e.must(200, "GET", "/api/v1/conversations?tab="+tab, f.agentTok, nil).decode(t, &cs)
		var ids []uint64
		for _, c := range cs {
			ids = append(ids, c.ID)
		}
		return ids
	}
	if all := list("all"); len(all) != 2 {
		t.Fatalf("before: tab=all %v", all)
	}
	if u := e.unseen(f.agentTok); u.Total != 2 || len(u.Conversations) != 2 {
		t.Fatalf("before: unseen %+v", u)
	}

	e.setSettings(f.agentID, map[string]any{"show_from_customers": false})
	if all := list("all"); len(all) != 1 || all[0] != f.internal {
		t.Fatalf("tab=all shows %v, want only the internal conversation %d", all, f.internal)
	}
	if fc := list("from_customers"); len(fc) != 0 {
		t.Fatalf("tab=from_customers shows %v", fc)
	}
	if in := list("internal"); len(in) != 1 || in[0] != f.internal {
		t.Fatalf("tab=internal shows %v", in)
	}
	if u := e.unseen(f.agentTok); u.Total != 1 || len(u.Conversations) != 1 || u.Conversations[0].ConversationID != f.internal {
		t.Fatalf("unseen counts %+v", u)
	}
	if ns := e.notifications(f.agentTok, ""); len(ns) != 1 || ns[0].ConversationID != f.internal {
		t.Fatalf("notifications %+v", ns)
	}
	// New customer messages do not reach them either, and the conversation
	// still opens by id.
	e.post(f.external, f.custTok, "Hello?")
	if u := e.unseen(f.agentTok); u.Total != 1 {
		t.Fatalf("unseen after a new customer message %+v", u)
	}
	e.must(200, "GET", pathf("/api/v1/conversations/%d", f.external), f.agentTok, nil)
	e.must(200, "GET", pathf("/api/v1/conversations/%d/messages", f.external), f.agentTok, nil)
	// The admin's own lists are not changed by the agent's setting.
	var cs []struct{ ID uint64 }
	e.must(200, "GET", "/api/v1/conversations?tab=all", adminToken, nil).decode(t, &cs)
	if len(cs) != 2 {
		t.Fatalf("admin's tab=all %+v", cs)
	}
	// Back on: everything shows again.
	e.setSettings(f.agentID, map[string]any{"show_from_customers": true})
	if all := list("all"); len(all) != 2 {
		t.Fatalf("after turning it back on: tab=all %v", all)
	}
	if u := e.unseen(f.agentTok); u.Total != 2 {
		t.Fatalf("after turning it back on: unseen %+v", u)
	}
}
