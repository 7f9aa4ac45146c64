package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"xingqu/store/storetest"
)

// A widget message is answered before its turn runs; a shutdown in between must let the
// turn finish before the database closes under it.
func TestServeShutdownWaitsForWidgetTurns(t *testing.T) {
	t.Parallel()
	called := make(chan struct{}, 1)
	var answered atomic.Int64
	model := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case called <- struct{}{}:
		default:
		}
		time.Sleep(time.Second)
		answered.Store(time.Now().UnixNano())
		http.Error(w, `{"error":{"message":"bad request"}}`, http.StatusBadRequest)
	}))
	defer model.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, logs := &syncBuffer{}, &syncBuffer{}
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"xingqu", "serve"}, env("DATABASE_URL", storetest.URL(t), "XINGQU_HTTP_ADDR", "127.0.0.1:0",
			"LLM_PROVIDERS", "fake", "LLM_FAKE_BASE_URL", model.URL, "LLM_FAKE_MODEL", "m", "LLM_FAKE_API_KEY", "k"), nil, out, logs)
	}()
	var base string
	waitFor(t, 15*time.Second, func() bool {
		s := out.String()
		if i := strings.Index(s, "listening on "); i >= 0 {
			base = strings.TrimSpace(s[i+len("listening on "):])
			return true
		}
		return false
	})
	post := func(path, tok, body string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := post("/api/widget/session", "", `{"lang":"en"}`)
	var sess struct {
		Token string `json:"sessionToken"`
	}
	err := json.NewDecoder(resp.Body).Decode(&sess)
	resp.Body.Close()
	if err != nil || sess.Token == "" {
		t.Fatalf("session: %d %v", resp.StatusCode, err)
	}
	if resp := post("/api/widget/messages", sess.Token, `{"text":"surprise me with something cosy, you choose"}`); resp.StatusCode != 202 {
		t.Fatalf("message: %d", resp.StatusCode)
	}
	select {
	case <-called:
	case <-time.After(10 * time.Second):
		t.Fatal("the turn never asked the model")
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("serve: %v", err)
	}
	returned := time.Now().UnixNano()
	if a := answered.Load(); a == 0 || a > returned {
		t.Errorf("serve returned before the turn in flight had its model answer")
	}
	if strings.Contains(logs.String(), "turn failed") {
		t.Errorf("a turn failed during shutdown:\n%s", logs.String())
	}
}
