package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	"xingqu/auth"
	"xingqu/dialog"
	"xingqu/providers/llm"
	"xingqu/providers/planner"
	"xingqu/store"
)

// The seed's example request (seed 004 section 6).
const seedRequest = `{
  "destination": "福建省福州市鼓楼区",
  "startDate": "2024/10/25",
  "endDate": "2024/11/04",
  "budget": 2120,
  "accessibility": false,
  "kidFriendly": false,
  "petFriendly": false,
  "naturalLandscape": "鼓山",
  "socialLandscape": "三坊七巷",
  "cuisine": "闽菜"
}`

// fakeLLM answers chat completions as an OpenAI-compatible server does, streaming a plan
// with the seed's example options for every day of the trip.
func fakeLLM(t *testing.T) *httptest.Server {
	t.Helper()
	opt := func(tier, title, nat, soc, cui string, lo, hi int) map[string]any {
		var days []map[string]string
		start := dialog.NewDate(2024, 10, 25)
		for i := 0; i < 11; i++ {
			days = append(days, map[string]string{"date": start.AddDays(i).String(), "morning": nat, "afternoon": soc, "evening": cui, "notes": ""})
		}
		return map[string]any{"tier": tier, "title": title, "budget": map[string]any{"low": lo, "high": hi, "currency": "CNY"},
			"naturalLandscape": nat, "socialLandscape": soc, "cuisine": cui, "days": days, "food": []string{cui}, "tips": []string{"带伞"}}
	}
	plan := map[string]any{"options": []any{
		opt("luxury", "豪华尊享游", "鼓山", "三坊七巷", "达明美食街", 1460, 2780),
		opt("economical", "经济适用游", "鼓山", "闽江公园", "万达广场/老街", 860, 1280),
		opt("backpacker", "特种兵穷游", "青云山", "鼓山", "达明美食街", 310, 580),
	}}
	content, _ := json.Marshal(plan)
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		chunk := func(delta string, finish any) {
			b, _ := json.Marshal(map[string]any{"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "fake",
				"choices": []any{map[string]any{"index": 0, "delta": map[string]any{"content": delta}, "finish_reason": finish}}})
			fmt.Fprintf(w, "data: %s\n\n", b)
		}
		rs := []rune(string(content)) // chunks split between characters, as real streams do
		for len(rs) > 0 {
			n := min(len(rs), 200)
			chunk(string(rs[:n]), nil)
			rs = rs[n:]
		}
		chunk("", "stop")
		fmt.Fprint(w, "data: [DONE]\n\n")
	}))
}

// recommendServer starts a server planning with a fake model; opts change its
// configuration, and may wrap its Recommend.
func recommendServer(t *testing.T, opts ...func(*Config)) (*Server, *httptest.Server) {
	t.Helper()
	p := newPipeline(t)
	fake := fakeLLM(t)
	t.Cleanup(fake.Close)
	chain := llm.New(llm.Config{Providers: []llm.ProviderConfig{{Name: "fake", BaseURL: fake.URL + "/v1", APIKey: "k", Model: "fake"}}})
	pl := &planner.Planner{Chain: chain, Log: p.Log}
	cfg := Config{DB: p.DB, Log: p.Log, Version: "test", ProviderHealth: chain.Health, Spending: chain.Spending,
		Recommend: func(ctx context.Context, trip dialog.TripRequest, lang string, who llm.Spender) (dialog.Plan, llm.Report, error) {
			res, err := pl.Plan(ctx, planner.Request{Trip: trip, Lang: lang, TravellerID: who.Traveller, Address: who.Address})
			return res.Plan, res.Report, err
		}}
	for _, o := range opts {
		o(&cfg)
	}
	s := New(cfg)
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return s, ts
}

// widgetToken makes a widget session for a new traveller and returns its bearer token.
func widgetToken(t *testing.T, s *Server, who string) string {
	t.Helper()
	ctx := context.Background()
	tr, err := store.EnsureTraveller(ctx, s.cfg.DB, "web", who, "", "zh", "")
	if err != nil {
		t.Fatal(err)
	}
	conv, err := store.CurrentConversation(ctx, s.cfg.DB, tr.ID, "zh")
	if err != nil {
		t.Fatal(err)
	}
	id := uuid.NewString()
	tok := auth.WidgetTokenPrefix + id + "-secret"
	if err := store.CreateWidgetSession(ctx, s.cfg.DB, id, auth.HashToken(tok), tr.ID, conv, auth.SessionTTL); err != nil {
		t.Fatal(err)
	}
	return tok
}

