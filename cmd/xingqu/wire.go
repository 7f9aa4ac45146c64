package main

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"xingqu/bot"
	"xingqu/dialog"
	"xingqu/providers/geo"
	"xingqu/providers/llm"
	"xingqu/providers/planner"
	"xingqu/providers/weather"
	"xingqu/store"
)

// planWorkers is how many plans one instance makes at once. Planning waits on the
// network, not the CPU, so a few more than the cores is right.
const planWorkers = 4

// service is everything serve runs besides the HTTP server: the pipeline every channel
// feeds, the providers, and the planning workers.
type service struct {
	pipeline *bot.Pipeline
	chain    *llm.Chain
	planner  *planner.Planner
	log      *slog.Logger
}

func newService(cfg config, db *store.DB, log *slog.Logger, reg prometheus.Registerer) *service {
	cache := store.Cache{DB: db}
	httpc := &http.Client{Timeout: 15 * time.Second}
	var providers []llm.ProviderConfig
	for _, p := range cfg.LLMProviders {
		providers = append(providers, llm.ProviderConfig{Name: p.Name, BaseURL: p.BaseURL, APIKey: p.APIKey, Model: p.Model, Timeout: p.Timeout})
	}
	// A traveller who keeps asking for new plans cannot run up an unbounded bill.
	chain := llm.New(llm.Config{Providers: providers, HedgeAfter: cfg.LLMHedgeAfter, DailyTokenBudget: 200_000},
		llm.WithLogger(log), llm.WithRegisterer(reg))
	pl := &planner.Planner{
		Chain: chain,
		Geo: geo.New(geo.Config{LocationIQKey: cfg.LocationIQKey, LocationIQBaseURL: cfg.LocationIQBaseURL,
			NominatimBaseURL: cfg.NominatimBaseURL, UserAgent: geo.UserAgent(version, cfg.PublicURL), HTTPClient: httpc, Cache: cache}),
		Weather: weather.New(weather.Config{OpenWeatherKey: cfg.OpenWeatherKey, OpenWeatherBaseURL: cfg.OpenWeatherBaseURL,
			OpenMeteoBaseURL: cfg.OpenMeteoBaseURL, HTTPClient: httpc, Cache: cache}),
		Log: log,
	}
	// One notice board per instance: the pipeline holds messages by it during maintenance,
	// /status lists its notices, and the HTTP handlers read the same cache.
	board := &bot.NoticeBoard{DB: db, Loc: cfg.DefaultTZ, Log: log}
	// The gazetteer is read once, before the first turn needs it.
	go geo.Warm()
	p := &bot.Pipeline{DB: db, Engine: &dialog.Engine{DefaultLoc: cfg.DefaultTZ, Places: geo.Places{}, Notices: board.Notices}, Log: log, Notices: board}
	if len(providers) > 0 {
		p.Extractor = planner.Extractor{Chain: chain}
	}
	return &service{pipeline: p, chain: chain, planner: pl, log: log}
}

// plan makes the plan a job asks for.
func (s *service) plan(ctx context.Context, job bot.PlanJob) (dialog.Plan, error) {
	res, err := s.planner.Plan(ctx, planner.Request{Trip: job.Trip, Lang: job.Lang, TravellerID: job.TravellerID(),
		OnProgress: func(p llm.Progress) { bot.ReportProgress(ctx, p.Provider, p.Chars, p.Text) }})
	if err != nil {
		return dialog.Plan{}, err
	}
	return res.Plan, nil
}

// start runs the background work until ctx ends; the returned function waits for it.
func (s *service) start(ctx context.Context) (wait func()) {
	planner.Warm()
	var wg sync.WaitGroup
	for i := 0; i < planWorkers; i++ {
		w := &bot.PlanWorker{Pipeline: s.pipeline, Plan: s.plan, Log: s.log}
		wg.Add(1)
		go func() { defer wg.Done(); w.Run(ctx) }()
	}
	// Service notices reach Telegram subscribers through the outbox.
	nw := &bot.NoticeWorker{DB: s.pipeline.DB, Loc: s.pipeline.Engine.DefaultLoc, Log: s.log}
	wg.Add(1)
	go func() { defer wg.Done(); nw.Run(ctx) }()
	// Messages stored but not handled when an instance stopped are handled now, and
	// any a failed or dead handler leaves behind later on.
	wg.Add(1)
	go func() { defer wg.Done(); s.pipeline.DrainPending(ctx); s.pipeline.Sweep(ctx, 5*time.Second) }()
	return wg.Wait
}

// recommend makes a plan for the recommendations API while the caller waits.
func (s *service) recommend(ctx context.Context, trip dialog.TripRequest, lang, who string) (dialog.Plan, error) {
	res, err := s.planner.Plan(ctx, planner.Request{Trip: trip, Lang: lang, TravellerID: who})
	return res.Plan, err
}
