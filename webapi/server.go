package webapi

import (
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/deskgate/deskgate/console"
	"github.com/deskgate/deskgate/webhooks"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// DefaultMaxBodyBytes bounds request bodies (413 beyond).
const DefaultMaxBodyBytes = 1 << 20

// Options configure the API server.
type Options struct {
	// Registry receives the API's collectors and is served at /metrics.
	Registry *prometheus.Registry
	// Ready reports whether the store is open and the listeners are up
	// (GET /healthz answers 503 until then). Nil means always ready.
	Ready func() bool
	// StoreBackend ("bbolt" or "postgres") and Node (this node's name)
	// are shown by GET /healthz (SPEC §8).
	StoreBackend, Node string
	// MaxBodyBytes bounds request bodies; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// TrustedProxies are the networks of reverse proxies whose
	// X-Forwarded-For names the client (DESKGATE_TRUSTED_PROXIES); the
	// sign-in rate limit counts per client. Empty: the peer address.
	TrustedProxies []netip.Prefix
	// HeartbeatEvery is how often an idle event stream gets a comment
	// line; 0 means 15 s.
	HeartbeatEvery time.Duration
	// Webhooks is the webhook administration (SPEC §14); nil answers 404.
	Webhooks *webhooks.Admin
	// CORSOrigins are the origins whose browser pages may call the API
	// (DESKGATE_CORS_ORIGINS, SPEC §14); empty: none.
	CORSOrigins []string
	// ResetAnswerAfter is the least time POST /auth/password-reset takes
	// to answer 202; 0 means DefaultResetAnswerAfter, negative none.
	ResetAnswerAfter time.Duration
	// Conns are the connection limits and deadlines (conns.go); Handler
	// applies the body and write deadlines.
	Conns ConnLimits
	// MetricsToken is the bearer token GET /metrics asks of clients not
	// on loopback (DESKGATE_METRICS_TOKEN); empty: loopback only.
	MetricsToken string
}

// DefaultResetAnswerAfter: an address with an account costs a link, a
// rendered email and more store writes (a few ms); answering every
// request no sooner than this hides which addresses have accounts (SPEC
// §10: nothing tells whether the address exists).
const DefaultResetAnswerAfter = 250 * time.Millisecond

// Server is the HTTP API.
type Server struct {
	svc  Domain
	e    *echo.Echo
	log  *slog.Logger
	opts Options
}

// New builds the API over the domain d.
func New(d Domain, opts Options, log *slog.Logger) *Server {
	if opts.Registry == nil {
		opts.Registry = prometheus.NewRegistry()
	}
	if opts.MaxBodyBytes == 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.ResetAnswerAfter == 0 {
		opts.ResetAnswerAfter = DefaultResetAnswerAfter
	}
	opts.Conns = opts.Conns.withDefaults()
	if log == nil {
		log = slog.Default()
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(log)
	e.IPExtractor = ipExtractor(opts.TrustedProxies)
	s := &Server{svc: d, e: e, log: log, opts: opts}
	if len(opts.CORSOrigins) > 0 {
		e.Pre(cors(opts.CORSOrigins))
	}
	e.Use(newMetrics(opts.Registry).middleware, middleware.Recover(), s.limitBody)
	s.routes()
	return s
}

// Handler returns the http.Handler serving everything, with the body and
// response deadlines of Options.Conns.
func (s *Server) Handler() http.Handler { return deadlines(s.e, s.opts.Conns) }

// Routes lists the registered method and path templates (for the OpenAPI check).
func (s *Server) Routes() []*echo.Route { return s.e.Routes() }

// limitBody answers 413 for a body over the limit, by Content-Length at
// once and by counting while it is read.
func (s *Server) limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if req.ContentLength > s.opts.MaxBodyBytes {
			return &apiError{status: http.StatusRequestEntityTooLarge, code: "too_large", message: "request body too large"}
		}
		req.Body = http.MaxBytesReader(c.Response(), req.Body, s.opts.MaxBodyBytes)
		return next(c)
	}
}