func agentToken(t *testing.T, s *Server) string {
	t.Helper()
	ctx := context.Background()
	a, err := store.CreateAccount(ctx, s.cfg.DB, "agent1", "x", auth.RoleAgent)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s.accounts.issueAccess(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func call(t *testing.T, method, url, token, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestRecommendationsSeedExample(t *testing.T) {
	t.Parallel()
	s, ts := recommendServer(t)
	tok := widgetToken(t, s, "w-rec")
	code, body := call(t, "POST", ts.URL+"/api/recommendations", tok, seedRequest)
	if code != 200 {
		t.Fatalf("status %d: %v", code, body)
	}
	if body["status"] != float64(200) || body["message"] != "旅游路线推荐成功" {
		t.Errorf("status/message = %v / %v", body["status"], body["message"])
	}
	data, _ := body["data"].([]any)
	if len(data) != 3 {
		t.Fatalf("data has %d options, want 3", len(data))
	}
	seedFields := []string{"destination", "startDate", "endDate", "budget", "accessibility", "kidFriendly", "petFriendly",
		"naturalLandscape", "socialLandscape", "cuisine", "otherNeeds", "itinerary", "budgetRange", "days"}
	wantNames := []string{"豪华尊享游", "经济适用游", "特种兵穷游"}
	wantRoutes := []string{"鼓山→三坊七巷→达明美食街", "鼓山→闽江公园→万达广场/老街", "青云山→鼓山→达明美食街"}
	wantRanges := []string{"1460-2780元/人", "860-1280元/人", "310-580元/人"}
	rangeRe := regexp.MustCompile(`^\d+-\d+元/人$`)
	for i, d := range data {
		o := d.(map[string]any)
		for _, f := range seedFields {
			if _, ok := o[f]; !ok {
				t.Errorf("option %d lacks %q", i, f)
			}
		}
		if o["destination"] != "福建省福州市鼓楼区" || o["startDate"] != "2024-10-25" || o["endDate"] != "2024-11-04" {
			t.Errorf("option %d: destination/dates = %v %v %v", i, o["destination"], o["startDate"], o["endDate"])
		}
		if o["otherNeeds"] != wantNames[i] || o["itinerary"] != wantRoutes[i] || o["budgetRange"] != wantRanges[i] {
			t.Errorf("option %d: name %v route %v range %v", i, o["otherNeeds"], o["itinerary"], o["budgetRange"])
		}
		if !rangeRe.MatchString(o["budgetRange"].(string)) {
			t.Errorf("option %d: budgetRange %q", i, o["budgetRange"])
		}
		if days, _ := o["days"].([]any); len(days) != 11 {
			t.Errorf("option %d: %d days, want 11", i, len(days))
		}
		if o["accessibility"] != false || o["kidFriendly"] != false || o["petFriendly"] != false {
			t.Errorf("option %d: needs %v %v %v", i, o["accessibility"], o["kidFriendly"], o["petFriendly"])
		}
	}
	meta := body["metadata"].(map[string]any)
	id, _ := meta["requestId"].(string)
	if id == "" || meta["timestamp"] == "" {
		t.Fatalf("metadata = %v", meta)
	}
	if self := body["links"].(map[string]any)["self"]; self != "/api/recommendations/"+id {
		t.Errorf("links.self = %v", self)
	}

	// The same token reads it again; another traveller does not know it exists; an agent can.
	code, again := call(t, "GET", ts.URL+"/api/recommendations/"+id, tok, "")
	if code != 200 || len(again["data"].([]any)) != 3 {
		t.Fatalf("GET own: %d %v", code, again)
	}
	a, _ := json.Marshal(again["data"])
	b, _ := json.Marshal(body["data"])
	if !bytes.Equal(a, b) {
		t.Error("GET returns different data than POST")
	}
	if code, _ := call(t, "GET", ts.URL+"/api/recommendations/"+id, widgetToken(t, s, "w-other"), ""); code != 404 {
		t.Errorf("GET by another traveller: %d, want 404", code)
	}
	if code, _ := call(t, "GET", ts.URL+"/api/recommendations/"+id, agentToken(t, s), ""); code != 200 {
		t.Errorf("GET by an agent: %d, want 200", code)
	}
	if code, _ := call(t, "GET", ts.URL+"/api/recommendations/"+id, "", ""); code != 401 {
		t.Errorf("GET without a token: %d, want 401", code)
	}
}

func TestRecommendationsValidation(t *testing.T) {
	t.Parallel()
	s, ts := recommendServer(t)
	tok := widgetToken(t, s, "w-val")
	cases := []struct {
		name, body string
		fields     []string
	}{
		{"missing destination", strings.Replace(seedRequest, `"destination": "福建省福州市鼓楼区",`, "", 1), []string{"destination"}},
		{"end before start", strings.Replace(seedRequest, `"endDate": "2024/11/04"`, `"endDate": "2024/10/20"`, 1), []string{"endDate"}},
		{"several", `{"startDate":"someday","budget":"lots","kidFriendly":true}`,
			[]string{"destination", "startDate", "endDate", "budget", "accessibility", "petFriendly"}},
		{"zero budget", strings.Replace(seedRequest, `"budget": 2120`, `"budget": 0`, 1), []string{"budget"}},
	}
	for _, c := range cases {
		code, body := call(t, "POST", ts.URL+"/api/recommendations", tok, c.body)
		if code != 400 {
			t.Errorf("%s: status %d, want 400", c.name, code)
			continue
		}
		if body["error_code"] != "E-400" || body["field"] != c.fields[0] {
			t.Errorf("%s: error_code %v field %v, want E-400 %s", c.name, body["error_code"], body["field"], c.fields[0])
		}
		var got []string
		for _, e := range body["errors"].([]any) {
			fe := e.(map[string]any)
			got = append(got, fe["field"].(string))
			if fe["message"] == "" {
				t.Errorf("%s: empty message for %v", c.name, fe["field"])
			}
		}
		if strings.Join(got, ",") != strings.Join(c.fields, ",") {
			t.Errorf("%s: fields %v, want %v", c.name, got, c.fields)
		}
	}
}

func TestAdminProviders(t *testing.T) {
	t.Parallel()
	s, ts := recommendServer(t)
	tok := widgetToken(t, s, "w-prov")
	// One plan through the fake provider, so that it has a call to show.
	if code, _ := call(t, "POST", ts.URL+"/api/recommendations", tok, seedRequest); code != 200 {
		t.Fatalf("recommendation: %d", code)
	}
	ctx := context.Background()
	admin, err := store.CreateAccount(ctx, s.cfg.DB, "root", "x", auth.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	adminTok, _ := s.accounts.issueAccess(ctx, admin)
	if code, _ := call(t, "GET", ts.URL+"/api/admin/providers", agentToken(t, s), ""); code != 403 {
		t.Errorf("agent: %d, want 403", code)
	}
	code, body := call(t, "GET", ts.URL+"/api/admin/providers", adminTok, "")
	if code != 200 {
		t.Fatalf("admin: %d %v", code, body)
	}
	ps := body["providers"].([]any)
	if len(ps) != 2 {
		t.Fatalf("providers = %v, want fake and offline", ps)
	}
	fake := ps[0].(map[string]any)
	if fake["name"] != "fake" || fake["state"] != "closed" || fake["calls"] != float64(1) {
		t.Errorf("fake provider = %v", fake)
	}
	if _, ok := fake["p95Ms"]; !ok {
		t.Errorf("no latency percentiles: %v", fake)
	}
	if ps[1].(map[string]any)["name"] != "offline" {
		t.Errorf("last provider = %v, want offline", ps[1])
	}
	if fake["structured"] != "json_object" {
		t.Errorf("structured = %v, want json_object for a name without a preset", fake["structured"])
	}
	sp, _ := body["spending"].(map[string]any)
	if sp == nil || sp["tokensToday"].(float64) <= 0 || sp["budgetDrafts"] != float64(0) || sp["ungroundedDropped"] == nil {
		t.Errorf("spending = %v, want today's tokens, no budget drafts, ungrounded counts", sp)
	}
	if _, ok := sp["tokensTodayAllInstances"]; !ok {
		t.Errorf("spending = %v, want every instance's tokens today", sp)
	}
}
