package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"xingqu/channel/telegram"
	"xingqu/dialog"
	"xingqu/httpapi"
	"xingqu/notices"
	"xingqu/pipeline"
	"xingqu/providers"
	"xingqu/providers/emergency"
	"xingqu/providers/geo"
	"xingqu/providers/llm"
	"xingqu/providers/planner"
	"xingqu/providers/weather"
	"xingqu/store"
)

// planWorkers is how many plans one instance makes at once. Planning waits on the
// network, not the CPU, so a few more than the cores is right.
const planWorkers = 4

// Spend limits. A plan costs about 2,000-4,000 tokens and an extraction about 500, so a
// traveller gets some fifty plans a day, and an address (an office, a NAT) ten
// travellers' worth. Calls in flight cover the plan workers with their hedges, the
// recommendations API and extraction.
const (
	travellerDailyTokens = 200_000
	addressDailyTokens   = 2_000_000
	modelCallsInFlight   = 32
)

// The provider answers kept in memory in front of PostgreSQL: a few thousand places and
// forecasts, each for at most two minutes, so that an answer another instance fetched
// anew shows here soon.
const (
	cacheMemoryEntries = 2048
	cacheMemoryTTL     = 2 * time.Minute
)

// service is everything serve runs besides the HTTP server: the pipeline every channel
// feeds, the providers, and the planning workers.
type service struct {
	pipeline *pipeline.Pipeline
	chain    *llm.Chain
	planner  *planner.Planner
	log      *slog.Logger
	weather  *weather.Client
	// retention is how long a traveller may stay silent before their data is deleted.
	retention time.Duration
}

func newService(cfg config, db *store.DB, log *slog.Logger, reg prometheus.Registerer) *service {
	// Travellers plan the same few destinations: their forecasts and places are read from
	// memory, and from PostgreSQL once per few minutes and instance.
	cache := providers.NewLayered(store.Cache{DB: db}, cacheMemoryEntries, cacheMemoryTTL)
	httpc := &http.Client{Timeout: 15 * time.Second}
	var models []llm.ProviderConfig
	for _, p := range cfg.LLMProviders {
		models = append(models, llm.ProviderConfig{Name: p.Name, BaseURL: p.BaseURL, APIKey: p.APIKey, Model: p.Model, Timeout: p.Timeout, Structured: p.Structured})
	}
	// A traveller who keeps asking for new plans, or opens new sessions to do so, cannot
	// run up an unbounded bill: the budgets are kept in PostgreSQL for every instance.
	chain := llm.New(llm.Config{Providers: models, HedgeAfter: cfg.LLMHedgeAfter,
		DailyTokenBudget: travellerDailyTokens, AddressDailyTokenBudget: addressDailyTokens, MaxInFlight: modelCallsInFlight},
		llm.WithLogger(log), llm.WithRegisterer(reg), llm.WithPlaceNames(planner.PlaceNames),
		llm.WithTokenLedger(store.TokenLedger{DB: db}))
	wx := weather.New(weather.Config{OpenWeatherKey: cfg.OpenWeatherKey, OpenWeatherBaseURL: cfg.OpenWeatherBaseURL,
		OpenMeteoBaseURL: cfg.OpenMeteoBaseURL, HTTPClient: httpc, Cache: cache})
	pl := &planner.Planner{
		Chain: chain,
		Geo: geo.New(geo.Config{LocationIQKey: cfg.LocationIQKey, LocationIQBaseURL: cfg.LocationIQBaseURL,
			NominatimBaseURL: cfg.NominatimBaseURL, UserAgent: geo.UserAgent(version, cfg.PublicURL), HTTPClient: httpc, Cache: cache}),
		Weather: wx,
		Log:     log,
	}
	// One notice board per instance: the pipeline holds messages by it during maintenance,
	// /status lists its notices, and the HTTP handlers read the same cache.
	board := &notices.NoticeBoard{DB: db, Loc: cfg.DefaultTZ, Log: log}
	// The gazetteer is read once, before the first turn needs it.
	go geo.Warm()
	// /changelog in chat lists the latest completed updates and links the page.
	feed := &httpapi.ChangelogFeed{DB: db, Log: log}
	p := &pipeline.Pipeline{DB: db, Engine: &dialog.Engine{DefaultLoc: cfg.DefaultTZ, Places: geo.Places{}, Notices: board.Notices, EmergencyHelp: emergency.Help,
		Changelog: feed.Entries, ChangelogURL: strings.TrimRight(cfg.PublicURL, "/") + "/changelog"}, Log: log, Notices: board, MessageRate: cfg.MessageRate}
	if cfg.TelegramToken != "" {
		// Queuing a reply needs no running channel: the rows wait for its sender.
		p.Outbox = telegram.Writer{}
	}
	if len(models) > 0 {
		p.Extractor = planner.Extractor{Chain: chain}
	}
	return &service{pipeline: p, chain: chain, planner: pl, log: log, weather: wx, retention: cfg.Retention}
}

