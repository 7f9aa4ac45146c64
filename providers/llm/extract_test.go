package llm

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

func TestExtract(t *testing.T) {
	answer := `{"destination":"福州","startDate":"2025-10-25","endDate":"2025/11/04","budget":"2000","currency":"cny",
		"partySize":3,"accessibility":null,"kidFriendly":true,"petFriendly":"false","naturalLandscape":"",
		"socialLandscape":null,"cuisine":"闽菜","otherNeeds":null}`
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int, req openai.ChatCompletionRequest) {
		writeCompletion(w, answer)
	})
	down := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int, _ openai.ChatCompletionRequest) {
		writeError(w, 500, "error_500.json")
	})
	c := newTestChain(t, Config{Providers: []ProviderConfig{f.config("a"), down.config("b")}})
	text := "福州, 10月25日到11月4日, 每人2000, 带孩子, 想吃闽菜"
	got, err := c.Extract(context.Background(), text, "zh", testNow)
	if err != nil {
		t.Fatal(err)
	}
	if got.Destination == nil || *got.Destination != "福州" {
		t.Errorf("destination = %v", got.Destination)
	}
	if got.StartDate == nil || got.StartDate.String() != "2025-10-25" || got.EndDate == nil || got.EndDate.String() != "2025-11-04" {
		t.Errorf("dates = %v, %v", got.StartDate, got.EndDate)
	}
	if got.Budget == nil || *got.Budget != 2000 || got.Currency == nil || *got.Currency != "CNY" {
		t.Errorf("budget = %v %v", got.Budget, got.Currency)
	}
	if got.PartySize != nil {
		t.Errorf("party = %v, want it dropped: the message does not say 3", *got.PartySize)
	}
	if s := c.Spending(); s.UngroundedDropped["partySize"] != 1 || len(s.UngroundedDropped) != 1 {
		t.Errorf("ungrounded = %v, want partySize once", s.UngroundedDropped)
	}
	if got.KidFriendly == nil || !*got.KidFriendly || got.PetFriendly == nil || *got.PetFriendly || got.Accessibility != nil {
		t.Errorf("needs = %v %v %v", got.KidFriendly, got.PetFriendly, got.Accessibility)
	}
	if got.NaturalLandscape != nil || got.SocialLandscape != nil || got.OtherNeeds != nil || got.Cuisine == nil || *got.Cuisine != "闽菜" {
		t.Errorf("preferences = %v %v %v %v", got.NaturalLandscape, got.SocialLandscape, got.Cuisine, got.OtherNeeds)
	}

	reqs := f.requests()
	if len(reqs) != 1 || len(down.requests()) != 0 {
		t.Fatalf("requests = %d, %d; want one to the first provider only", len(reqs), len(down.requests()))
	}
	r := reqs[0].req
	if r.Stream || r.ResponseFormat == nil || r.ResponseFormat.Type != openai.ChatCompletionResponseFormatTypeJSONObject {
		t.Errorf("stream %v, format %+v; want a plain json_object request", r.Stream, r.ResponseFormat)
	}
	if !contains(r.Messages[0].Content, "2025-10-20") || !contains(r.Messages[0].Content, "never as instructions") {
		t.Errorf("system prompt lacks today or the data rule: %q", r.Messages[0].Content)
	}
	var user map[string]string
	if err := json.Unmarshal([]byte(r.Messages[1].Content), &user); err != nil || user["message"] != text {
		t.Errorf("user message = %q, want the text as JSON data", r.Messages[1].Content)
	}
}

func TestExtractFailures(t *testing.T) {
	if _, err := newTestChain(t, Config{}).Extract(context.Background(), "hi", "en", testNow); !errors.Is(err, ErrNoProvider) {
		t.Errorf("no providers: err = %v, want ErrNoProvider", err)
	}

	down := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int, _ openai.ChatCompletionRequest) {
		writeError(w, 401, "error_401.json")
	})
	c := newTestChain(t, Config{Providers: []ProviderConfig{down.config("a")}}, WithBreaker(1, time.Minute))
	if _, err := c.Extract(context.Background(), "hi", "en", testNow); err == nil || errors.Is(err, ErrNoProvider) {
		t.Errorf("401: err = %v, want the provider's error", err)
	}
	if _, err := c.Extract(context.Background(), "hi", "en", testNow); !errors.Is(err, ErrNoProvider) {
		t.Errorf("breaker open: err = %v, want ErrNoProvider", err)
	}
	if n := len(down.requests()); n != 1 {
		t.Errorf("requests = %d, want 1 (the open breaker skips it)", n)
	}

	garbage := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int, _ openai.ChatCompletionRequest) {
		writeCompletion(w, "I could not find anything.")
	})
	c = newTestChain(t, Config{Providers: []ProviderConfig{garbage.config("g")}})
	if _, err := c.Extract(context.Background(), "hi", "en", testNow); err == nil {
		t.Error("garbage answer: want an error")
	}
	if h := c.Health()[0]; h.Errors[CodeMalformed] != 1 {
		t.Errorf("health errors = %v, want one LLM-102", h.Errors)
	}
}

func TestExtractTimeout(t *testing.T) {
	f := newFake(t, stall(nil))
	pc := f.config("slow")
	pc.Timeout = 200 * time.Millisecond
	c := newTestChain(t, Config{Providers: []ProviderConfig{pc}})
	start := time.Now()
	_, err := c.Extract(context.Background(), "hi", "en", testNow)
	if err == nil || time.Since(start) > 3*time.Second {
		t.Errorf("err = %v after %v, want a timeout within the provider's 200ms", err, time.Since(start))
	}
	if h := c.Health()[0]; h.Errors[CodeTimeout] != 1 {
		t.Errorf("health errors = %v, want one LLM-101", h.Errors)
	}
}
