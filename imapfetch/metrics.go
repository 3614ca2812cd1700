package imapfetch

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the fetcher's Prometheus metrics.
type metrics struct {
	messages *prometheus.CounterVec // by result
	errors   prometheus.Counter     // sessions ended by an error
	held     prometheus.Gauge       // mailboxes this node works now
}

// Message results counted by deskgate_imap_messages_total.
const (
	resultStored   = "stored"   // a mail log entry written (created, threaded, suppressed, bounce)
	resultSeen     = "seen"     // already stored by an earlier run or another node
	resultRejected = "rejected" // refused for good (a loop) or over the size limit
)

func newMetrics() *metrics {
	return &metrics{
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "deskgate_imap_messages_total",
			Help: "Messages fetched from IMAP mailboxes by result (stored, seen: already stored before, rejected).",
		}, []string{"result"}),
		errors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "deskgate_imap_session_errors_total",
			Help: "IMAP mailbox sessions ended by an error (each retried with backoff).",
		}),
		held: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "deskgate_imap_mailboxes_held",
			Help: "IMAP mailboxes this node holds the lease of and works now.",
		}),
	}
}

// RegisterMetrics registers the fetcher's metrics with reg.
func (m *Manager) RegisterMetrics(reg prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{m.metrics.messages, m.metrics.errors, m.metrics.held} {
		if err := reg.Register(c); err != nil {
			return fmt.Errorf("register imap metrics: %w", err)
		}
	}
	return nil
}
