package llm

import (
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	calls   *prometheus.CounterVec   // provider, result: ok | error | cancelled | skipped
	errors  *prometheus.CounterVec   // provider, code
	latency *prometheus.HistogramVec // provider

	tokens       *prometheus.CounterVec // kind: plan | extract
	ungrounded   *prometheus.CounterVec // field
	budgetDrafts prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xingqu_llm_calls_total",
			Help: "Planning and extraction calls per LLM provider, by result (ok, error, cancelled by a hedge, skipped by an open breaker).",
		}, []string{"provider", "result"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xingqu_llm_errors_total",
			Help: "Failed LLM calls per provider, by error code (LLM-101..LLM-105).",
		}, []string{"provider", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "xingqu_llm_latency_seconds",
			Help:    "Duration of LLM calls that finished (answer, repair and retries included).",
			Buckets: []float64{0.1, 0.25, 0.5, 1, 2, 4, 6, 10, 15, 20, 30},
		}, []string{"provider"}),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xingqu_llm_tokens_total",
			Help: "Tokens spent on model calls (reported by the provider, else estimated), by kind: plan or extract.",
		}, []string{"kind"}),
		ungrounded: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xingqu_llm_extract_ungrounded_total",
			Help: "Values an extraction proposed that the message does not say, dropped, by field.",
		}, []string{"field"}),
		budgetDrafts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "xingqu_llm_budget_drafts_total",
			Help: "Offline drafts served because the traveller or their address had spent the day's token budget.",
		}),
	}
	if reg != nil {
		m.tokens = register(reg, m.tokens)
		m.ungrounded = register(reg, m.ungrounded)
		m.budgetDrafts = register(reg, m.budgetDrafts)
		m.calls = register(reg, m.calls)
		m.errors = register(reg, m.errors)
		m.latency = register(reg, m.latency)
	}
	return m
}

// register reuses a collector already registered under the same name, so two chains on
// one registry (a reload, a test) share their series instead of panicking.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
		panic(err)
	}
	return c
}

func (m *metrics) observe(provider, code string, d time.Duration) {
	switch code {
	case "":
		m.calls.WithLabelValues(provider, "ok").Inc()
	case codeCancelled:
		m.calls.WithLabelValues(provider, "cancelled").Inc()
		return
	default:
		m.calls.WithLabelValues(provider, "error").Inc()
		m.errors.WithLabelValues(provider, code).Inc()
	}
	m.latency.WithLabelValues(provider).Observe(d.Seconds())
}
