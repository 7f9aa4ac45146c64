package httpapi

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// lockedBuffer is a log destination safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// The demo page has an icon, and a request no route knows is logged with its path.
func TestFaviconAndUnmatchedPathsLogged(t *testing.T) {
	var logs lockedBuffer
	e := newWebEnv(t, func(c *Config) { c.Log = slog.New(slog.NewTextHandler(&logs, nil)) })
	for _, p := range []string{"/favicon.ico", "/favicon.svg"} {
		resp, err := http.Get(e.ts.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/svg+xml" || !bytes.Contains(b, []byte("<svg")) {
			t.Errorf("GET %s: %d %s", p, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	resp, err := http.Get(e.ts.URL + "/apple-touch-icon.png")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("unknown path: %d", resp.StatusCode)
	}
	line := ""
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "route=unmatched") {
			line = l
		}
	}
	if !strings.Contains(line, "path=/apple-touch-icon.png") || !strings.Contains(line, "status=404") {
		t.Errorf("log of an unmatched request: %q", line)
	}
	if strings.Contains(logs.String(), "path=/favicon") {
		t.Errorf("a matched request logged its path: %s", logs.String())
	}
}