// plan makes the plan a job asks for, charged to the traveller the worker put in ctx.
func (s *service) plan(ctx context.Context, job pipeline.PlanJob, report pipeline.ReportFunc) (dialog.Plan, error) {
	res, err := s.planner.Plan(ctx, planner.Request{Trip: job.Trip, Lang: job.Lang,
		OnProgress: func(p llm.Progress) { report(p.Provider, p.Chars, p.Text) }})
	if err != nil {
		return dialog.Plan{}, err
	}
	return res.Plan, nil
}

// edit makes the plan edit a job asks for, charged like plan.
func (s *service) edit(ctx context.Context, job pipeline.PlanJob, base dialog.Plan) (dialog.Plan, error) {
	return s.planner.Edit(ctx, planner.EditRequest{Base: base, Edit: *job.Edit, Tier: job.Tier, Lang: job.Lang})
}

// editRecommendation makes an edit of a plan made through the recommendations API.
func (s *service) editRecommendation(ctx context.Context, base dialog.Plan, e dialog.PlanEdit, lang string) (dialog.Plan, error) {
	return s.planner.Edit(ctx, planner.EditRequest{Base: base, Edit: e, Lang: lang})
}

// start runs the background work until ctx ends; the returned function waits for it.
// The plan workers hear of new jobs through listener, and poll only when it has no
// database to listen on.
func (s *service) start(ctx context.Context, listener *store.Listener) (wait func()) {
	planner.Warm()
	var wg sync.WaitGroup
	var wake *pipeline.JobSignal
	for i := 0; i < planWorkers; i++ {
		w := &pipeline.PlanWorker{Pipeline: s.pipeline, Plan: s.plan, Edit: s.edit, Weather: s.planner.Forecast, Log: s.log}
		if i == 0 && listener != nil && listener.Configured() {
			wake = pipeline.NewJobSignal()
			wake.Listen(ctx, listener, w.Kinds(), planWorkers)
		}
		w.Wake = wake
		wg.Add(1)
		go func() { defer wg.Done(); w.Run(ctx) }()
	}
	// Service notices reach Telegram subscribers through the outbox.
	nw := &notices.NoticeWorker{DB: s.pipeline.DB, Loc: s.pipeline.Engine.DefaultLoc, Log: s.log}
	wg.Add(1)
	go func() { defer wg.Done(); nw.Run(ctx) }()
	// Messages stored but not handled when an instance stopped are handled now, and
	// any a failed or dead handler leaves behind later on.
	wg.Add(1)
	go func() { defer wg.Done(); s.pipeline.DrainPending(ctx); s.pipeline.Sweep(ctx, 5*time.Second) }()
	wg.Add(1)
	go func() { defer wg.Done(); s.retire(ctx, time.Hour) }()
	// Severe weather on a planned trip's days, checked once a day across instances.
	host, _ := os.Hostname()
	ww := &pipeline.WeatherWatch{DB: s.pipeline.DB, Weather: s.weather, Pipeline: s.pipeline, Places: geo.Places{},
		Instance: fmt.Sprintf("%s:%d", host, os.Getpid()), Loc: s.pipeline.Engine.DefaultLoc, Log: s.log}
	wg.Add(1)
	go func() { defer wg.Done(); ww.Run(ctx, time.Hour) }()
	// Hospitals or police near a traveller in trouble who shared where they are.
	nw2 := &pipeline.NearbyWorker{Pipeline: s.pipeline, Finder: s.planner.Geo, Log: s.log}
	wg.Add(1)
	go func() { defer wg.Done(); nw2.Run(ctx) }()
	return wg.Wait
}

// retire deletes, every so often, the data of travellers silent for longer than the
// retention (XINGQU_RETENTION), keeping only counts. Every instance runs it; they skip
// each other's rows.
func (s *service) retire(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if s.retention > 0 {
			r, err := store.RetireAllInactive(ctx, s.pipeline.DB, s.retention)
			switch {
			case err != nil && ctx.Err() == nil:
				s.log.Warn("retention", "err", err)
			case r.Travellers > 0:
				s.log.Info("retention: inactive travellers deleted", "travellers", r.Travellers,
					"conversations", r.Conversations, "messages", r.Messages)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// recommend makes a plan for the recommendations API while the caller waits.
func (s *service) recommend(ctx context.Context, trip dialog.TripRequest, lang string, who llm.Spender) (dialog.Plan, llm.Report, error) {
	res, err := s.planner.Plan(ctx, planner.Request{Trip: trip, Lang: lang, TravellerID: who.Traveller, Address: who.Address})
	return res.Plan, res.Report, err
}
