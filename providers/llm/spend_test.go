package llm

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"xingqu/dialog"
)

// Extractions are charged like plans, to the traveller and to the address; over budget,
// none is made.
func TestExtractionIsCharged(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int, _ openai.ChatCompletionRequest) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(readTestdata(t, "completion_extract_json_object.json"))
	})
	ledger := NewMemoryLedger()
	c := newTestChain(t, Config{Providers: []ProviderConfig{f.config("a")}, DailyTokenBudget: 900, AddressDailyTokenBudget: 10_000},
		WithTokenLedger(ledger))
	ctx := WithSpender(context.Background(), Spender{Traveller: "web:s1", Address: "203.0.113.9"})
	day := dialog.DateOf(testNow)
	for i := 0; i < 2; i++ {
		if _, err := c.Extract(ctx, "福州, 10月25日到11月4日, 每人2000, 带孩子, 想吃闽菜", "zh", testNow); err != nil {
			t.Fatal(err)
		}
	}
	for _, key := range []string{"traveller:web:s1", "address:203.0.113.9"} {
		if n, _ := ledger.Spent(ctx, key, day); n != 2*473 {
			t.Errorf("%s spent %d, want %d (the reported usage, twice)", key, n, 2*473)
		}
	}
	if _, err := c.Extract(ctx, "福州", "zh", testNow); !errors.Is(err, ErrOverBudget) {
		t.Errorf("third extraction: %v, want ErrOverBudget", err)
	}
	if n := len(f.requests()); n != 2 {
		t.Errorf("requests = %d, want 2", n)
	}
	if s := c.Spending(); s.TokensToday != 2*473 {
		t.Errorf("tokens today = %d, want %d", s.TokensToday, 2*473)
	}
}

// With every call slot taken, an extraction is not made (the parsers carry on) and a
// plan waits for a slot.
func TestCallsInFlightAreCapped(t *testing.T) {
	cancelled := make(chan struct{})
	slow := newFake(t, stall(cancelled))
	c := newTestChain(t, Config{Providers: []ProviderConfig{slow.config("slow")}, MaxInFlight: 1})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Plan(ctx, PlanRequest{Trip: testTrip(), Lang: "zh"})
	}()
	waitFor(t, func() bool { return len(slow.requests()) == 1 })
	if _, err := c.Extract(context.Background(), "随便", "zh", testNow); !errors.Is(err, ErrBusy) {
		t.Errorf("extract with no slot free: %v, want ErrBusy", err)
	}
	cancel()
	<-done
	if len(slow.requests()) != 1 {
		t.Errorf("requests = %d, want only the plan's", len(slow.requests()))
	}
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A spender given as a function is found only when a model call is about to be made, once
// however many calls follow, and the calls are charged to it; with no model to call it is
// never looked up.
func TestSpenderFuncFoundOnlyForModelCalls(t *testing.T) {
	var finds atomic.Int64
	ctxFor := func() context.Context {
		finds.Store(0)
		return WithSpenderFunc(context.Background(), func(context.Context) Spender {
			finds.Add(1)
			return Spender{Traveller: "telegram:42", Address: "198.51.100.7"}
		})
	}

	offline := newTestChain(t, Config{DailyTokenBudget: 10_000, AddressDailyTokenBudget: 10_000})
	ctx := ctxFor()
	if p, err := offline.Plan(ctx, PlanRequest{Trip: testTrip(), Lang: "zh"}); err != nil || p.Source != "offline" {
		t.Fatalf("plan with no model: %q %v", p.Source, err)
	}
	if _, err := offline.Extract(ctx, "福州", "zh", testNow); !errors.Is(err, ErrNoProvider) {
		t.Fatalf("extract with no model: %v, want ErrNoProvider", err)
	}
	if n := finds.Load(); n != 0 {
		t.Errorf("with no model the spender was looked up %d times, want 0", n)
	}

	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, req openai.ChatCompletionRequest) {
		if req.Stream {
			okStream(t)(w, r, n, req)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(readTestdata(t, "completion_extract_json_object.json"))
	})
	ledger := NewMemoryLedger()
	c := newTestChain(t, Config{Providers: []ProviderConfig{f.config("a")}, DailyTokenBudget: 100_000, AddressDailyTokenBudget: 100_000},
		WithTokenLedger(ledger))
	ctx = ctxFor()
	if p, err := c.Plan(ctx, PlanRequest{Trip: testTrip(), Lang: "zh"}); err != nil || p.Source != "a" {
		t.Fatalf("plan: %q %v", p.Source, err)
	}
	if _, err := c.Extract(ctx, "福州, 10月25日到11月4日, 每人2000, 带孩子, 想吃闽菜", "zh", testNow); err != nil {
		t.Fatal(err)
	}
	if n := finds.Load(); n != 1 {
		t.Errorf("spender looked up %d times for two calls, want 1", n)
	}
	day := dialog.DateOf(testNow)
	for _, key := range []string{"traveller:telegram:42", "address:198.51.100.7"} {
		if n, _ := ledger.Spent(ctx, key, day); n != 2002+473 {
			t.Errorf("%s spent %d, want %d (the plan's and the extraction's usage)", key, n, 2002+473)
		}
	}

	// A request that names its traveller is charged to it, with no look-up.
	ctx = ctxFor()
	if _, err := c.Plan(ctx, PlanRequest{Trip: testTrip(), Lang: "zh", TravellerID: "web:s9"}); err != nil {
		t.Fatal(err)
	}
	if n, _ := ledger.Spent(ctx, "traveller:web:s9", day); n != 2002 || finds.Load() != 0 {
		t.Errorf("named traveller: spent %d with %d look-ups, want 2002 with 0", n, finds.Load())
	}
}
