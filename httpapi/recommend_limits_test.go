package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"xingqu/dialog"
	"xingqu/providers/llm"
	"xingqu/providers/planner"
)

// A hundred plans asked for at once from one address, each by its own widget session:
// the address's allowance is served, the rest get 429 with the error body, and no more
// plans are made than allowed.
func TestRecommendationsLimitedPerAddress(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	plans := 0
	s, ts := recommendServer(t, func(c *Config) {
		c.RecommendAddrRate = 30
		inner := c.Recommend
		c.Recommend = func(ctx context.Context, trip dialog.TripRequest, lang string, who llm.Spender) (dialog.Plan, llm.Report, error) {
			mu.Lock()
			plans++
			mu.Unlock()
			return inner(ctx, trip, lang, who)
		}
	})
	const n = 100
	toks := make([]string, n)
	for i := range toks {
		toks[i] = widgetToken(t, s, fmt.Sprint("w-limit-", i))
	}
	codes := map[int]int{}
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, body := call(t, "POST", ts.URL+"/api/recommendations", toks[i], seedRequest)
			mu.Lock()
			defer mu.Unlock()
			codes[code]++
			if code == http.StatusTooManyRequests && (body["error_code"] != "E-429" || body["message"] == "") {
				t.Errorf("429 body = %v, want error_code E-429 and a message", body)
			}
		}()
	}
	wg.Wait()
	// The allowance refills at 30 a minute: one more per two seconds the burst took.
	most := 30 + int(time.Since(start)/(2*time.Second))
	t.Logf("status codes for %d concurrent requests from one address in %v: %v", n, time.Since(start).Round(time.Millisecond), codes)
	if codes[200] < 30 || codes[200] > most || codes[200]+codes[http.StatusTooManyRequests] != n {
		t.Errorf("codes = %v, want 30 (at most %d) × 200 and the rest 429", codes, most)
	}
	if plans != codes[200] {
		t.Errorf("plans made = %d, want %d", plans, codes[200])
	}
}

// One caller gets its own allowance, below the address's.
func TestRecommendationsLimitedPerCaller(t *testing.T) {
	t.Parallel()
	s, ts := recommendServer(t, func(c *Config) { c.RecommendRate = 2 }) // refills one a half minute: far longer than this test
	tok := widgetToken(t, s, "w-one-caller")
	var codes []int
	for i := 0; i < 4; i++ {
		code, _ := call(t, "POST", ts.URL+"/api/recommendations", tok, seedRequest)
		codes = append(codes, code)
	}
	if fmt.Sprint(codes) != "[200 200 429 429]" {
		t.Errorf("codes = %v, want two plans then 429", codes)
	}
}

// Over the day's budget, the answer is the draft, saying LLM-105 and offering a human.
func TestRecommendationOverBudgetSaysLLM105(t *testing.T) {
	t.Parallel()
	fake := fakeLLM(t)
	t.Cleanup(fake.Close)
	chain := llm.New(llm.Config{DailyTokenBudget: 1, Providers: []llm.ProviderConfig{{Name: "fake", BaseURL: fake.URL + "/v1", APIKey: "k", Model: "fake", Timeout: 5 * time.Second}}})
	s, ts := recommendServer(t, func(c *Config) {
		pl := &planner.Planner{Chain: chain, Log: c.Log}
		c.Recommend = func(ctx context.Context, trip dialog.TripRequest, lang string, who llm.Spender) (dialog.Plan, llm.Report, error) {
			res, err := pl.Plan(ctx, planner.Request{Trip: trip, Lang: lang, TravellerID: who.Traveller, Address: who.Address})
			return res.Plan, res.Report, err
		}
	})
	tok := widgetToken(t, s, "w-budget")
	code, first := call(t, "POST", ts.URL+"/api/recommendations", tok, seedRequest)
	if code != 200 || first["message"] != "旅游路线推荐成功" {
		t.Fatalf("first plan: %d %v", code, first["message"])
	}
	code, second := call(t, "POST", ts.URL+"/api/recommendations", tok, seedRequest)
	if code != 200 || second["message"] != budgetDraftMessage {
		t.Errorf("second plan: %d %v; want the draft with LLM-105", code, second["message"])
	}
	if sp := chain.Spending(); sp.BudgetDrafts != 1 || sp.TokensToday == 0 {
		t.Errorf("spending = %+v, want one budget draft and tokens counted", sp)
	}
}
