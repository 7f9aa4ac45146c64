package httpapi

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"xingqu/providers/llm"
)

func TestProviderHistoryKeepsDifferencesPerInterval(t *testing.T) {
	t.Parallel()
	h := healthHistory{keep: 3}
	t0 := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	read := func(min int, calls int64, errs map[string]int64) {
		h.record(t0.Add(time.Duration(min)*time.Minute), []llm.ProviderHealth{{Name: "deepseek", Calls: calls, Errors: errs}})
	}
	read(0, 10, map[string]int64{"LLM-101": 1})
	read(1, 15, map[string]int64{"LLM-101": 1})
	read(2, 25, map[string]int64{"LLM-101": 3, "LLM-103": 2})
	read(3, 3, map[string]int64{}) // counters restarted: a new baseline, no sample
	read(4, 7, map[string]int64{"LLM-105": 1})
	read(5, 7, map[string]int64{"LLM-105": 1})
	got := fmt.Sprint(h.samples()["deepseek"])
	want := fmt.Sprint([]ProviderSample{
		{At: t0.Add(2 * time.Minute), Calls: 10, Errors: map[string]int64{"LLM-101": 2, "LLM-103": 2}},
		{At: t0.Add(4 * time.Minute), Calls: 4, Errors: map[string]int64{"LLM-105": 1}},
		{At: t0.Add(5 * time.Minute), Calls: 0, Errors: map[string]int64{}},
	})
	if got != want {
		t.Errorf("samples:\n got %s\nwant %s", got, want)
	}
}

func TestProvidersEndpointShowsHistory(t *testing.T) {
	t.Parallel()
	var calls atomic.Int64
	e, admin, _ := noticeEnv(t, func(c *Config) {
		c.ProviderHealth = func() []llm.ProviderHealth {
			n := calls.Add(4)
			return []llm.ProviderHealth{{Name: "qwen", State: "closed", Calls: n, Errors: map[string]int64{"LLM-102": n / 4}}}
		}
	})
	now := time.Now()
	for i := range 3 {
		e.srv.admin.health.record(now.Add(time.Duration(i)*time.Minute), e.cfg.ProviderHealth())
	}
	var out struct {
		Providers []llm.ProviderHealth
		History   map[string][]ProviderSample
	}
	if code := e.do("GET", "/api/admin/providers", admin, nil, &out); code != 200 {
		t.Fatal(code)
	}
	if s := out.History["qwen"]; len(s) != 2 || s[1].Calls != 4 || s[1].Errors["LLM-102"] != 1 {
		t.Errorf("history: %+v", out.History)
	}
}