func (s *Server) routes() {
	s.e.GET("/healthz", s.healthz)
	s.e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(s.opts.Registry, promhttp.HandlerOpts{})), s.metricsAccess)
	s.e.GET("/api/v1/openapi.json", serveOpenAPI)

	// The console (SPEC §13): one page, its script and its stylesheet.
	s.e.GET("/", echo.WrapHandler(console.Page()))
	s.e.GET("/reset-password", echo.WrapHandler(console.Page()))
	s.e.GET("/favicon.ico", echo.WrapHandler(console.Favicon()))
	for _, a := range console.Assets {
		s.e.GET("/console/"+a, echo.WrapHandler(console.Asset(a)))
	}

	// Auth is attached per route: group middleware would turn 405 into 404.
	g := s.e.Group("/api/v1")
	auth := func(method, path string, h echo.HandlerFunc) { g.Add(method, path, h, s.authenticate) }
	auth(http.MethodGet, "/me", s.me)
	auth(http.MethodPost, "/users", s.createUser)
	auth(http.MethodGet, "/users", s.listUsers)
	auth(http.MethodPost, "/users/:id/tokens", s.createUserToken)
	auth(http.MethodGet, "/users/:id/tokens", s.listUserTokens)
	auth(http.MethodDelete, "/users/:id/tokens/:token_id", s.revokeUserToken)
	auth(http.MethodGet, "/users/:id/settings", s.getSettings)
	auth(http.MethodPut, "/users/:id/settings", s.putSettings)
	auth(http.MethodPost, "/customers", s.createCustomer)
	auth(http.MethodPost, "/customers/:id/tokens", s.createCustomerToken)
	auth(http.MethodGet, "/customers/:id/tokens", s.listCustomerTokens)
	auth(http.MethodDelete, "/customers/:id/tokens/:token_id", s.revokeCustomerToken)
	auth(http.MethodPost, "/projects", s.createProject)
	auth(http.MethodPost, "/projects/:id/followers", s.addProjectFollower)
	auth(http.MethodPost, "/items", s.createItem)
	auth(http.MethodPost, "/items/:id/followers", s.addItemFollower)
	auth(http.MethodPut, "/items/:id/assignees", s.setAssignees)
	auth(http.MethodPost, "/conversations", s.createConversation)
	auth(http.MethodGet, "/conversations", s.listConversations)
	auth(http.MethodGet, "/conversations/:id", s.getConversation)
	auth(http.MethodPost, "/conversations/:id/followers", s.addConversationFollower)
	auth(http.MethodDelete, "/conversations/:id/followers/:user_id", s.removeConversationFollower)
	auth(http.MethodPost, "/conversations/start", s.startConversation)
	auth(http.MethodPost, "/conversations/:id/messages", s.postMessage)
	auth(http.MethodGet, "/conversations/:id/messages", s.listMessages)
	// A signed link from an email works without a bearer token (SPEC §9).
	g.GET("/messages/:id/attachments/:att", s.getAttachment, s.authenticateUnlessSigned)
	auth(http.MethodPost, "/messages/:id/seen", s.markSeen)
	auth(http.MethodGet, "/messages/:id/deliveries", s.deliveries)
	auth(http.MethodGet, "/me/notifications", s.notifications)
	auth(http.MethodGet, "/me/unseen", s.unseenCounts)
	auth(http.MethodGet, "/me/events", s.events)
	auth(http.MethodGet, "/maillog", s.listMailLog)
	auth(http.MethodGet, "/maillog/:id/raw", s.mailLogRaw)
	auth(http.MethodGet, "/maillog/:id/text", s.mailLogText)

	// Accounts (SPEC §10).
	g.POST("/auth/login", s.login)
	s.setupRoutes(g)
	g.POST("/auth/password-reset", s.passwordReset)
	g.POST("/auth/password-reset/confirm", s.passwordResetConfirm)
	auth(http.MethodDelete, "/auth/session", s.logout)
	auth(http.MethodPut, "/me/password", s.changePassword)
	auth(http.MethodPost, "/teams", s.createTeam)
	auth(http.MethodGet, "/teams", s.listTeams)
	auth(http.MethodPost, "/projects/:id/invitations", s.invite)
	auth(http.MethodGet, "/me/invitations", s.myInvitations)
	auth(http.MethodPost, "/invitations/:id/accept", s.settleInvitation(true))
	auth(http.MethodPost, "/invitations/:id/decline", s.settleInvitation(false))
	auth(http.MethodPut, "/items/:id", s.updateItem)
	auth(http.MethodGet, "/templates", s.listTemplates)
	auth(http.MethodPost, "/templates", s.createTemplate)
	auth(http.MethodGet, "/templates/:name", s.getTemplate)
	auth(http.MethodPut, "/templates/:name", s.putTemplate)
	auth(http.MethodDelete, "/templates/:name", s.deleteTemplate)
	auth(http.MethodPost, "/templates/:name/preview", s.previewTemplate)
	auth(http.MethodPost, "/templates/:name/reset", s.resetTemplate)
	auth(http.MethodGet, "/automations", s.listAutomations)
	auth(http.MethodPost, "/automations", s.createAutomation)
	auth(http.MethodGet, "/automations/:id", s.getAutomation)
	auth(http.MethodPut, "/automations/:id", s.putAutomation)
	auth(http.MethodDelete, "/automations/:id", s.deleteAutomation)
	auth(http.MethodPost, "/mailboxes", s.createMailbox)
	auth(http.MethodGet, "/mailboxes", s.listMailboxes)
	auth(http.MethodDelete, "/mailboxes/:id", s.deleteMailbox)
	s.directoryRoutes(auth)
	s.webhookRoutes(auth)
}

// health is the body of GET /healthz.
type health struct {
	Status string `json:"status"`          // "ok" or "starting"
	Store  string `json:"store,omitempty"` // "bbolt" or "postgres"
	Node   string `json:"node,omitempty"`
}

func (s *Server) healthz(c echo.Context) error {
	h := health{Status: "ok", Store: s.opts.StoreBackend, Node: s.opts.Node}
	if s.opts.Ready != nil && !s.opts.Ready() {
		h.Status = "starting"
		return c.JSON(http.StatusServiceUnavailable, h)
	}
	return c.JSON(http.StatusOK, h)
}

// ipExtractor never believes a forwarding header from a peer that is not
// a trusted proxy (echo's default RealIP would, and anyone could then
// pick the address the rate limit counts).
func ipExtractor(trusted []netip.Prefix) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range trusted {
		n := &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}
