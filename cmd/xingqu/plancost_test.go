package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"xingqu/pipeline"
	"xingqu/store"
	"xingqu/store/storetest"
)

// spenderLookups counts the statements store.Spender ran on the test's database; the
// private test cluster loads pg_stat_statements.
func spenderLookups(t *testing.T, db *store.DB) int64 {
	t.Helper()
	var n int64
	err := db.GetContext(context.Background(), &n, `
SELECT COALESCE(sum(calls), 0)::bigint FROM pg_stat_statements
WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND query LIKE '%LEFT JOIN traveller_networks%'`)
	if err != nil {
		t.Fatalf("pg_stat_statements: %v", err)
	}
	return n
}

// planFor walks a Telegram traveller to a plan request and runs the service's plan
// workers until the job is done.
func planFor(t *testing.T, db *store.DB, getenv func(string) string, chat string) {
	t.Helper()
	ctx := context.Background()
	cfg, err := parseConfig(getenv)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := newService(cfg, db, log, prometheus.NewRegistry())
	var convID int64
	for i, text := range []string{"福州, 12月25日到12月28日, 每人2000, 带孩子, 喜欢海边", "好"} {
		id, _, err := svc.pipeline.Handle(ctx, pipeline.Inbound{Channel: "telegram", ExternalID: chat, InboundID: fmt.Sprint(chat, ":", i), Text: text})
		if err != nil {
			t.Fatal(err)
		}
		convID = id
	}
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	for i := 0; i < 2; i++ {
		w := &pipeline.PlanWorker{Pipeline: svc.pipeline, Plan: svc.plan, Edit: svc.edit, Poll: 20 * time.Millisecond, Log: log}
		go w.Run(wctx)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var pending int
		if err := db.GetContext(ctx, &pending, `SELECT count(*) FROM jobs WHERE conversation_id = $1 AND done_at IS NULL`, convID); err != nil {
			t.Fatal(err)
		}
		var jobs int
		db.GetContext(ctx, &jobs, `SELECT count(*) FROM jobs WHERE conversation_id = $1`, convID)
		if jobs > 0 && pending == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("plan job of conversation %d not done (%d jobs, %d pending)", convID, jobs, pending)
		}
	}
}

// A plan made with no model configured costs no look-up of who would have paid for it;
// with a model, the tokens are charged to the traveller who asked.
func TestPlanLooksUpTheSpenderOnlyForModelCalls(t *testing.T) {
	t.Parallel()
	// Weather and places are never fetched from the internet here: Fuzhou is in the
	// gazetteer, and the forecast service refuses at once.
	refused := httptest.NewServer(http.NotFoundHandler())
	refused.Close()

	t.Run("no model", func(t *testing.T) {
		t.Parallel()
		db := storetest.New(t)
		if _, err := db.ExecContext(context.Background(), `CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err != nil {
			t.Fatalf("pg_stat_statements: %v", err)
		}
		planFor(t, db, env("OPENMETEO_BASE_URL", refused.URL), "4201")
		if n := spenderLookups(t, db); n != 0 {
			t.Errorf("spender looked up %d times for a plan no model made, want 0", n)
		}
		var plans int
		db.GetContext(context.Background(), &plans, `SELECT count(*) FROM plans`)
		if plans != 1 {
			t.Errorf("plans = %d, want the offline one", plans)
		}
	})

	t.Run("fake model", func(t *testing.T) {
		t.Parallel()
		var calls, streamed atomic.Int64
		model := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/v1/chat/completions" {
				http.NotFound(w, r)
				return
			}
			calls.Add(1)
			if fakeCompletion(w, r) {
				streamed.Add(1)
			}
		}))
		defer model.Close()
		db := storetest.New(t)
		if _, err := db.ExecContext(context.Background(), `CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err != nil {
			t.Fatalf("pg_stat_statements: %v", err)
		}
		planFor(t, db, env("OPENMETEO_BASE_URL", refused.URL, "LLM_PROVIDERS", "fake",
			"LLM_FAKE_BASE_URL", model.URL+"/v1", "LLM_FAKE_MODEL", "fake-1", "LLM_FAKE_API_KEY", "k"), "4202")
		if calls.Load() == 0 {
			t.Fatal("the model was never called")
		}
		var spent []struct {
			Spender string `db:"spender"`
			Tokens  int64  `db:"tokens"`
		}
		if err := db.SelectContext(context.Background(), &spent, `SELECT spender, tokens FROM token_spend ORDER BY spender`); err != nil {
			t.Fatal(err)
		}
		// Every call reports 460 tokens: the plan's (streamed, then its repair) and any
		// reading of a message the parsers left unread, all on the traveller's bill.
		if want := 460 * calls.Load(); len(spent) != 1 || spent[0].Spender != "traveller:telegram:4202" || spent[0].Tokens != want {
			t.Errorf("token_spend = %+v, want %d tokens charged to traveller:telegram:4202 only", spent, want)
		}
		if streamed.Load() == 0 {
			t.Error("no plan was asked of the model")
		}
		if n := spenderLookups(t, db); n == 0 {
			t.Error("the spender was never looked up although the model was called")
		}
	})
}

// fakeCompletion answers a chat completion, streamed or not, as an OpenAI-compatible
// server does, with its usage; the answer is no plan, so the chain falls back to the
// offline draft after paying for it. It reports whether the answer was streamed (a plan).
func fakeCompletion(w http.ResponseWriter, r *http.Request) bool {
	var req struct {
		Stream bool `json:"stream"`
	}
	json.NewDecoder(r.Body).Decode(&req)
	usage := map[string]any{"prompt_tokens": 400, "completion_tokens": 60, "total_tokens": 460}
	if !req.Stream {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"id": "chatcmpl-1", "object": "chat.completion", "created": 1764583200, "model": "fake-1",
			"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
				"message": map[string]any{"role": "assistant", "content": "{}"}}},
			"usage": usage,
		})
		return false
	}
	w.Header().Set("Content-Type", "text/event-stream")
	chunk := func(v map[string]any) {
		v["id"], v["object"], v["created"], v["model"] = "chatcmpl-1", "chat.completion.chunk", 1764583200, "fake-1"
		b, _ := json.Marshal(v)
		fmt.Fprintf(w, "data: %s\n\n", b)
	}
	chunk(map[string]any{"choices": []any{map[string]any{"index": 0, "delta": map[string]any{"role": "assistant", "content": "{}"}}}})
	chunk(map[string]any{"choices": []any{map[string]any{"index": 0, "delta": map[string]any{}, "finish_reason": "stop"}}})
	chunk(map[string]any{"choices": []any{}, "usage": usage})
	fmt.Fprint(w, "data: [DONE]\n\n")
	return true
}
