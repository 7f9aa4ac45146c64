package httpapi

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// slowCollector takes as long as a collector reading a big table.
type slowCollector struct{}

var slowDesc = prometheus.NewDesc("xingqu_test_slow", "A slow collector.", nil, nil)

func (slowCollector) Describe(ch chan<- *prometheus.Desc) { ch <- slowDesc }
func (slowCollector) Collect(ch chan<- prometheus.Metric) {
	time.Sleep(300 * time.Millisecond)
	ch <- prometheus.MustNewConstMetric(slowDesc, prometheus.GaugeValue, 1)
}

// Scrapes running at once are capped: the rest are refused at once, not queued.
func TestMetricsScrapesCapped(t *testing.T) {
	e := newWebEnv(t)
	e.srv.Registry().MustRegister(slowCollector{})
	const scrapes = 8
	codes := make(chan int, scrapes)
	var wg sync.WaitGroup
	for range scrapes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Get(e.ts.URL + "/metrics")
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			codes <- resp.StatusCode
		}()
	}
	wg.Wait()
	close(codes)
	got := map[int]int{}
	for c := range codes {
		got[c]++
	}
	if got[200] == 0 || got[200] > MaxMetricsScrapes || got[503] != scrapes-got[200] {
		t.Errorf("answers to %d scrapes at once: %v, want at most %d 200 and the rest 503", scrapes, got, MaxMetricsScrapes)
	}
}
