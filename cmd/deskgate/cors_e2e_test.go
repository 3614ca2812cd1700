package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// corsPage calls the API from another origin with a bearer token, as a
// helpdesk UI would: it lists conversations (reading the Link header of
// the next page), then renames a customer with PATCH (a preflighted
// request), and writes what happened into #out.
const corsPage = `<!doctype html><title>ui</title><pre id=out></pre><script>
const api = %q, tok = "e2e-admin", out = document.getElementById("out");
(async () => {
  try {
    const r = await fetch(api + "/api/v1/conversations?limit=1", {headers: {Authorization: "Bearer " + tok}});
    const list = await r.json();
    const p = await fetch(api + "/api/v1/customers/%d", {method: "PATCH",
      headers: {Authorization: "Bearer " + tok, "Content-Type": "application/json"}, body: JSON.stringify({name: "Renamed"})});
    out.textContent = "listed " + list.length + " " + list[0].subject + " link:" + (r.headers.get("Link") || "none").includes("cursor=") + " patch:" + p.status;
  } catch (e) {
    out.textContent = "blocked: " + e;
  }
  out.id = "done";
})();
</script>`

// serveOrigin serves page on host (a loopback address) and returns its origin.
func serveOrigin(t *testing.T, host string) (string, func(page string)) {
	t.Helper()
	ln, err := net.Listen("tcp", host+":0")
	if err != nil {
		t.Fatal(err)
	}
	var body string
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, body)
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String(), func(page string) { body = page }
}

// A page on a listed origin lists conversations and edits with a bearer
// token; the same page on another origin cannot read anything (SPEC §14).
func TestCORSFromBrowser(t *testing.T) {
	ctx := browser(t)
	allowed, setAllowed := serveOrigin(t, "127.0.0.2")
	other, setOther := serveOrigin(t, "127.0.0.3")
	p := startServe(t, t.TempDir(), "DESKGATE_CORS_ORIGINS=https://ui.example.com, "+allowed)
	cust := idOf(t, p.must(201, "POST", "/api/v1/customers", "e2e-admin", map[string]string{"email": "carol@example.org", "name": "Carol"}))
	proj := idOf(t, p.must(201, "POST", "/api/v1/projects", "e2e-admin", map[string]string{"name": "Support"}))
	item := idOf(t, p.must(201, "POST", "/api/v1/items", "e2e-admin", map[string]any{"project_id": proj, "title": "Printer"}))
	for _, s := range []string{"First", "Printer on fire"} {
		p.must(201, "POST", "/api/v1/conversations", "e2e-admin", map[string]any{"item_id": item, "kind": "external", "subject": s, "customer_ids": []uint64{cust}})
	}
	page := fmt.Sprintf(corsPage, p.http, cust)
	setAllowed(page)
	setOther(page)

	var got string
	text := func(t *testing.T, ctx context.Context, sel string) string {
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	browse(t, ctx, "the page on the listed origin",
		chromedp.Navigate(allowed+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#done`)))
	got = text(t, ctx, `#done`)
	if got != "listed 1 Printer on fire link:true patch:200" {
		t.Fatalf("from %s: %q", allowed, got)
	}
	if _, c := p.api("GET", fmt.Sprintf("/api/v1/customers/%d", cust), "e2e-admin", nil); c["name"] != "Renamed" {
		t.Fatalf("the PATCH from the listed origin did not land: %v", c)
	}
	p.must(200, "PATCH", fmt.Sprintf("/api/v1/customers/%d", cust), "e2e-admin", map[string]string{"name": "Carol"})

	browse(t, ctx, "the page on another origin",
		chromedp.Navigate(other+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#done`)))
	got = text(t, ctx, `#done`)
	if !strings.HasPrefix(got, "blocked:") {
		t.Fatalf("from the unlisted %s: %q", other, got)
	}
	if _, c := p.api("GET", fmt.Sprintf("/api/v1/customers/%d", cust), "e2e-admin", nil); c["name"] != "Carol" {
		t.Fatalf("the PATCH from the unlisted origin landed: %v", c)
	}
}
