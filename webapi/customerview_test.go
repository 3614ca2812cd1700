package webapi_test

import "testing"

// A customer token sees who wrote (names), not staff mailboxes, internal
// followers or other customers; staff see everything.
func TestCustomerViewHidesStaffAddressesAndFollowers(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	e.must(204, "POST", pathf("/api/v1/conversations/%d/followers", f.external), adminToken, map[string]any{"user_id": f.agentID})
	e.must(201, "POST", pathf("/api/v1/conversations/%d/messages", f.external), f.agentTok, map[string]string{"body": "On it."})
	e.must(201, "POST", pathf("/api/v1/conversations/%d/messages", f.external), f.custTok, map[string]string{"body": "Thanks."})

	type author struct{ Type, Email, Name string }
	var msgs []struct{ Author author }
	e.must(200, "GET", pathf("/api/v1/conversations/%d/messages", f.external), f.custTok, nil).decode(t, &msgs)
	if len(msgs) != 2 || msgs[0].Author.Email != "" || msgs[0].Author.Name == "" || msgs[1].Author.Email == "" {
		t.Fatalf("customer's view of the messages: %+v", msgs)
	}
	var conv struct {
		Followers   []uint64
		CustomerIDs []uint64 `json:"customer_ids"`
	}
	e.must(200, "GET", pathf("/api/v1/conversations/%d", f.external), f.custTok, nil).decode(t, &conv)
	if len(conv.Followers) != 0 || len(conv.CustomerIDs) != 1 || conv.CustomerIDs[0] != f.custID {
		t.Fatalf("customer's view of the conversation: %+v", conv)
	}
	var list []struct{ Followers []uint64 }
	e.must(200, "GET", "/api/v1/conversations", f.custTok, nil).decode(t, &list)
	if len(list) != 1 || len(list[0].Followers) != 0 {
		t.Fatalf("customer's conversation list: %+v", list)
	}

	msgs = nil
	e.must(200, "GET", pathf("/api/v1/conversations/%d/messages", f.external), f.agentTok, nil).decode(t, &msgs)
	if msgs[0].Author.Email != "agent@support.test" {
		t.Fatalf("staff's view lost the author's address: %+v", msgs[0])
	}
	e.must(200, "GET", pathf("/api/v1/conversations/%d", f.external), adminToken, nil).decode(t, &conv)
	if len(conv.Followers) != 1 || conv.Followers[0] != f.agentID {
		t.Fatalf("staff's view of the followers: %+v", conv)
	}
}
