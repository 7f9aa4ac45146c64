package llm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"xingqu/dialog"
)

// fakeLLM is an OpenAI-compatible endpoint: it decodes each chat-completions request as
// the real API would receive it, records it, and answers with whatever respond writes.
type fakeLLM struct {
	t       testing.TB
	srv     *httptest.Server
	respond func(w http.ResponseWriter, r *http.Request, n int, req openai.ChatCompletionRequest)

	mu   sync.Mutex
	reqs []recorded
}

type recorded struct {
	req  openai.ChatCompletionRequest
	body []byte // as sent
	auth string
	at   time.Time
}

func newFake(t testing.TB, respond func(w http.ResponseWriter, r *http.Request, n int, req openai.ChatCompletionRequest)) *fakeLLM {
	t.Helper()
	f := &fakeLLM{t: t, respond: respond}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeLLM) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		http.Error(w, `{"error":{"message":"not found","type":"invalid_request_error","param":null,"code":null}}`, http.StatusNotFound)
		return
	}
	// Reading the body to the end lets the server notice a client that hangs up, so
	// r.Context() is cancelled when the chain cancels a hedge.
	body, _ := io.ReadAll(r.Body)
	var req openai.ChatCompletionRequest
	if err := json.Unmarshal(body, &req); err != nil {
		f.t.Errorf("fake: request body is not a chat completion request: %v", err)
	}
	f.mu.Lock()
	n := len(f.reqs)
	f.reqs = append(f.reqs, recorded{req: req, body: body, auth: r.Header.Get("Authorization"), at: time.Now()})
	f.mu.Unlock()
	f.respond(w, r, n, req)
}

func (f *fakeLLM) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

func (f *fakeLLM) config(name string) ProviderConfig {
	return ProviderConfig{Name: name, BaseURL: f.srv.URL + "/v1", APIKey: "sk-test-" + name, Model: "gpt-4o-mini", Timeout: 2 * time.Second}
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writeError answers as OpenAI does when it refuses a request.
func writeError(w http.ResponseWriter, status int, file string, header ...string) {
	for i := 0; i+1 < len(header); i += 2 {
		w.Header().Set(header[i], header[i+1])
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	b, _ := os.ReadFile(filepath.Join("testdata", file))
	w.Write(b)
}

// writeStream sends server-sent events one by one, flushing each, as the API streams.
// It stops after limit events (all when limit < 0) and, if abort, drops the connection
// the way a proxy or a crashing upstream does.
func writeStream(w http.ResponseWriter, events [][]byte, limit int, abort bool) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	fl := w.(http.Flusher)
	for i, e := range events {
		if limit >= 0 && i >= limit {
			break
		}
		w.Write(e)
		w.Write([]byte("\n\n"))
		fl.Flush()
	}
	if abort {
		panic(http.ErrAbortHandler)
	}
}

// sseEvents splits a recorded stream into its events ("data: ..." blocks).
func sseEvents(raw []byte) [][]byte {
	var out [][]byte
	for _, e := range bytes.Split(raw, []byte("\n\n")) {
		if e = bytes.TrimSpace(e); len(e) > 0 {
			out = append(out, e)
		}
	}
	return out
}

// streamOf turns any answer text into a stream in the recorded format.
func streamOf(content string, finish bool) [][]byte {
	chunk := func(delta map[string]any, finish any) []byte {
		b, _ := json.Marshal(map[string]any{
			"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 1760940001,
			"model":   "gpt-4o-mini-2024-07-18",
			"choices": []any{map[string]any{"index": 0, "delta": delta, "logprobs": nil, "finish_reason": finish}},
		})
		return append([]byte("data: "), b...)
	}
	events := [][]byte{chunk(map[string]any{"role": "assistant", "content": ""}, nil)}
	r := []rune(content)
	for i := 0; i < len(r); i += 40 {
		events = append(events, chunk(map[string]any{"content": string(r[i:min(i+40, len(r))])}, nil))
	}
	if finish {
		events = append(events, chunk(map[string]any{}, "stop"), []byte("data: [DONE]"))
	}
	return events
}

// writeCompletion answers a non-streamed request with content.
func writeCompletion(w http.ResponseWriter, content string) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"id": "chatcmpl-test", "object": "chat.completion", "created": 1760940002, "model": "gpt-4o-mini-2024-07-18",
		"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
			"message": map[string]any{"role": "assistant", "content": content}}},
		"usage": map[string]any{"prompt_tokens": 900, "completion_tokens": 1100, "total_tokens": 2000},
	})
}

// okStream answers every request with the recorded valid plan.
func okStream(t testing.TB) func(http.ResponseWriter, *http.Request, int, openai.ChatCompletionRequest) {
	events := sseEvents(readTestdata(t, "stream_ok.txt"))
	completion := readTestdata(t, "completion_ok.json")
	return func(w http.ResponseWriter, _ *http.Request, _ int, req openai.ChatCompletionRequest) {
		if !req.Stream {
			w.Header().Set("Content-Type", "application/json")
			w.Write(completion)
			return
		}
		writeStream(w, events, -1, false)
	}
}

// stall holds the request until the client gives up (or 30 s pass), telling cancelled
// when it saw the client go.
func stall(cancelled chan<- struct{}) func(http.ResponseWriter, *http.Request, int, openai.ChatCompletionRequest) {
	var once sync.Once
	return func(w http.ResponseWriter, r *http.Request, _ int, _ openai.ChatCompletionRequest) {
		select {
		case <-r.Context().Done():
			if cancelled != nil {
				once.Do(func() { close(cancelled) })
			}
		case <-time.After(30 * time.Second):
			w.WriteHeader(http.StatusGatewayTimeout)
		}
	}
}

// refusedURL is a base URL nobody listens on.
func refusedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return fmt.Sprintf("http://%s/v1", addr)
}

var testNow = time.Date(2025, 10, 20, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

func ptr[T any](v T) *T { return &v }

func testTrip() dialog.TripRequest {
	start, end := dialog.NewDate(2025, 10, 25), dialog.NewDate(2025, 10, 27)
	return dialog.TripRequest{
		Destination: "福州", StartDate: &start, EndDate: &end,
		Budget: ptr(2000.0), Currency: "CNY", KidFriendly: ptr(true),
		NaturalLandscape: "鼓山", SocialLandscape: "三坊七巷", Cuisine: "闽菜",
	}
}

func newTestChain(t testing.TB, cfg Config, opts ...Option) *Chain {
	if cfg.HedgeAfter == 0 {
		cfg.HedgeAfter = 10 * time.Second // no hedging unless a test asks for it
	}
	if cfg.Deadline == 0 {
		cfg.Deadline = 10 * time.Second
	}
	base := []Option{WithClock(func() time.Time { return testNow })}
	return New(cfg, append(base, opts...)...)
}

func lastMessage(req openai.ChatCompletionRequest) string {
	if len(req.Messages) == 0 {
		return ""
	}
	return req.Messages[len(req.Messages)-1].Content
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
