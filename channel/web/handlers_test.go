package web

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"xingqu/auth"
	"xingqu/dialog"
	"xingqu/pipeline"
	"xingqu/providers/geo"
	"xingqu/store"
	"xingqu/store/storetest"
)

// sessionPrincipal stands in for the HTTP layer's authentication: it finds the widget
// session of the bearer token and puts its principal in the request, as the real
// middleware does.
func sessionPrincipal(db *store.DB, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		ws, err := store.WidgetSessionByToken(r.Context(), db, auth.HashToken(tok))
		if err != nil {
			http.Error(w, "no session", http.StatusUnauthorized)
			return
		}
		p := auth.Principal{Kind: auth.KindWidget, SessionID: ws.ID, ConversationID: ws.ConversationID}
		next.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), p)))
	})
}

// The web channel works on its own, with nothing of the HTTP layer: a session is opened,
// a message is taken, handed to the pipeline, and its answer read back from the history.
func TestWidgetAloneOpensTakesAndAnswers(t *testing.T) {
	db := storetest.New(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	p := &pipeline.Pipeline{DB: db, Log: log, Engine: &dialog.Engine{Places: geo.Places{},
		Now: func() time.Time { return time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC) }}}
	w := New(db, p, Config{}, log)
	t.Cleanup(w.Close)
	mux := http.NewServeMux()
	mux.Handle("POST /session", w.HandleSession())
	mux.Handle("POST /messages", sessionPrincipal(db, w.HandlePost()))
	mux.Handle("GET /messages", sessionPrincipal(db, w.HandleHistory()))
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)

	call := func(method, path, tok string, body any, out any) int {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, ts.URL+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if out != nil {
			json.NewDecoder(resp.Body).Decode(out)
		}
		return resp.StatusCode
	}
	var s struct {
		Token          string `json:"sessionToken"`
		ConversationID int64  `json:"conversationId"`
	}
	if code := call("POST", "/session", "", map[string]string{"lang": "en"}, &s); code != 201 || !strings.HasPrefix(s.Token, auth.WidgetTokenPrefix) {
		t.Fatalf("session: %d %+v", code, s)
	}
	if code := call("POST", "/messages", s.Token, map[string]string{"text": "hello"}, nil); code != 202 {
		t.Fatalf("message: %d", code)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var h struct{ Messages []WireMessage }
		if code := call("GET", "/messages", s.Token, nil, &h); code != 200 {
			t.Fatalf("history: %d", code)
		}
		// The greeting, the traveller's hello, and the bot's answer to it.
		if n := len(h.Messages); n >= 3 && h.Messages[1].Role == "traveller" && h.Messages[1].Text == "hello" && h.Messages[n-1].Role == "bot" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no answer to hello in the history: %+v", h.Messages)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
