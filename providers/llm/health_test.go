package llm

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	openai "github.com/sashabaranov/go-openai"
)

func TestHealthAndMetrics(t *testing.T) {
	bad := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int, _ openai.ChatCompletionRequest) {
		writeError(w, 401, "error_401.json")
	})
	good := newFake(t, okStream(t))
	reg := prometheus.NewRegistry()
	cfg := Config{Providers: []ProviderConfig{bad.config("bad"), good.config("good")}}
	c := newTestChain(t, cfg, WithRegisterer(reg))
	for range 3 {
		if _, err := c.Plan(context.Background(), PlanRequest{Trip: testTrip(), Lang: "zh"}); err != nil {
			t.Fatal(err)
		}
	}
	h := c.Health()
	if len(h) != 2 || h[0].Name != "bad" || h[1].Name != "good" {
		t.Fatalf("health = %+v", h)
	}
	if h[0].Calls != 3 || h[0].Errors[CodeAuth] != 3 || h[0].State != "closed" {
		t.Errorf("bad = %+v, want 3 calls, 3 LLM-103, closed (5 to trip)", h[0])
	}
	if h[1].Calls != 3 || len(h[1].Errors) != 0 || h[1].P50Ms <= 0 || h[1].P50Ms > h[1].P99Ms || h[1].P95Ms > h[1].P99Ms {
		t.Errorf("good = %+v, want 3 clean calls and ordered percentiles", h[1])
	}

	got := gather(t, reg)
	want := map[string]float64{
		`xingqu_llm_calls_total{provider="bad",result="error"}`:  3,
		`xingqu_llm_calls_total{provider="good",result="ok"}`:    3,
		`xingqu_llm_errors_total{code="LLM-103",provider="bad"}`: 3,
		`xingqu_llm_latency_seconds_count{provider="good"}`:      3,
		`xingqu_llm_latency_seconds_count{provider="bad"}`:       3,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}

	// A second chain on the same registry (a config reload) shares the series.
	c2 := newTestChain(t, cfg, WithRegisterer(reg))
	c2.Plan(context.Background(), PlanRequest{Trip: testTrip(), Lang: "zh"})
	if n := gather(t, reg)[`xingqu_llm_errors_total{code="LLM-103",provider="bad"}`]; n != 4 {
		t.Errorf("after a second chain errors = %v, want 4", n)
	}
}

func TestPercentiles(t *testing.T) {
	c := New(Config{Providers: []ProviderConfig{{Name: "openai"}}})
	s := &c.providers[0].stats
	for i := 1; i <= 100; i++ {
		s.record("", time.Duration(i)*time.Millisecond)
	}
	s.record(codeCancelled, time.Hour) // a lost hedge says nothing about latency
	h := c.Health()[0]
	if h.P50Ms != 50 || h.P95Ms != 95 || h.P99Ms != 99 || h.Calls != 101 {
		t.Errorf("p50/p95/p99 = %v/%v/%v calls %d, want 50/95/99 and 101", h.P50Ms, h.P95Ms, h.P99Ms, h.Calls)
	}
	// The ring keeps only the most recent calls.
	for range latencyWindow {
		s.record("", time.Second)
	}
	if h := c.Health()[0]; h.P50Ms != 1000 || h.P99Ms != 1000 {
		t.Errorf("after a window of 1s calls p50/p99 = %v/%v, want 1000/1000", h.P50Ms, h.P99Ms)
	}
}

// gather flattens a registry into "name{labels}" -> value, histograms by their count.
func gather(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			key := mf.GetName()
			if mf.GetType() == dto.MetricType_HISTOGRAM {
				key += "_count"
			}
			key += labels(m.GetLabel())
			switch {
			case m.Counter != nil:
				out[key] = m.Counter.GetValue()
			case m.Histogram != nil:
				out[key] = float64(m.Histogram.GetSampleCount())
			}
		}
	}
	return out
}

func labels(ls []*dto.LabelPair) string {
	s := "{"
	for i, l := range ls {
		if i > 0 {
			s += ","
		}
		s += l.GetName() + `="` + l.GetValue() + `"`
	}
	return s + "}"
}

func TestFailureLogHasNoKey(t *testing.T) {
	const key = "sk-live-0123456789abcdef"
	echo := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int, _ openai.ChatCompletionRequest) {
		// Some providers quote the key they were given in a 401.
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(401)
		w.Write([]byte(`{"error":{"message":"Incorrect API key provided: ` + r.Header.Get("Authorization")[len("Bearer "):] + `","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`))
	})
	var buf bytes.Buffer
	pc := echo.config("echo")
	pc.APIKey = key
	c := newTestChain(t, Config{Providers: []ProviderConfig{pc}}, WithLogger(slog.New(slog.NewJSONHandler(&buf, nil))))
	c.Plan(context.Background(), PlanRequest{Trip: testTrip(), Lang: "en"})
	out := buf.String()
	if strings.Count(out, "\n") != 1 || !strings.Contains(out, `"code":"LLM-103"`) || !strings.Contains(out, `"provider":"echo"`) {
		t.Errorf("log = %q, want one line with provider and code", out)
	}
	if strings.Contains(out, key) {
		t.Errorf("log contains the API key: %q", out)
	}
}
