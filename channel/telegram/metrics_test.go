package telegram

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// The outbox's counts are read from the database in the background at most every
// refresh interval, however often and however many at once scrape.
func TestOutboxCountsNotReadPerScrape(t *testing.T) {
	t.Parallel()
	var loads atomic.Int32
	c := newOutboxCollector(func(context.Context) (map[string]int64, error) {
		loads.Add(1)
		return map[string]int64{"sent": 7}, nil
	})
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	h := promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	var wg sync.WaitGroup
	for range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
			if !strings.Contains(w.Body.String(), `xingqu_telegram_outbox_rows{state="sent"} 7`) {
				t.Errorf("scrape lacks the outbox count:\n%s", w.Body.String())
			}
		}()
	}
	wg.Wait()
	if n := loads.Load(); n != 1 {
		t.Errorf("%d outbox counts for 40 scrapes, want 1", n)
	}
}
