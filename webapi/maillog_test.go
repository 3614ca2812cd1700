package webapi_test

import (
	"context"
	"strings"
	"testing"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/internal/dnstest"
	"github.com/deskgate/deskgate/senderauth"
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
		if _, err := e.svc.Inbound.Receive(ctx, bridge.Envelope{From: "carol@example.com", To: []string{"support@support.test"}}, []byte(raw)); err != nil {
			t.Fatal(err)
		}
	}
	e.svc.Inbound.LogRejection(ctx, bridge.Envelope{From: "x@example.com", To: []string{"nobody@support.test"}}, "RCPT TO <nobody@support.test>: 550 5.1.1 no such user")

	var all []map[string]any
	e.must(200, "GET", "/api/v1/maillog?direction=inbound", adminToken, nil).decode(t, &all)
	if len(all) != 4 || all[0]["status"] != "rejected" || all[1]["subject"] != "third" || all[3]["subject"] != "first" {
		t.Fatalf("mail log %v", all)
	}
	first := all[3]
	if first["status"] != "created" || first["detail"] != "new conversation" || first["from"] != "carol@example.com" ||
		first["email_message_id"] != "m1@example.com" || first["conversation_id"].(float64) == 0 || first["message_id"].(float64) == 0 {
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

// An inbound mail's sender checks are in its mail log entry (auth) and a
// From that fails DMARC makes an unverified message; both validate
// against the OpenAPI document.
func TestMailLogAuthAndUnverified(t *testing.T) {
	e := newEnv(t)
	e.fixture()
	dns := dnstest.Start(t)
	dns.Add(t, `customer.example. 300 IN TXT "v=spf1 ip4:192.0.2.6 -all"`, `_dmarc.customer.example. 300 IN TXT "v=DMARC1; p=none"`)
	res, err := senderauth.NewResolver(senderauth.ResolverOptions{Server: dns.Addr})
	if err != nil {
		t.Fatal(err)
	}
	e.svc.Inbound.SetInbound(bridge.InboundConfig{Auth: senderauth.New(res, senderauth.Options{})})
	ctx := context.Background()
	for i, ip := range []string{"192.0.2.6", "192.0.2.9"} {
		raw := "From: Carol <carol@customer.example>\r\nTo: support@support.test\r\nSubject: s" + string(rune('1'+i)) +
			"\r\nMessage-ID: <a" + string(rune('1'+i)) + "@customer.example>\r\n\r\nhello\r\n"
		env := bridge.Envelope{From: "carol@customer.example", To: []string{"support@support.test"}, RemoteAddr: ip + ":2525", Helo: "mx.customer.example"}
		if _, err := e.svc.Inbound.Receive(ctx, env, []byte(raw)); err != nil {
			t.Fatal(err)
		}
	}
	var log []map[string]any
	e.must(200, "GET", "/api/v1/maillog?direction=inbound", adminToken, nil).decode(t, &log)
	if len(log) != 2 {
		t.Fatalf("mail log %v", log)
	}
	forged, real := log[0], log[1]
	if a, _ := real["auth"].(map[string]any); a["spf"] != "pass" || a["dmarc"] != "pass" || a["dkim"] != "none" || a["arc"] != "none" {
		t.Fatalf("auth of the real mail: %v", real["auth"])
	}
	if a, _ := forged["auth"].(map[string]any); a["spf"] != "fail" || a["dmarc"] != "fail" {
		t.Fatalf("auth of the forged mail: %v", forged["auth"])
	}
	for _, c := range []struct {
		entry      map[string]any
		unverified bool
	}{{real, false}, {forged, true}} {
		var ms []map[string]any
		e.must(200, "GET", pathf("/api/v1/conversations/%d/messages", uint64(c.entry["conversation_id"].(float64))), adminToken, nil).decode(t, &ms)
		if len(ms) != 1 || ms[0]["unverified"] != c.unverified {
			t.Fatalf("messages of %v: %v", c.entry["subject"], ms)
		}
	}
}
