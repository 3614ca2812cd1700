package webapi_test

import (
	"context"
	"strings"
	"testing"

	"github.com/deskgate/deskgate/bridge"
)

// GET /maillog lists inbound mail newest first with paging, admins only;
// GET /maillog/{id}/raw downloads the raw message.
func TestMailLogAPI(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	ctx := context.Background()
	for i, subj := range []string{"first", "second", "third"} {
		raw := "From: Carol <carol@example.com>\r\nTo: support@support.test\r\nSubject: " + subj +
			"\r\nMessage-ID: <m" + string(rune('1'+i)) + "@example.com>\r\n\r\nhello " + subj + "\r\n"
		if _, err := e.svc.Receive(ctx, bridge.Envelope{From: "carol@example.com", To: []string{"support@support.test"}}, []byte(raw)); err != nil {
			t.Fatal(err)
		}
	}
	e.svc.LogRejection(ctx, bridge.Envelope{From: "x@example.com", To: []string{"nobody@support.test"}}, "RCPT TO <nobody@support.test>: 550 5.1.1 no such user")

	var all []map[string]any
	e.must(200, "GET", "/api/v1/maillog?direction=inbound", adminToken, nil).decode(t, &all)
	if len(all) != 4 || all[0]["status"] != "rejected" || all[1]["subject"] != "third" || all[3]["subject"] != "first" {
		t.Fatalf("mail log %v", all)
	}
	first := all[3]
	if first["status"] != "created" || first["detail"] != "new conversation" || first["from"] != "carol@example.com" ||
		first["message_id"] != "m1@example.com" || first["conversation_id"].(float64) == 0 || first["message_id_internal"].(float64) == 0 {
		t.Fatalf("entry %v", first)
	}
	var page []map[string]any
	e.must(200, "GET", pathf("/api/v1/maillog?limit=2&before=%d", uint64(all[1]["id"].(float64))), adminToken, nil).decode(t, &page)
	if len(page) != 2 || page[0]["subject"] != "second" || page[1]["subject"] != "first" {
		t.Fatalf("page %v", page)
	}
	var out []map[string]any
	e.must(200, "GET", "/api/v1/maillog?direction=outbound", adminToken, nil).decode(t, &out)
	if len(out) != 0 {
		t.Fatalf("outbound %v", out)
	}

	r := e.must(200, "GET", pathf("/api/v1/maillog/%d/raw", uint64(first["id"].(float64))), adminToken, nil)
	if r.header.Get("Content-Type") != "message/rfc822" || !strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment") ||
		!strings.Contains(string(r.body), "Subject: first") {
		t.Fatalf("raw: %v %q", r.header, r.body)
	}
	if c := e.must(404, "GET", pathf("/api/v1/maillog/%d/raw", uint64(all[0]["id"].(float64))), adminToken, nil).errCode(t); c != "not_found" {
		t.Fatalf("raw of a rejection: %s", c)
	}
	e.must(404, "GET", "/api/v1/maillog/999/raw", adminToken, nil)
	e.must(403, "GET", "/api/v1/maillog", f.agentTok, nil)
	e.must(403, "GET", pathf("/api/v1/maillog/%d/raw", uint64(first["id"].(float64))), f.agentTok, nil)
	e.must(404, "GET", "/api/v1/maillog", f.custTok, nil)
	e.must(401, "GET", "/api/v1/maillog", "", nil)
	e.must(422, "GET", "/api/v1/maillog?direction=sideways", adminToken, nil)
	e.must(422, "GET", "/api/v1/maillog?limit=0", adminToken, nil)
	e.must(422, "GET", "/api/v1/maillog?limit=9999", adminToken, nil)
	e.must(422, "GET", "/api/v1/maillog?before=x", adminToken, nil)
}
