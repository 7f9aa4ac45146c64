package main

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"xingqu/providers/llm"
	"xingqu/store"
)

var (
	breakerDesc = prometheus.NewDesc("xingqu_llm_breaker_state",
		"Circuit breaker of each LLM provider on this instance: 0 closed, 1 half-open, 2 open.", []string{"provider"}, nil)
	inboxReceivedDesc = prometheus.NewDesc("xingqu_inbox_received_total",
		"Traveller messages stored for handling, all instances together (the inbox's id sequence); its rate is turns per second.", nil, nil)
	inboxPendingDesc = prometheus.NewDesc("xingqu_inbox_pending_messages",
		"Traveller messages stored and not yet handled, all instances together.", nil, nil)
	inboxOldestDesc = prometheus.NewDesc("xingqu_inbox_oldest_pending_seconds",
		"How long the oldest message not yet handled has waited (0: none waits): the reply delay a traveller sees beyond the turn itself.", nil, nil)
)

// serviceCollector reports what the dashboard needs beside the per-request series: the
// breakers' states, read from the chain, and the turn queue, read from the database at
// scrape time through the inbox's partial index, so every instance shows the same queue.
type serviceCollector struct {
	db    *store.DB
	chain *llm.Chain
}

func (c serviceCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- breakerDesc
	ch <- inboxReceivedDesc
	ch <- inboxPendingDesc
	ch <- inboxOldestDesc
}

func (c serviceCollector) Collect(ch chan<- prometheus.Metric) {
	if c.chain != nil {
		for _, p := range c.chain.Health() {
			v := 0.0
			switch p.State {
			case "half-open":
				v = 1
			case "open":
				v = 2
			}
			ch <- prometheus.MustNewConstMetric(breakerDesc, prometheus.GaugeValue, v, p.Name)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	st, err := store.GetInboxStats(ctx, c.db)
	if err != nil {
		return
	}
	ch <- prometheus.MustNewConstMetric(inboxReceivedDesc, prometheus.CounterValue, float64(st.Received))
	ch <- prometheus.MustNewConstMetric(inboxPendingDesc, prometheus.GaugeValue, float64(st.Pending))
	ch <- prometheus.MustNewConstMetric(inboxOldestDesc, prometheus.GaugeValue, st.Oldest.Seconds())
}
