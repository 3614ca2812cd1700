package webapi_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
)

type tokenInfo struct {
	ID         string     `json:"id"`
	CreatedAt  *time.Time `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	Current    bool       `json:"current"`
}

func (e *env) tokens(path, token string) []tokenInfo {
	e.t.Helper()
	var ts []tokenInfo
	r := e.must(200, "GET", path, token, nil)
	if strings.Contains(string(r.body), "dg_") {
		e.t.Fatalf("a token list shows a secret: %s", r.body)
	}
	r.decode(e.t, &ts)
	return ts
}

// waitClosed fails unless the event stream ends within the deadline.
func waitClosed(t *testing.T, ch <-chan sse, what string) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-deadline:
			t.Fatalf("%s: event stream still open after 30 s", what)
		}
	}
}

// Tokens are listed (never the secret) and revoked by whoever may issue
// them; a revoked token is refused at once, and its open event streams
// end. Before: neither route existed and a leaked token stayed good.
func TestTokensListAndRevoke(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	var tok struct{ Token string }
	e.must(201, "POST", pathf("/api/v1/users/%d/tokens", f.agentID), f.agentTok, nil).decode(t, &tok)
	spare := tok.Token
	list := pathf("/api/v1/users/%d/tokens", f.agentID)
	ts := e.tokens(list, f.agentTok)
	if len(ts) != 2 {
		t.Fatalf("tokens %+v", ts)
	}
	var mine, other tokenInfo
	for _, x := range ts {
		if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(x.ID) || x.CreatedAt == nil {
			t.Fatalf("token %+v", x)
		}
		if x.Current {
			mine = x
		} else {
			other = x
		}
	}
	if mine.ID == "" || mine.LastUsedAt == nil || other.LastUsedAt != nil {
		t.Fatalf("current/last used: %+v", ts)
	}
	// Who may see whom.
	e.must(403, "GET", "/api/v1/users/1/tokens", f.agentTok, nil)
	e.must(404, "GET", list, f.custTok, nil)
	e.must(404, "GET", "/api/v1/users/999/tokens", adminToken, nil)
	cts := e.tokens(pathf("/api/v1/customers/%d/tokens", f.custID), f.custTok)
	if len(cts) != 1 || !cts[0].Current {
		t.Fatalf("customer tokens %+v", cts)
	}
	e.must(403, "DELETE", pathf("/api/v1/customers/%d/tokens/%s", f.custID, cts[0].ID), f.agentTok, nil)
	e.must(404, "DELETE", pathf("/api/v1/users/%d/tokens/%s", f.agentID, mine.ID), f.custTok, nil)
	e.must(404, "DELETE", pathf("/api/v1/users/1/tokens/%s", mine.ID), adminToken, nil) // not the admin's
	e.must(404, "DELETE", pathf("/api/v1/users/%d/tokens/nothex", f.agentID), adminToken, nil)

	// Revoking ends an open stream and the very next request.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	events := e.openEvents(ctx, f.agentTok, "")
	e.must(204, "DELETE", pathf("/api/v1/users/%d/tokens/%s", f.agentID, mine.ID), adminToken, nil)
	waitClosed(t, events, "revoked token")
	if code := e.must(401, "GET", "/api/v1/me", f.agentTok, nil).errCode(t); code != "unauthorized" {
		t.Fatalf("code %q", code)
	}
	e.must(404, "DELETE", pathf("/api/v1/users/%d/tokens/%s", f.agentID, mine.ID), adminToken, nil)
	e.must(200, "GET", "/api/v1/me", spare, nil) // the other token still works
	if ts := e.tokens(list, spare); len(ts) != 1 || ts[0].ID != other.ID || !ts[0].Current || ts[0].LastUsedAt == nil {
		t.Fatalf("after revoking: %+v", ts)
	}
	// An owner revokes its own token.
	e.must(204, "DELETE", pathf("/api/v1/customers/%d/tokens/%s", f.custID, cts[0].ID), f.custTok, nil)
	e.must(401, "GET", "/api/v1/me", f.custTok, nil)
}

// One token holds at most 20 open event streams: the 21st ends the oldest,
// the others keep receiving. Before: no cap.
func TestEventStreamsPerTokenAreCapped(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var streams []<-chan sse
	for i := 0; i < 21; i++ {
		streams = append(streams, e.openEvents(ctx, f.custTok, ""))
	}
	waitClosed(t, streams[0], "the oldest stream")
	m := e.post(f.external, f.agentTok, "to every stream")
	for i, s := range streams[1:] {
		if ev := nextEvent(t, s); ev.id != pathf("%d", m) {
			t.Fatalf("stream %d: %+v", i+1, ev)
		}
	}
}

// A token may mint tokens for its own owner, but an owner holds at most
// bridge.MaxTokensPerOwner at once: the next is refused 422
// too_many_tokens, and revoking one makes room again. Before: a customer's
// token could mint tokens without end.
func TestTokensPerOwnerAreCapped(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	path := pathf("/api/v1/customers/%d/tokens", f.custID)
	for len(e.tokens(path, f.custTok)) < bridge.MaxTokensPerOwner {
		e.must(201, "POST", path, f.custTok, nil)
	}
	r := e.must(422, "POST", path, f.custTok, nil)
	if code := r.errCode(t); code != "too_many_tokens" {
		t.Fatalf("code %q, body %s", code, r.body)
	}
	ts := e.tokens(path, f.custTok)
	var spare string
	for _, x := range ts {
		if !x.Current {
			spare = x.ID
			break
		}
	}
	e.must(204, "DELETE", path+"/"+spare, f.custTok, nil)
	e.must(201, "POST", path, f.custTok, nil)
}
