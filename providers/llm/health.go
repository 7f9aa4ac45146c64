package llm

import (
	"slices"
	"sync"
	"time"
)

// latencyWindow is how many recent calls the percentiles cover: enough for a p99 that
// means something, small enough to sort on every admin page load.
const latencyWindow = 512

// stats is what GET /api/admin/providers shows for one provider since start-up.
type stats struct {
	mu     sync.Mutex
	calls  int64
	errors map[string]int64
	ring   [latencyWindow]time.Duration
	n      int // filled entries of ring
	next   int
}

func (s *stats) record(code string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if code == codeCancelled {
		// A cancelled hedge says nothing about how fast the provider is.
		return
	}
	if code != "" {
		if s.errors == nil {
			s.errors = map[string]int64{}
		}
		s.errors[code]++
	}
	s.ring[s.next] = d
	s.next = (s.next + 1) % latencyWindow
	s.n = min(s.n+1, latencyWindow)
}

// ProviderHealth is one provider's line on the admin page.
type ProviderHealth struct {
	Name       string           `json:"name"`
	Model      string           `json:"model"`
	Structured string           `json:"structured,omitempty"` // json_schema, tools or json_object
	State      string           `json:"state"`                // breaker: closed, open or half-open
	Calls      int64            `json:"calls"`
	Errors     map[string]int64 `json:"errors"` // by code, "LLM-101"...
	P50Ms      float64          `json:"p50Ms"`  // over the last latencyWindow finished calls
	P95Ms      float64          `json:"p95Ms"`
	P99Ms      float64          `json:"p99Ms"`
}

// Health reports every configured provider, in chain order.
func (c *Chain) Health() []ProviderHealth {
	out := make([]ProviderHealth, 0, len(c.providers))
	for _, p := range c.providers {
		h := ProviderHealth{Name: p.cfg.Name, Model: p.cfg.Model, Structured: string(p.cfg.Structured), State: p.breaker.State().String(), Errors: map[string]int64{}}
		p.stats.mu.Lock()
		h.Calls = p.stats.calls
		for k, v := range p.stats.errors {
			h.Errors[k] = v
		}
		lat := slices.Clone(p.stats.ring[:p.stats.n])
		p.stats.mu.Unlock()
		slices.Sort(lat)
		h.P50Ms, h.P95Ms, h.P99Ms = percentileMs(lat, 50), percentileMs(lat, 95), percentileMs(lat, 99)
		out = append(out, h)
	}
	return out
}

// percentileMs is the nearest-rank percentile of sorted durations, in milliseconds.
func percentileMs(sorted []time.Duration, p int) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := (p*len(sorted)+99)/100 - 1
	i = max(0, min(i, len(sorted)-1))
	return float64(sorted[i]) / float64(time.Millisecond)
}
