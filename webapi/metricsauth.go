package webapi

import (
	"crypto/subtle"
	"net/http"
	"net/netip"

	"github.com/labstack/echo/v4"
)

// metricsAccess guards GET /metrics (issue 20): the metrics name
// addresses' counts, queue sizes and the process's state, nothing for
// strangers. Open to a client on loopback (a Prometheus or curl on the
// host) that did not come through a proxy; from anywhere else only with
// Options.MetricsToken as a bearer token (DESKGATE_METRICS_TOKEN), and
// never when no token is set.
func (s *Server) metricsAccess(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if tok := s.opts.MetricsToken; tok != "" {
			got := bearerToken(req.Header.Get(echo.HeaderAuthorization))
			if subtle.ConstantTimeCompare([]byte(got), []byte(tok)) == 1 {
				return next(c)
			}
		}
		if directLoopback(req) {
			return next(c)
		}
		return &apiError{status: http.StatusUnauthorized, code: "unauthorized",
			message: "/metrics answers loopback clients, and others with the bearer token of DESKGATE_METRICS_TOKEN"}
	}
}

// directLoopback reports whether the request's peer is a loopback address
// and it carries no forwarding header (a reverse proxy on the same host
// connects from loopback on behalf of anyone).
func directLoopback(req *http.Request) bool {
	for _, h := range []string{"X-Forwarded-For", "Forwarded", "X-Real-Ip"} {
		if req.Header.Get(h) != "" {
			return false
		}
	}
	ap, err := netip.ParseAddrPort(req.RemoteAddr)
	return err == nil && ap.Addr().Unmap().IsLoopback()
}
