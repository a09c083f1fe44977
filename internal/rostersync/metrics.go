package rostersync

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/passportbridge/passport/connectors"
)

// Metrics are the per-connector Prometheus metrics.
type Metrics struct {
	runs        *prometheus.CounterVec
	records     *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	lastSuccess *prometheus.GaugeVec
}

// NewMetrics creates the metrics and registers them with reg (nil: not
// registered). Registering twice with the same registry reuses the first.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "passport_connector_runs_total", Help: "Connector runs by connector, operation and final status.",
		}, []string{"connector", "operation", "status"}),
		records: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "passport_connector_records_total", Help: "Records handled by connector runs, by outcome.",
		}, []string{"connector", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "passport_connector_run_duration_seconds", Help: "Duration of connector runs.",
			Buckets: []float64{0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600},
		}, []string{"connector", "operation"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "passport_connector_last_success_timestamp_seconds", Help: "Unix time of the last successful run.",
		}, []string{"connector", "operation"}),
	}
	if reg == nil {
		return m
	}
	m.runs = register(reg, m.runs)
	m.records = register(reg, m.records)
	m.duration = register(reg, m.duration)
	m.lastSuccess = register(reg, m.lastSuccess)
	return m
}

func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
	}
	return c
}

func (m *Metrics) observe(r connectors.Run) {
	if m == nil || r.DryRun {
		return
	}
	m.runs.WithLabelValues(r.Connector, r.Operation, string(r.Status)).Inc()
	for o, n := range map[connectors.Outcome]int{
		connectors.OutcomeCreated: r.Report.Created, connectors.OutcomeUpdated: r.Report.Updated,
		connectors.OutcomeRemoved: r.Report.Removed, connectors.OutcomeUnchanged: r.Report.Unchanged,
		connectors.OutcomeSkipped: r.Report.Skipped, connectors.OutcomeFailed: r.Report.Failed,
	} {
		if n > 0 {
			m.records.WithLabelValues(r.Connector, string(o)).Add(float64(n))
		}
	}
	if !r.Finished.IsZero() {
		m.duration.WithLabelValues(r.Connector, r.Operation).Observe(r.Finished.Sub(r.Started).Seconds())
	}
	if r.Status == connectors.RunSucceeded {
		m.lastSuccess.WithLabelValues(r.Connector, r.Operation).Set(float64(r.Finished.Unix()))
	}
}
