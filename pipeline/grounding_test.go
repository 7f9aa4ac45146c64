package pipeline

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"xingqu/providers/llm"
	"xingqu/providers/planner"
)

// fakeModel is an OpenAI-compatible endpoint that answers every chat completion with
// content, counting the requests.
func fakeModel(t *testing.T, content string) (baseURL string, calls *atomic.Int64) {
	t.Helper()
	calls = &atomic.Int64{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" {
			http.NotFound(w, r)
			return
		}
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"id": "chatcmpl-test", "object": "chat.completion", "created": 1764583200, "model": "fake-1",
			"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
				"message": map[string]any{"role": "assistant", "content": content}}},
			"usage": map[string]any{"prompt_tokens": 400, "completion_tokens": 60, "total_tokens": 460},
		})
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/v1", calls
}

// A model that answers an extraction with a whole itinerary, or with a destination, dates
// and numbers the message does not contain, puts nothing into the trip: in Chinese and in
// English conversations alike.
func TestExtractionCannotInvent(t *testing.T) {
	plan, err := os.ReadFile("../providers/llm/testdata/plan_content.json")
	if err != nil {
		t.Fatal(err)
	}
	invented := func(dest string) string {
		b, _ := json.Marshal(map[string]any{"destination": dest, "startDate": "2026-12-01", "endDate": "2026-12-05",
			"budget": 5000, "currency": "CNY", "partySize": 2, "accessibility": nil, "kidFriendly": nil, "petFriendly": nil,
			"naturalLandscape": nil, "socialLandscape": nil, "cuisine": nil, "otherNeeds": nil})
		return string(b)
	}
	for _, tc := range []struct {
		name, lang, text, answer string
	}{
		{"zh plan-shaped", "zh", "就是那个到处是寺庙的古都，你懂的", string(plan)},
		{"zh invented", "zh", "就按上回跟你说的那样安排，老规矩", invented("三亚")},
		{"en plan-shaped", "en", "that old capital with all the temples, you know", string(plan)},
		{"en invented", "en", "somewhere warm would be lovely, surprise me", invented("Bali")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			base, calls := fakeModel(t, tc.answer)
			chain := llm.New(llm.Config{Providers: []llm.ProviderConfig{{Name: "fake", BaseURL: base, Model: "fake-1", Timeout: 2 * time.Second}}})
			p := newPipeline(t)
			p.Extractor = planner.Extractor{Chain: chain}
			ctx := context.Background()
			convID, _, err := p.Handle(ctx, Inbound{Channel: "web", ExternalID: "g-" + tc.name, InboundID: "1", LangHint: tc.lang, Text: tc.text})
			if err != nil {
				t.Fatal(err)
			}
			if calls.Load() != 1 {
				t.Fatalf("model calls = %d, want the one extraction", calls.Load())
			}
			var slots map[string]any
			var raw []byte
			p.DB.GetContext(ctx, &raw, `SELECT slots FROM conversations WHERE id = $1`, convID)
			json.Unmarshal(raw, &slots)
			// Whatever the parsers read of the message themselves may be there; nothing the
			// model proposed may.
			model := map[string]any{"destination": []any{"三亚", "Bali", "福州"}, "startDate": []any{"2026-12-01", "2025-10-25"},
				"endDate": []any{"2026-12-05", "2025-10-27"}, "budget": []any{5000.0, 3000.0}, "partySize": []any{2.0}}
			for k, vals := range model {
				for _, v := range vals.([]any) {
					if slots[k] == v {
						t.Errorf("slot %s = %v: the model's value reached the trip", k, v)
					}
				}
			}
			t.Logf("slots after %q: %s", tc.text, raw)
			if ms := transcript(t, p.DB, convID); len(ms) < 2 || ms[len(ms)-1].Role != "bot" {
				t.Errorf("no bot reply: %+v", ms)
			}
		})
	}
}
