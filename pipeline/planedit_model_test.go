package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"xingqu/dialog"
	"xingqu/providers/llm"
	"xingqu/providers/planner"
	"xingqu/store"
)

// modelPlan is a model's answer for a four-day trip from 2026-12-25, every day reading day.
func modelPlan(day string) string {
	var opts []any
	for _, tier := range dialog.Tiers {
		var days []any
		for i := 0; i < 4; i++ {
			days = append(days, map[string]any{"date": dialog.NewDate(2026, 12, 25+i).String(),
				"morning": day + "（上午）", "afternoon": day + "（下午）", "evening": day + "（晚上）"})
		}
		opts = append(opts, map[string]any{"tier": string(tier), "title": string(tier),
			"budget": map[string]any{"low": 1000, "high": 2000, "currency": "CNY"}, "days": days,
			"food": []string{"鱼丸"}, "tips": []string{"带伞"}})
	}
	b, _ := json.Marshal(map[string]any{"options": opts})
	return string(b)
}

// switchableModel is an OpenAI-compatible endpoint that fails with 503 until up is set,
// then answers every chat completion with content.
func switchableModel(t *testing.T, content string) (baseURL string, up *atomic.Bool, calls *atomic.Int64) {
	t.Helper()
	up, calls = &atomic.Bool{}, &atomic.Int64{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" {
			http.NotFound(w, r)
			return
		}
		calls.Add(1)
		if !up.Load() {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"error":{"message":"overloaded","type":"server_error"}}`))
			return
		}
		answerChat(w, r, content)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/v1", up, calls
}

// An edit only a model can make, while every model fails: the plan stays at its version,
// the traveller sees E-808 with a retry button, and the retry makes the edit once the
// model answers, changing that day only.
func TestEditWhileModelsFailSaysE808AndRetryWorks(t *testing.T) {
	t.Parallel()
	base, up, calls := switchableModel(t, modelPlan("闽江夜游浪漫晚餐"))
	chain := llm.New(llm.Config{Providers: []llm.ProviderConfig{{Name: "fake", BaseURL: base, Model: "fake-1", Timeout: 2 * time.Second}}},
		llm.WithBreaker(1000, time.Millisecond))
	p := newPipeline(t)
	pl := &planner.Planner{Chain: chain, Log: p.Log}
	edit := func(ctx context.Context, job PlanJob, b dialog.Plan) (dialog.Plan, error) {
		return pl.Edit(ctx, planner.EditRequest{Base: b, Edit: *job.Edit, Tier: job.Tier, Lang: job.Lang})
	}
	s := newEditSession(t, p, "e808", edit)
	s.say("福州, 12月25日到12月28日, 每人2000, 带孩子, 喜欢海边")
	s.say("好")
	v1 := s.version(1)
	s.say("我选经济适用游")
	s.say("第二天想浪漫一点")
	s.settled()
	last := s.lastBot()
	var body store.MessageBody
	json.Unmarshal(last.Body, &body)
	if !strings.Contains(last.Text, "E-808") || !strings.Contains(last.Text, "第1版") {
		t.Fatalf("reply %q, want E-808 and the kept version 1", last.Text)
	}
	retry := false
	for _, ch := range body.Choices {
		retry = retry || ch.Action == "pe:retry"
	}
	if !retry {
		t.Fatalf("buttons %+v, want a retry", body.Choices)
	}
	if calls.Load() == 0 {
		t.Fatal("the model was never asked")
	}
	if plans, _ := store.Plans(context.Background(), p.DB, s.convID); len(plans) != 1 {
		t.Fatalf("%d versions after a failed edit, want 1", len(plans))
	}
	up.Store(true)
	s.press("pe:retry")
	v2 := s.version(2)
	o1, o2 := optionOf(v1, dialog.TierEconomical), optionOf(v2, dialog.TierEconomical)
	if !strings.Contains(o2.Days[1].Morning, "闽江夜游") {
		t.Errorf("day 2 = %+v, want the model's", o2.Days[1])
	}
	if d := differingDays(o1, o2, 0, 2, 3); len(d) > 0 {
		t.Errorf("days %v changed; only day 2 may", d)
	}
	if fmt.Sprint(optionOf(v1, dialog.TierLuxury)) != fmt.Sprint(optionOf(v2, dialog.TierLuxury)) {
		t.Error("the luxury option changed; only the chosen one may")
	}
	if msg := s.lastPlanMessage(); !strings.Contains(msg, "第2版") || !strings.Contains(msg, "第2天：") {
		t.Errorf("plan message %q, want version 2 and what changed on day 2", msg)
	}
}

// A model that answers with the day to change left as it was fails validation: the edit
// falls back to the offline planner, which cannot make a change in free words, so E-808.
func TestEditAnswerThatChangesNothingFailsValidation(t *testing.T) {
	t.Parallel()
	p := newPipeline(t)
	var answer atomic.Value
	answer.Store("")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		answerChat(w, r, answer.Load().(string))
	}))
	t.Cleanup(srv.Close)
	chain := llm.New(llm.Config{Providers: []llm.ProviderConfig{{Name: "fake", BaseURL: srv.URL + "/v1", Model: "fake-1", Timeout: 2 * time.Second}}})
	pl := &planner.Planner{Chain: chain, Log: p.Log}
	edit := func(ctx context.Context, job PlanJob, b dialog.Plan) (dialog.Plan, error) {
		// The model echoes the plan it was given: nothing changes.
		answer.Store(echoPlan(b))
		return pl.Edit(ctx, planner.EditRequest{Base: b, Edit: *job.Edit, Tier: job.Tier, Lang: job.Lang})
	}
	s := newEditSession(t, p, "echo", edit)
	s.say("Lisbon, Dec 25-28, 2000 CNY each, with kids, we like beaches")
	s.say("yes")
	s.version(1)
	s.say("make day 3 more romantic")
	s.settled()
	if got := s.lastBot().Text; !strings.Contains(got, "E-808") || !strings.Contains(got, "version 1") {
		t.Fatalf("reply %q, want E-808 and version 1 kept", got)
	}
}

// echoPlan writes a plan back in the model's answer format.
func echoPlan(p dialog.Plan) string {
	var opts []any
	for _, o := range p.Options {
		var days []any
		for _, d := range o.Days {
			days = append(days, map[string]any{"date": d.Date.String(), "morning": d.Morning, "afternoon": d.Afternoon, "evening": d.Evening})
		}
		opts = append(opts, map[string]any{"tier": string(o.Tier), "title": o.Title,
			"budget": map[string]any{"low": o.BudgetLow, "high": o.BudgetHigh, "currency": "CNY"}, "days": days})
	}
	b, _ := json.Marshal(map[string]any{"options": opts})
	return string(b)
}

// answerChat answers a chat completion with content as the API does: a stream of
// server-sent chunks when the request asks to stream, else one JSON object.
func answerChat(w http.ResponseWriter, r *http.Request, content string) {
	var req struct {
		Stream bool `json:"stream"`
	}
	json.NewDecoder(r.Body).Decode(&req)
	if !req.Stream {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"id": "chatcmpl-edit", "object": "chat.completion", "created": 1764583200, "model": "fake-1",
			"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
				"message": map[string]any{"role": "assistant", "content": content}}},
			"usage": map[string]any{"prompt_tokens": 400, "completion_tokens": 60, "total_tokens": 460},
		})
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	chunk := func(delta map[string]any, finish any) {
		b, _ := json.Marshal(map[string]any{"id": "chatcmpl-edit", "object": "chat.completion.chunk", "created": 1764583200,
			"model": "fake-1", "choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}}})
		fmt.Fprintf(w, "data: %s\n\n", b)
	}
	chunk(map[string]any{"role": "assistant", "content": ""}, nil)
	rs := []rune(content)
	for i := 0; i < len(rs); i += 200 {
		chunk(map[string]any{"content": string(rs[i:min(i+200, len(rs))])}, nil)
	}
	chunk(map[string]any{}, "stop")
	fmt.Fprint(w, "data: [DONE]\n\n")
}
