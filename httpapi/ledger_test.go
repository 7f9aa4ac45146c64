package httpapi

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"xingqu/dialog"
	"xingqu/pipeline"
	"xingqu/providers/llm"
	"xingqu/store"
	"xingqu/store/storetest"
)

// The daily budget is one budget whichever instance plans and across a restart: what one
// instance spent for a traveller stops the next plan on another, and on a new instance
// after a restart; a new session from the same address is stopped by the address's
// budget.
func TestBudgetAcrossInstancesAndRestart(t *testing.T) {
	t.Parallel()
	url := storetest.URL(t)
	ctx := context.Background()
	fake := fakeLLM(t)
	t.Cleanup(fake.Close)
	instance := func() (*llm.Chain, *store.DB) {
		db, err := store.Open(ctx, url, store.PoolConfig{MaxOpen: 4})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		c := llm.New(llm.Config{DailyTokenBudget: 100, AddressDailyTokenBudget: 100,
			Providers: []llm.ProviderConfig{{Name: "fake", BaseURL: fake.URL + "/v1", APIKey: "k", Model: "fake", Timeout: 5 * time.Second}}},
			llm.WithTokenLedger(store.TokenLedger{DB: db}))
		return c, db
	}
	req := func(traveller, addr string) llm.PlanRequest {
		return llm.PlanRequest{Trip: recommendTrip(), Lang: "zh", TravellerID: traveller, Address: addr}
	}
	a, _ := instance()
	b, dbB := instance()
	plan, err := a.Plan(ctx, req("web:s1", "203.0.113.9"))
	if err != nil || plan.Draft {
		t.Fatalf("first plan: draft %v, err %v; want a real plan", plan.Draft, err)
	}
	if plan, _ := b.Plan(ctx, req("web:s1", "")); !plan.Draft {
		t.Error("second instance planned for a traveller over budget; want the draft")
	}
	if plan, _ := b.Plan(ctx, req("web:s2", "203.0.113.9")); !plan.Draft {
		t.Error("a new session from the same address planned; want the draft (address budget)")
	}
	if plan, _ := b.Plan(ctx, req("web:s3", "198.51.100.1")); plan.Draft {
		t.Error("someone else, elsewhere, got the draft; want a real plan")
	}
	dbB.Close()
	c, _ := instance() // a restart: new pool, new chain, nothing in memory
	if plan, _ := c.Plan(ctx, req("web:s1", "")); !plan.Draft {
		t.Error("after a restart the traveller planned again; want the draft")
	}
}

// recommendTrip is the seed's example trip, which the fake model's plan answers.
func recommendTrip() dialog.TripRequest {
	var rr RecommendationRequest
	json.Unmarshal([]byte(seedRequest), &rr)
	trip, _ := rr.trip()
	return trip
}

// A traveller over the day's budget gets the draft in the chat with LLM-105 said plainly
// and a human offered.
func TestChatOverBudgetGetsDraftWithLLM105(t *testing.T) {
	t.Parallel()
	p := newPipeline(t)
	fake := fakeLLM(t)
	t.Cleanup(fake.Close)
	ledger := store.TokenLedger{DB: p.DB}
	chain := llm.New(llm.Config{DailyTokenBudget: 1000,
		Providers: []llm.ProviderConfig{{Name: "fake", BaseURL: fake.URL + "/v1", APIKey: "k", Model: "fake", Timeout: 5 * time.Second}}},
		llm.WithTokenLedger(ledger))
	convID := toPlanning(t, p, "w-over")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	traveller, _, err := store.Spender(ctx, p.DB, convID)
	if err != nil || traveller != "web:w-over" {
		t.Fatalf("spender = %q, %v", traveller, err)
	}
	if err := ledger.Add(ctx, "traveller:"+traveller, dialog.DateOf(time.Now()), 5000); err != nil {
		t.Fatal(err)
	}
	plan := func(ctx context.Context, job pipeline.PlanJob, _ pipeline.ReportFunc) (dialog.Plan, error) {
		return chain.Plan(ctx, llm.PlanRequest{Trip: job.Trip, Lang: job.Lang, TravellerID: traveller})
	}
	w := &pipeline.PlanWorker{Pipeline: p, Plan: plan, Poll: 20 * time.Millisecond, Log: p.Log}
	go w.Run(ctx)
	waitUntil(t, 10*time.Second, "plan delivered", func() bool { return planMessages(t, p.DB, convID) == 1 })
	ms := transcript(t, p.DB, convID)
	said, human := false, false
	for _, m := range ms {
		if m.Role == "bot" && strings.Contains(m.Text, "LLM-105") {
			said = true
		}
		if m.Role == "bot" && strings.Contains(strings.ReplaceAll(string(m.Body), " ", ""), `"action":"human"`) {
			human = true
		}
	}
	if !said || !human {
		t.Errorf("LLM-105 said %v, human offered %v; transcript %+v", said, human, ms)
	}
}
