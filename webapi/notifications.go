package webapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/labstack/echo/v4"
)

func (s *Server) markSeen(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.svc.Notifications.MarkSeen(c.Request().Context(), caller(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) deliveries(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ds, err := s.svc.Notifications.Deliveries(c.Request().Context(), caller(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ds)
}

func (s *Server) notifications(c echo.Context) error {
	unseen := c.QueryParam("unseen")
	if unseen != "" && unseen != "0" && unseen != "1" && unseen != "true" && unseen != "false" {
		return &bridge.Error{Kind: bridge.KindInvalid, Message: "unseen: must be 1 or 0"}
	}
	p, err := pageOf(c, "notifications")
	if err != nil {
		return err
	}
	before, err := p.afterID() // newest first: the page holds older messages
	if err != nil {
		return err
	}
	ns, more, err := s.svc.Notifications.NotificationsPage(c.Request().Context(), caller(c), unseen == "1" || unseen == "true", before, p.limit)
	if err != nil {
		return err
	}
	if more {
		p.setNext(c, strconv.FormatUint(ns[len(ns)-1].MessageID, 10))
	}
	return c.JSON(http.StatusOK, ns)
}

func (s *Server) unseenCounts(c echo.Context) error {
	counts, err := s.svc.Notifications.UnseenCounts(c.Request().Context(), caller(c))
	if err != nil {
		return err
	}
	total := 0
	for _, n := range counts {
		total += n.Unseen
	}
	return c.JSON(http.StatusOK, map[string]any{"total": total, "conversations": counts})
}

// events streams the caller's new notifications as Server-Sent Events: one
// "notification" event each, its id the message id. A client that
// reconnects with Last-Event-ID gets what it missed first. A comment line
// every HeartbeatEvery keeps proxies from closing an idle stream.
//
// The stream ends when its token is revoked (at once on this node; on
// the next heartbeat's check of the token otherwise) and when its token
// or owner opens more than bridge.MaxStreamsPerToken or
// MaxStreamsPerOwner streams (the oldest ends); with bridge.MaxStreams
// open on the node a new one is refused (503 too_many_streams).
func (s *Server) events(c echo.Context) error {
	cl := caller(c)
	ctx, end := context.WithCancel(c.Request().Context())
	defer end()
	release, err := s.svc.Notifications.TrackStream(cl, end)
	if err != nil {
		return err
	}
	defer release()
	token := bearerToken(c.Request().Header.Get(echo.HeaderAuthorization))
	live, cancel := s.svc.Notifications.Subscribe(cl) // before the replay, so nothing falls between
	defer cancel()
	var last uint64
	if h := c.Request().Header.Get("Last-Event-ID"); h != "" {
		n, err := strconv.ParseUint(h, 10, 64)
		if err != nil {
			return badRequest("Last-Event-ID: must be a message id")
		}
		last = n
	}
	w := c.Response()
	// A stream sends no body and lives long: no read deadline (it would
	// end the stream), but each write must reach the client in time.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	writing := func() { _ = rc.SetWriteDeadline(time.Now().Add(s.opts.Conns.WriteTimeout)) }
	w.Header().Set(echo.HeaderContentType, "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 3000\n\n")
	// The replay goes page by page (Notifications answers at most one page,
	// oldest first) until a page comes back empty: the live stream only
	// carries ids above last, so a backlog cut at the first page would be
	// lost. Bounded: ids only grow, and at most maxReplayPages pages.
	for page := 0; last > 0 && page < maxReplayPages; page++ {
		missed, err := s.svc.Notifications.Notifications(ctx, cl, false, last)
		if err != nil {
			return nil // headers are out: end the stream, the client reconnects
		}
		if len(missed) == 0 {
			break
		}
		writing()
		for _, n := range missed {
			writeEvent(w, n)
			last = max(last, n.MessageID)
		}
		w.Flush()
	}
	w.Flush()
	beat := time.NewTicker(s.heartbeat())
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-beat.C:
			writing()
			if _, err := s.svc.Accounts.Authenticate(ctx, token); bridge.KindOf(err) == bridge.KindUnauthorized {
				return nil // revoked (perhaps on another node)
			}
			fmt.Fprint(w, ": ping\n\n")
		case d := <-live:
			if d.MessageID <= last {
				continue // already replayed
			}
			writing()
			writeEvent(w, bridge.NotificationOf(d))
		}
		w.Flush()
	}
}

// maxReplayPages bounds one reconnect's replay (pages of at most 500
// notifications): a client further behind reads GET /me/notifications.
const maxReplayPages = 100

func writeEvent(w http.ResponseWriter, n bridge.Notification) {
	data, _ := json.Marshal(n)
	fmt.Fprintf(w, "id: %d\nevent: notification\ndata: %s\n\n", n.MessageID, data)
}

func (s *Server) heartbeat() time.Duration {
	if s.opts.HeartbeatEvery > 0 {
		return s.opts.HeartbeatEvery
	}
	return 15 * time.Second
}
