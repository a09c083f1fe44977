package forward

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the forwarding counters and gauges, labelled by rule.
type Metrics struct {
	// Forwarded counts statements the downstream acknowledged.
	Forwarded *prometheus.CounterVec
	// DeadLettered counts statements the downstream refused for good.
	DeadLettered *prometheus.CounterVec
	// Failed counts passes stopped by a transient failure.
	Failed *prometheus.CounterVec
	// Lag is the age in seconds of the oldest statement not yet forwarded
	// (0 when caught up).
	Lag *prometheus.GaugeVec
}

// NewMetrics registers the forwarding metrics with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		Forwarded: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "passport_forward_statements_total", Help: "Statements acknowledged by the downstream LRS, by rule.",
		}, []string{"rule"}),
		DeadLettered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "passport_forward_dead_letters_total", Help: "Statements refused for good by the downstream LRS, by rule.",
		}, []string{"rule"}),
		Failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "passport_forward_failures_total", Help: "Forwarding passes stopped by a transient failure, by rule.",
		}, []string{"rule"}),
		Lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "passport_forward_lag_seconds", Help: "Age of the oldest statement not yet forwarded, by rule (0 when caught up).",
		}, []string{"rule"}),
	}
	var err error
	if m.Forwarded, err = register(reg, m.Forwarded); err != nil {
		return nil, err
	}
	if m.DeadLettered, err = register(reg, m.DeadLettered); err != nil {
		return nil, err
	}
	if m.Failed, err = register(reg, m.Failed); err != nil {
		return nil, err
	}
	if m.Lag, err = register(reg, m.Lag); err != nil {
		return nil, err
	}
	return m, nil
}

// register registers c, or returns the collector already registered
// under its name (a second serve in one process, tests).
func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing, nil
			}
		}
		return c, err
	}
	return c, nil
}
