package smtpd

import "github.com/prometheus/client_golang/prometheus"

// metrics are the SMTP server's Prometheus collectors.
type metrics struct {
	accepted prometheus.Counter
	rejected *prometheus.CounterVec
	commit   prometheus.Histogram
	sessions prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		accepted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "deskgate_smtp_messages_accepted_total",
			Help: "Inbound messages answered 250 (durably stored).",
		}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "deskgate_smtp_rejected_total",
			Help: "Inbound RCPT TO and DATA refusals by reason (relay_denied, no_such_user, too_big, too_many_hops, storage, ...).",
		}, []string{"reason"}),
		commit: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "deskgate_smtp_dot_to_reply_seconds",
			Help:    "Time from the final dot of DATA to the 250 reply (parse, classify, thread, commit with fsync).",
			Buckets: prometheus.ExponentialBuckets(0.0001, 1.3, 45), // 0.1 ms .. 10 s
		}),
		sessions: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "deskgate_smtp_sessions_total",
			Help: "SMTP sessions started (EHLO/HELO).",
		}),
	}
	reg.MustRegister(m.accepted, m.rejected, m.commit, m.sessions)
	return m
}
