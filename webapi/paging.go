package webapi

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/deskgate/deskgate/bridge"
	"github.com/labstack/echo/v4"
)

// Paging (SPEC §14): every list answers at most `limit` entries (1–500,
// default 100) and, when there are more, a `Link: <URL>; rel="next"`
// header (RFC 8288) whose URL repeats the request with an opaque `cursor`.
// A cursor names the last entry given, never a position, so entries added
// meanwhile neither repeat nor push one out: lists by id continue after
// that id; the conversation list carries the time it was first read (see
// bridge.ConversationCursor).

const (
	defaultPageLimit = 100
	maxPageLimit     = 500
)

// page is the paging of one list request.
type page struct {
	limit  int
	cursor string // decoded payload, "" on the first page
	list   string
}

// pageOf reads limit and cursor for the list named list. A cursor of
// another list, or one that was tampered with, is a 400.
func pageOf(c echo.Context, list string) (page, error) {
	p := page{limit: defaultPageLimit, list: list}
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageLimit {
			return p, &bridge.Error{Kind: bridge.KindInvalid, Message: "limit: must be between 1 and 500"}
		}
		p.limit = n
	}
	if v := c.QueryParam("cursor"); v != "" {
		raw, err := base64.RawURLEncoding.DecodeString(v)
		payload, ok := strings.CutPrefix(string(raw), list+":")
		if err != nil || !ok || payload == "" {
			return p, &bridge.Error{Kind: bridge.KindInvalid, Message: "cursor: not a cursor of this list (follow the Link header)"}
		}
		p.cursor = payload
	}
	return p, nil
}

// afterID is the id the cursor names (0 on the first page).
func (p page) afterID() (uint64, error) {
	if p.cursor == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(p.cursor, 10, 64)
	if err != nil || n == 0 {
		return 0, &bridge.Error{Kind: bridge.KindInvalid, Message: "cursor: not a cursor of this list"}
	}
	return n, nil
}

// setNext adds the Link header to the next page, whose cursor carries
// payload.
func (p page) setNext(c echo.Context, payload string) {
	q := url.Values{}
	for k, v := range c.QueryParams() {
		if k != "cursor" {
			q[k] = v
		}
	}
	q.Set("cursor", base64.RawURLEncoding.EncodeToString([]byte(p.list+":"+payload)))
	q.Set("limit", strconv.Itoa(p.limit))
	u := url.URL{Path: c.Request().URL.Path, RawQuery: q.Encode()}
	c.Response().Header().Add("Link", "<"+u.String()+`>; rel="next"`)
}

// pageByID answers the page of xs (sorted by id, ascending or, with desc,
// descending) that follows the cursor, with the Link to the next.
func pageByID[T, V any](c echo.Context, list string, xs []T, id func(*T) uint64, desc bool, view func(*T) V) error {
	p, err := pageOf(c, list)
	if err != nil {
		return err
	}
	after, err := p.afterID()
	if err != nil {
		return err
	}
	out := make([]V, 0, min(len(xs), p.limit))
	var last uint64
	for i := range xs {
		x := &xs[i]
		k := id(x)
		if after != 0 && (!desc && k <= after || desc && k >= after) {
			continue
		}
		if len(out) == p.limit {
			p.setNext(c, strconv.FormatUint(last, 10))
			break
		}
		out = append(out, view(x))
		last = k
	}
	return c.JSON(http.StatusOK, out)
}
