package outbound

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the queue's Prometheus metrics.
type metrics struct {
	attempts *prometheus.CounterVec // by result: sent, deferred, bounced
	finished *prometheus.CounterVec // emails that became final, by status
	latency  prometheus.Histogram   // enqueue to 250
}

func newMetrics(reg prometheus.Registerer, depth func() float64) (*metrics, error) {
	m := &metrics{
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "deskgate_outbound_attempts_total",
			Help: "Outbound delivery attempts by result (sent, deferred, bounced).",
		}, []string{"result"}),
		finished: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "deskgate_outbound_emails_total",
			Help: "Outbound emails that reached a final status (sent, bounced, cancelled).",
		}, []string{"status"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "deskgate_outbound_delivery_seconds",
			Help:    "Time from enqueue to the upstream's 250, retries included.",
			Buckets: prometheus.ExponentialBuckets(0.005, 4, 12),
		}),
	}
	if reg == nil {
		return m, nil
	}
	gauge := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "deskgate_outbound_queue_depth",
		Help: "Outbound emails waiting for delivery (queued or deferred).",
	}, depth)
	for _, c := range []prometheus.Collector{m.attempts, m.finished, m.latency, gauge} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register outbound metrics: %w", err)
		}
	}
	return m, nil
}
