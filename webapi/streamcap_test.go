package webapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/deskgate/deskgate/bridge"
)

// eventsStatus opens GET /me/events and returns the status; a stream that
// opened is closed again.
func (e *env) eventsStatus(ctx context.Context, token string) (int, string) {
	e.t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", e.srv.URL+"/api/v1/me/events", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct {
		Error struct{ Code string }
	}
	if res.StatusCode != 200 {
		_ = json.NewDecoder(res.Body).Decode(&body)
	}
	return res.StatusCode, body.Error.Code
}

// Event streams are capped in all (issue 20: one customer held 2,000 with
// 100 tokens): past the cap a new stream is refused 503 too_many_streams
// and nobody else's is closed; closing one makes room.
func TestEventStreamsAreCappedInAll(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	e.svc.Notifications.SetMaxStreams(4)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	custCtx, closeCust := context.WithCancel(ctx)
	held := []<-chan sse{e.openEvents(custCtx, f.custTok, ""), e.openEvents(ctx, f.custTok, ""),
		e.openEvents(ctx, f.agentTok, ""), e.openEvents(ctx, adminToken, "")}
	if st, code := e.eventsStatus(ctx, f.agentTok); st != 503 || code != "too_many_streams" {
		t.Fatalf("a stream past the cap: %d %s, want 503 too_many_streams", st, code)
	}
	m := e.post(f.external, f.agentTok, "to every stream")
	if ev := nextEvent(t, held[1]); ev.id != pathf("%d", m) {
		t.Fatalf("a held stream lost its event: %+v", ev)
	}
	closeCust()
	waitClosed(t, held[0], "the closed stream")
	var st int
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if st, _ = e.eventsStatus(ctx, f.agentTok); st == 200 {
			break // the server unregisters the stream once its handler returns
		}
	}
	if st != 200 {
		t.Fatalf("no room after a stream closed: %d", st)
	}
}

// One owner holds at most bridge.MaxStreamsPerOwner streams, over all its
// tokens: the next closes its oldest.
func TestEventStreamsPerOwnerAreCapped(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var toks []string
	for range 3 {
		var tok struct{ Token string }
		e.must(201, "POST", pathf("/api/v1/customers/%d/tokens", f.custID), f.custTok, nil).decode(t, &tok)
		toks = append(toks, tok.Token)
	}
	var streams []<-chan sse
	for i := range bridge.MaxStreamsPerOwner + 1 {
		streams = append(streams, e.openEvents(ctx, toks[i%3], "")) // under the per-token cap
	}
	waitClosed(t, streams[0], "the owner's oldest stream")
}
