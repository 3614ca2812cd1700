package webapi

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// CORS (SPEC §14, the Fetch standard's CORS protocol): a browser UI on one
// of Options.CORSOrigins (DESKGATE_CORS_ORIGINS) may call /api/v1 with a
// bearer token. Origins are matched exactly, never by pattern; only a
// listed origin is echoed in Access-Control-Allow-Origin, and never "*".
// No credentials mode: the API authenticates by the Authorization header,
// not by cookies, so a page must hold a token to do anything.

var (
	corsMethods = strings.Join([]string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}, ", ")
	corsHeaders = "Authorization, Content-Type, Last-Event-ID"
	// corsExpose are the answer headers a page may read: paging, rate
	// limits, the challenge of a 401.
	corsExpose = "Link, Retry-After, WWW-Authenticate"
)

// cors answers preflights for the listed origins and marks their answers
// readable; it is installed before routing (a preflight is an OPTIONS
// request no route has).
func cors(origins []string) echo.MiddlewareFunc {
	allowed := make(map[string]bool, len(origins))
	for _, o := range origins {
		allowed[o] = true
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if !strings.HasPrefix(req.URL.Path, "/api/v1/") {
				return next(c)
			}
			h := c.Response().Header()
			h.Add(echo.HeaderVary, echo.HeaderOrigin)
			origin := req.Header.Get(echo.HeaderOrigin)
			ok := origin != "" && allowed[origin]
			preflight := req.Method == http.MethodOptions && req.Header.Get(echo.HeaderAccessControlRequestMethod) != ""
			if preflight {
				h.Add(echo.HeaderVary, echo.HeaderAccessControlRequestMethod)
				h.Add(echo.HeaderVary, echo.HeaderAccessControlRequestHeaders)
				if !ok {
					// No Allow-Origin: the browser refuses the real request.
					return c.NoContent(http.StatusNoContent)
				}
				h.Set(echo.HeaderAccessControlAllowOrigin, origin)
				h.Set(echo.HeaderAccessControlAllowMethods, corsMethods)
				h.Set(echo.HeaderAccessControlAllowHeaders, corsHeaders)
				h.Set(echo.HeaderAccessControlMaxAge, "600")
				return c.NoContent(http.StatusNoContent)
			}
			if ok {
				h.Set(echo.HeaderAccessControlAllowOrigin, origin)
				h.Set(echo.HeaderAccessControlExposeHeaders, corsExpose)
			}
			return next(c)
		}
	}
}
