package webapi_test

import (
	"net/http/httptest"
	"testing"

	"github.com/deskgate/deskgate/webapi"
	"github.com/prometheus/client_golang/prometheus"
)

// GET /metrics answers loopback clients (not through a proxy) and, with
// DESKGATE_METRICS_TOKEN set, others bearing it; nobody else (issue 20).
func TestMetricsOpenOnLoopbackOnly(t *testing.T) {
	e := newEnv(t)
	get := func(api *webapi.Server, remote, auth, xff string) int {
		req := httptest.NewRequest("GET", "/metrics", nil)
		req.RemoteAddr = remote
		if auth != "" {
			req.Header.Set("Authorization", "Bearer "+auth)
		}
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
		}
		rec := httptest.NewRecorder()
		api.Handler().ServeHTTP(rec, req)
		return rec.Code
	}
	open := webapi.New(domain(e.svc), webapi.Options{Registry: prometheus.NewRegistry()}, nil)
	withToken := webapi.New(domain(e.svc), webapi.Options{Registry: prometheus.NewRegistry(), MetricsToken: "m-secret"}, nil)
	for _, c := range []struct {
		name              string
		api               *webapi.Server
		remote, auth, xff string
		want              int
	}{
		{"loopback", open, "127.0.0.1:5000", "", "", 200},
		{"loopback IPv6", open, "[::1]:5000", "", "", 200},
		{"remote, no token set", open, "192.0.2.7:5000", "", "", 401},
		{"remote, no token set, a guess", open, "192.0.2.7:5000", "anything", "", 401},
		{"through a proxy on loopback", open, "127.0.0.1:5000", "", "192.0.2.7", 401},
		{"remote with the token", withToken, "192.0.2.7:5000", "m-secret", "", 200},
		{"remote with a wrong token", withToken, "192.0.2.7:5000", "m-secreT", "", 401},
		{"remote without the token", withToken, "192.0.2.7:5000", "", "", 401},
		{"loopback, token set", withToken, "127.0.0.1:5000", "", "", 200},
	} {
		if got := get(c.api, c.remote, c.auth, c.xff); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}
