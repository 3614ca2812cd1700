package webapi_test

import (
	"context"
	"testing"

	"github.com/deskgate/deskgate/bridge"
)

// GET /maillog/{id}/text decodes the logged message: RFC 2047 headers and
// a quoted-printable body with a soft-wrapped link read whole (admins only).
func TestMailLogText(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	ctx := context.Background()
	raw := "From: =?utf-8?q?Jos=C3=A9?= <jose@example.com>\r\nTo: support@support.test\r\nSubject: =?utf-8?q?Caf=C3=A9_link?=\r\n" +
		"Message-ID: <qp1@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
		"Open https://desk.test/reset-password?token=3Dabcdefghijklmnopqrstuvwxyz0123456789abcdefghijklm=\r\nnopqrstuvwxyz please, caf=C3=A9.\r\n"
	if _, err := e.svc.Inbound.Receive(ctx, bridge.Envelope{From: "jose@example.com", To: []string{"support@support.test"}}, []byte(raw)); err != nil {
		t.Fatal(err)
	}
	var all []map[string]any
	e.must(200, "GET", "/api/v1/maillog?direction=inbound", adminToken, nil).decode(t, &all)
	id := uint64(all[0]["id"].(float64))
	var v map[string]any
	e.must(200, "GET", pathf("/api/v1/maillog/%d/text", id), adminToken, nil).decode(t, &v)
	want := "Open https://desk.test/reset-password?token=abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz please, café.\n"
	if v["text"] != want || v["subject"] != "Café link" || v["from"] != "José <jose@example.com>" ||
		v["message_id"] != "qp1@example.com" || v["has_html"] != false {
		t.Fatalf("text view %v", v)
	}
	if to, _ := v["to"].([]any); len(to) != 1 || to[0] != "support@support.test" {
		t.Fatalf("to %v", v["to"])
	}
	e.must(403, "GET", pathf("/api/v1/maillog/%d/text", id), f.agentTok, nil)
	e.must(404, "GET", "/api/v1/maillog/999/text", adminToken, nil)
}
