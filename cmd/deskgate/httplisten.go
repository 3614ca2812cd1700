package main

import (
	"net"
	"syscall"

	"github.com/deskgate/deskgate/smtpd"
	"github.com/deskgate/deskgate/webapi"
	"github.com/prometheus/client_golang/prometheus"
)

// fdReserve is what the process keeps of its file descriptors for the
// store, DNS, outbound delivery and IMAP, beyond both listeners' caps.
const fdReserve = 256

// httpLimits are the HTTP connection caps and deadlines of the
// configuration, the total lowered when the file descriptor limit could
// not hold it beside the MX's own cap and the reserve: the HTTP side
// gets what is left, so a flood of HTTP connections never takes the
// descriptors the MX needs to answer (separate budgets).
func (a *app) httpLimits() webapi.ConnLimits {
	proxies, _ := a.cfg.TrustedProxyPrefixes() // validated by config.Load
	l := webapi.ConnLimits{
		MaxConnections: a.cfg.HTTPMaxConnections, MaxConnectionsPerIP: a.cfg.HTTPMaxConnectionsPerIP,
		BodyTimeout: a.cfg.HTTPBodyTimeout, Shared: proxies,
	}
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err == nil && rl.Cur < 1<<30 {
		left := int(rl.Cur) - smtpd.DefaultMaxConnections - fdReserve
		if left < l.MaxConnections {
			l.MaxConnections = max(left, 16)
			a.log.Warn("file descriptor limit too low for http_max_connections beside the MX: HTTP connections capped lower",
				"nofile", rl.Cur, "http_max_connections", l.MaxConnections, "smtp_max_connections", smtpd.DefaultMaxConnections)
		}
	}
	return l
}

// limitHTTP wraps the API listener in its connection caps.
func (a *app) limitHTTP(ln net.Listener, l webapi.ConnLimits) net.Listener {
	refused := prometheus.NewCounter(prometheus.CounterOpts{
		Name: "deskgate_http_connections_refused_total",
		Help: "HTTP connections answered 503 and closed because http_max_connections or http_max_connections_per_ip was reached.",
	})
	a.reg.MustRegister(refused)
	return webapi.LimitListener(ln, l, refused.Inc)
}
