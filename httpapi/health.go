package httpapi

import (
	"context"
	"sync"
	"time"

	"xingqu/providers/llm"
)

// ProviderSample is what one planning provider did in one interval: its calls and its
// errors by code.
type ProviderSample struct {
	At     time.Time        `json:"at"` // the end of the interval
	Calls  int64            `json:"calls"`
	Errors map[string]int64 `json:"errors"`
}

// healthHistory keeps each provider's samples over the last hours, from the differences
// between successive readings of the providers' running totals.
type healthHistory struct {
	mu     sync.Mutex
	keep   int // samples per provider; 0: six hours of minutes
	last   map[string]llm.ProviderHealth
	series map[string][]ProviderSample
}

// record takes one reading at now. The first reading only sets the baseline; a total that
// went down (the process restarted its counters) starts a new baseline too.
func (h *healthHistory) record(now time.Time, ps []llm.ProviderHealth) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.last == nil {
		h.last, h.series = map[string]llm.ProviderHealth{}, map[string][]ProviderSample{}
	}
	for _, p := range ps {
		prev, seen := h.last[p.Name]
		h.last[p.Name] = p
		if !seen || p.Calls < prev.Calls {
			continue
		}
		s := ProviderSample{At: now.UTC(), Calls: p.Calls - prev.Calls, Errors: map[string]int64{}}
		for code, n := range p.Errors {
			if d := n - prev.Errors[code]; d > 0 {
				s.Errors[code] = d
			}
		}
		series := append(h.series[p.Name], s)
		keep := h.keep
		if keep <= 0 {
			keep = 360
		}
		if len(series) > keep {
			series = series[len(series)-keep:]
		}
		h.series[p.Name] = series
	}
}

// samples returns a copy of every provider's samples, oldest first.
func (h *healthHistory) samples() map[string][]ProviderSample {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := map[string][]ProviderSample{}
	for name, s := range h.series {
		out[name] = append([]ProviderSample(nil), s...)
	}
	return out
}

// RecordProviderHealth reads the planning providers' totals every interval until ctx
// ends, keeping the last six hours for the admin console's chart.
func (s *admin) RecordProviderHealth(ctx context.Context, every time.Duration) {
	if s.ProviderHealth == nil {
		return
	}
	s.health.mu.Lock()
	s.health.keep = int(6 * time.Hour / every)
	s.health.mu.Unlock()
	t := time.NewTicker(every)
	defer t.Stop()
	s.health.record(time.Now(), s.ProviderHealth())
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			s.health.record(now, s.ProviderHealth())
		}
	}
}
