package telegram

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"xingqu/store"
)

// Metrics are the channel's Prometheus series.
type Metrics struct {
	outcomes *prometheus.CounterVec
	latency  prometheus.Histogram
	updates  *prometheus.CounterVec
	progress *prometheus.CounterVec
	// chats is how many chats the sender keeps pacing state for: it falls back once
	// their gaps have passed, so it stays near the number of chats active in the last
	// few seconds, not every chat ever written to.
	chats prometheus.Gauge
}

// NewMetrics makes the channel's metrics and registers them with reg when it is not nil,
// together with a gauge of outbox rows by state read from db at scrape time.
func NewMetrics(reg prometheus.Registerer, db *store.DB) *Metrics {
	m := &Metrics{
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xingqu_telegram_outbox_requests_total",
			Help: "Outbox requests to the Bot API by outcome (sent, rate_limited, retried, blocked, failed, unknown).",
		}, []string{"outcome"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "xingqu_telegram_request_duration_seconds", Help: "Bot API request latency for outbox rows.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}),
		updates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xingqu_telegram_updates_total", Help: "Telegram updates received, by kind and what was done with them.",
		}, []string{"kind"}),
		progress: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xingqu_telegram_plan_progress_total",
			Help: "Plan progress heard by this instance, by what came of it (written, dedupe, current, waited, dropped, failed).",
		}, []string{"outcome"}),
		chats: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "xingqu_telegram_sender_chats",
			Help: "Chats the outbox sender keeps pacing state for (those with rows queued or a gap not yet passed).",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.outcomes, m.latency, m.updates, m.progress, m.chats)
		if db != nil {
			reg.MustRegister(newOutboxCollector(func(ctx context.Context) (map[string]int64, error) {
				return store.OutboxStats(ctx, db, "telegram")
			}))
		}
	}
	return m
}

var outboxRowsDesc = prometheus.NewDesc("xingqu_telegram_outbox_rows", "Telegram outbox rows by delivery state.", []string{"state"}, nil)

// outboxRefresh is how old the outbox counts a scrape shows may be.
const outboxRefresh = 15 * time.Second

// outboxCollector reports the outbox's delivery states from the database, so that every
// instance shows the same numbers whichever one is sending. Counting the outbox reads the
// whole table, so it happens at most once per outboxRefresh, in the background, whatever
// the number of scrapes; only the first scrape waits for it.
type outboxCollector struct {
	load func(context.Context) (map[string]int64, error)

	mu         sync.Mutex
	stats      map[string]int64
	at         time.Time // of the last load, successful or not
	refreshing bool
}

func newOutboxCollector(load func(context.Context) (map[string]int64, error)) *outboxCollector {
	return &outboxCollector{load: load}
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) { ch <- outboxRowsDesc }

func (c *outboxCollector) read() map[string]int64 {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	stats, err := c.load(ctx)
	if err != nil {
		return nil
	}
	return stats
}

// current returns the latest counts, starting a refresh when they are stale.
func (c *outboxCollector) current() map[string]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.at.IsZero():
		c.stats, c.at = c.read(), time.Now()
	case time.Since(c.at) > outboxRefresh && !c.refreshing:
		c.refreshing = true
		go func() {
			stats := c.read()
			c.mu.Lock()
			defer c.mu.Unlock()
			c.stats, c.at, c.refreshing = stats, time.Now(), false
		}()
	}
	return c.stats
}

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	stats := c.current()
	if stats == nil {
		return
	}
	for _, st := range []string{store.OutboxPending, store.OutboxSending, store.OutboxSent, store.OutboxFailed, store.OutboxBlocked, store.OutboxUnknown} {
		ch <- prometheus.MustNewConstMetric(outboxRowsDesc, prometheus.GaugeValue, float64(stats[st]), st)
	}
}
