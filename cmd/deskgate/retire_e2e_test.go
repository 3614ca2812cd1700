package main

import (
	"fmt"
	"testing"

	"github.com/deskgate/deskgate/store/pgstore/pgtest"
)

// A user retired on one node is refused by the other at once (SPEC §14:
// sessions and tokens end on every node).
func TestRetiredUserRefusedOnEveryNode(t *testing.T) {
	url := pgtest.NewSchema(t)
	env := func(name string) []string {
		return []string{"DESKGATE_DATABASE_URL=" + url, "DESKGATE_NODE_NAME=" + name}
	}
	a := startServe(t, t.TempDir(), env("node-a")...)
	b := startServe(t, t.TempDir(), env("node-b")...)
	agent := idOf(t, a.must(201, "POST", "/api/v1/users", "e2e-admin", map[string]string{"email": "agnes@example.com", "name": "Agnes", "role": "agent"}))
	tok := a.must(201, "POST", fmt.Sprintf("/api/v1/users/%d/tokens", agent), "e2e-admin", nil)["token"].(string)
	b.must(200, "GET", "/api/v1/me", tok, nil)
	a.must(204, "DELETE", fmt.Sprintf("/api/v1/users/%d", agent), "e2e-admin", nil)
	for _, p := range []*proc{b, a} {
		if st, _ := p.api("GET", "/api/v1/me", tok, nil); st != 401 {
			t.Fatalf("the retired user's token answers %d on a node", st)
		}
	}
	if _, u := b.api("GET", fmt.Sprintf("/api/v1/users/%d", agent), "e2e-admin", nil); u["retired_at"] == nil {
		t.Fatalf("node b shows %v", u)
	}
}
