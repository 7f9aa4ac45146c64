package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestDecodeJSON(t *testing.T) {
	cases := []struct {
		name, body string
		ok         bool
		status     int
	}{
		{"one value", `{"text":"hi"}`, true, 200},
		{"not JSON", `{text`, false, 400},
		{"a second value", `{"text":"a"}{"text":"b"}`, false, 400},
		{"over 1 MiB", `{"text":"` + strings.Repeat("a", MaxBodyBytes) + `"}`, false, 413},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			r := httptest.NewRequest("POST", "/", strings.NewReader(c.body))
			r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
			var v struct{ Text string }
			if got := DecodeJSON(w, r, &v); got != c.ok {
				t.Fatalf("got %v, want %v", got, c.ok)
			}
			if !c.ok {
				var e Error
				if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || w.Code != c.status || e.Code == "" {
					t.Errorf("got %d %s, want %d with an error body", w.Code, w.Body, c.status)
				}
			}
		})
	}
}

func TestMessageFits(t *testing.T) {
	w := httptest.NewRecorder()
	if !MessageFits(w, "message", "text", strings.Repeat("长", MaxMessageLen)) {
		t.Fatal("a message of exactly the limit was refused")
	}
	if MessageFits(w, "message", "text", strings.Repeat("长", MaxMessageLen+1)) {
		t.Fatal("a message over the limit was accepted")
	}
	var e Error
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || w.Code != 413 || e.Field != "text" || e.Code != TooLarge || !strings.Contains(e.Message, "4096") {
		t.Errorf("got %d %+v", w.Code, e)
	}
}
