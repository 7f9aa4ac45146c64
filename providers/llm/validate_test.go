package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"xingqu/dialog"
	"xingqu/providers/offline"
)

func TestValidate(t *testing.T) {
	valid := readTestdata(t, "plan_content.json")
	mutate := func(f func(a map[string]any)) string {
		var a map[string]any
		if err := json.Unmarshal(valid, &a); err != nil {
			t.Fatal(err)
		}
		f(a)
		b, _ := json.Marshal(a)
		return string(b)
	}
	opt := func(a map[string]any, i int) map[string]any { return a["options"].([]any)[i].(map[string]any) }
	day := func(a map[string]any, i, j int) map[string]any { return opt(a, i)["days"].([]any)[j].(map[string]any) }

	tests := []struct {
		name string
		text string
		trip func(*dialog.TripRequest)
		want string // a problem that must be reported; "" means valid
	}{
		{name: "recorded answer", text: string(valid)},
		{name: "in a Markdown fence", text: "```json\n" + string(valid) + "\n```"},
		{name: "quoted numbers", text: mutate(func(a map[string]any) { opt(a, 0)["budget"].(map[string]any)["low"] = "3,000" })},
		{name: "options out of order are reordered", text: mutate(func(a map[string]any) {
			o := a["options"].([]any)
			o[0], o[2] = o[2], o[0]
		})},
		{name: "not JSON", text: "Here is your plan!", want: "not a JSON object"},
		{name: "two options", text: mutate(func(a map[string]any) { a["options"] = a["options"].([]any)[:2] }), want: "want exactly 3"},
		{name: "duplicate tier", text: mutate(func(a map[string]any) { opt(a, 1)["tier"] = "luxury" }), want: "appears twice"},
		{name: "unknown tier", text: mutate(func(a map[string]any) { opt(a, 2)["tier"] = "mystery" }), want: `tier "mystery"`},
		{name: "low above high", text: mutate(func(a map[string]any) { opt(a, 1)["budget"].(map[string]any)["low"] = 9000 }), want: "0 < low <= high"},
		{name: "zero budget", text: mutate(func(a map[string]any) { opt(a, 2)["budget"].(map[string]any)["low"] = 0 }), want: "0 < low <= high"},
		{name: "other currency", text: mutate(func(a map[string]any) { opt(a, 0)["budget"].(map[string]any)["currency"] = "USD" }), want: "want CNY"},
		{name: "a day missing", text: mutate(func(a map[string]any) { opt(a, 0)["days"] = opt(a, 0)["days"].([]any)[:2] }), want: "want 3 entries"},
		{name: "wrong date", text: mutate(func(a map[string]any) { day(a, 1, 2)["date"] = "2025-10-28" }), want: "economical.days[2].date"},
		{name: "empty evening", text: mutate(func(a map[string]any) { day(a, 2, 0)["evening"] = " " }), want: "must all be filled"},
		{name: "bar on a kid-friendly trip", text: mutate(func(a map[string]any) { day(a, 0, 1)["evening"] = "酒吧街小酌" }), want: "kid-friendly"},
		{name: "nightclub on a kid-friendly trip", text: mutate(func(a map[string]any) { day(a, 2, 0)["evening"] = "Dance at a nightclub" }), want: "no bars or nightclubs"},
		{name: "barbecue is not a bar", text: mutate(func(a map[string]any) { day(a, 2, 0)["evening"] = "Barbecue at the night market" })},
		{name: "a bar when no kids come", trip: func(tr *dialog.TripRequest) { tr.KidFriendly = nil },
			text: mutate(func(a map[string]any) { day(a, 0, 1)["evening"] = "酒吧街小酌" })},
		{name: "hiking with accessibility needs", trip: func(tr *dialog.TripRequest) { tr.Accessibility = ptr(true) },
			text: mutate(func(a map[string]any) { day(a, 1, 1)["morning"] = "徒步登鼓山" }), want: "accessibility"},
		{name: "notes may say no hiking", trip: func(tr *dialog.TripRequest) { tr.Accessibility = ptr(true) },
			text: mutate(func(a map[string]any) { day(a, 1, 1)["notes"] = "无需徒步，乘索道上山" })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			trip := testTrip()
			if tt.trip != nil {
				tt.trip(&trip)
			}
			in := newPlanInput(trip, "zh", offline.Dates(trip, testNow), nil)
			opts, problems := validate(tt.text, in)
			if tt.want == "" {
				if problems != nil {
					t.Fatalf("problems = %q, want none", problems)
				}
				if len(opts) != 3 || opts[0].Tier != dialog.TierLuxury || opts[2].Tier != dialog.TierBackpacker {
					t.Fatalf("options = %d, not in tier order", len(opts))
				}
				return
			}
			if opts != nil {
				t.Error("options returned with problems")
			}
			if !strings.Contains(strings.Join(problems, "\n"), tt.want) {
				t.Errorf("problems = %q, want one mentioning %q", problems, tt.want)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	expired, cancel := context.WithTimeout(context.Background(), -time.Second)
	defer cancel()
	stopped, stop := context.WithCancel(context.Background())
	stop()
	bg := context.Background()
	api := func(status int, typ string) error {
		return &openai.APIError{HTTPStatusCode: status, Type: typ, Message: "m"}
	}
	tests := []struct {
		name string
		ctx  context.Context
		err  error
		want string
	}{
		{"nil", bg, nil, ""},
		{"deadline", expired, errors.New("read: use of closed connection"), CodeTimeout},
		{"cancelled by the chain", stopped, errors.New("whatever"), codeCancelled},
		{"401", bg, api(401, "invalid_request_error"), CodeAuth},
		{"403", bg, &openai.RequestError{HTTPStatusCode: 403}, CodeAuth},
		{"400", bg, api(400, "invalid_request_error"), CodeMalformed},
		{"404 model", bg, api(404, "invalid_request_error"), CodeMalformed},
		{"429", bg, api(429, "requests"), CodeRateLimited},
		{"500", bg, api(500, "server_error"), CodeUnavailable},
		{"502 html", bg, &openai.RequestError{HTTPStatusCode: 502, Body: []byte("<html>")}, CodeUnavailable},
		{"504", bg, api(504, ""), CodeTimeout},
		{"refused", bg, &net.OpError{Op: "dial", Err: errors.New("connect: connection refused")}, CodeUnavailable},
		{"dns", bg, &net.DNSError{Err: "no such host", Name: "api.example", IsNotFound: true}, CodeUnavailable},
		{"cut", bg, io.ErrUnexpectedEOF, CodeUnavailable},
		{"bad chunk", bg, &json.SyntaxError{}, CodeMalformed},
		{"invalid plan", bg, invalidPlan([]string{"x"}), CodeMalformed},
		{"too large", bg, fmt.Errorf("read: %w", ErrTooLarge), CodeMalformed},
		{"breaker", bg, ErrBreakerOpen, CodeUnavailable},
		{"in-stream rate limit", bg, fmt.Errorf("error, %w", &openai.APIError{Type: "rate_limit_error"}), CodeRateLimited},
	}
	for _, tt := range tests {
		if got := classify(tt.ctx, tt.err); got != tt.want {
			t.Errorf("%s: classify = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2025, 10, 20, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		h      http.Header
		want   time.Duration
		wantOK bool
	}{
		{http.Header{"Retry-After": {"1"}}, time.Second, true},
		{http.Header{"Retry-After": {"0.5"}}, 500 * time.Millisecond, true},
		{http.Header{"Retry-After-Ms": {"250"}, "Retry-After": {"1"}}, 250 * time.Millisecond, true},
		{http.Header{"Retry-After": {now.Add(3 * time.Second).Format(http.TimeFormat)}}, 3 * time.Second, true},
		{http.Header{"Retry-After": {"soon"}}, 0, false},
		{http.Header{}, 0, false},
	}
	for _, tt := range tests {
		got, ok := retryAfter(tt.h, now)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("retryAfter(%v) = %v, %v; want %v, %v", tt.h, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestRedact(t *testing.T) {
	got := redact("Incorrect API key provided: sk-secret-123456", "sk-secret-123456")
	if strings.Contains(got, "sk-secret") {
		t.Errorf("redact = %q, the key is still there", got)
	}
}

func TestBreakerOutcome(t *testing.T) {
	tests := []struct {
		name        string
		a           Attempt
		wantSuccess bool
		wantExclude bool
	}{
		{"ok", Attempt{}, true, false},
		{"bad plan: the model is up", Attempt{Code: CodeMalformed, Err: invalidPlan([]string{"x"})}, true, false},
		{"404 wrong model: fails every time", Attempt{Code: CodeMalformed, Err: &openai.APIError{HTTPStatusCode: 404}}, false, false},
		{"401", Attempt{Code: CodeAuth, Err: &openai.APIError{HTTPStatusCode: 401}}, false, false},
		{"timeout", Attempt{Code: CodeTimeout, Err: context.DeadlineExceeded}, false, false},
		{"lost hedge", Attempt{Code: codeCancelled, Err: context.Canceled}, false, true},
	}
	for _, tt := range tests {
		// A fresh breaker that one failure opens.
		b := New(Config{Providers: []ProviderConfig{{Name: "openai"}}}, WithBreaker(1, time.Minute)).providers[0].breaker
		done, err := b.Allow()
		if err != nil {
			t.Fatal(err)
		}
		done(breakerOutcome(tt.a))
		counts, open := b.Counts(), b.State().String() == "open"
		if open == (tt.wantSuccess || tt.wantExclude) {
			t.Errorf("%s: breaker open = %v", tt.name, open)
		}
		if tt.wantExclude && (counts.TotalSuccesses != 0 || counts.TotalFailures != 0) {
			t.Errorf("%s: counted %+v, want excluded", tt.name, counts)
		}
	}
}
