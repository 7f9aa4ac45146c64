package httpapi

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"
	"xingqu/api"
	"xingqu/auth"
	"xingqu/channel/web"
	"xingqu/store"
)

type widgetSession struct {
	Token          string `json:"sessionToken"`
	ConversationID int64  `json:"conversationId"`
}

func (e *webEnv) session(lang string) widgetSession {
	e.t.Helper()
	var ws widgetSession
	if code := e.do("POST", "/api/widget/session", "", map[string]string{"lang": lang, "timeZone": "Asia/Shanghai"}, &ws); code != 201 {
		e.t.Fatalf("session: %d", code)
	}
	if ws.Token == "" || ws.ConversationID == 0 {
		e.t.Fatalf("session answer: %+v", ws)
	}
	return ws
}

type history struct {
	Messages []web.WireMessage `json:"messages"`
	Cursor   string            `json:"cursor"`
}

func (e *webEnv) history(tok, after string) history {
	e.t.Helper()
	var h history
	path := "/api/widget/messages"
	if after != "" {
		path += "?after=" + after
	}
	if code := e.do("GET", path, tok, nil, &h); code != 200 {
		e.t.Fatalf("history: %d", code)
	}
	return h
}

// waitFor polls until ok holds or fails the test after within.
func waitFor(t *testing.T, within time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (e *webEnv) say(tok, text string) {
	e.t.Helper()
	if code := e.do("POST", "/api/widget/messages", tok, map[string]string{"text": text}, nil); code != 202 {
		e.t.Fatalf("post %q: %d", text, code)
	}
}

func hasRole(ms []web.WireMessage, role, contains string) bool {
	for _, m := range ms {
		if m.Role == role && strings.Contains(m.Text, contains) {
			return true
		}
	}
	return false
}

func TestWidgetMessagesAndHistory(t *testing.T) {
	e := newWebEnv(t)
	ws := e.session("en")
	h := e.history(ws.Token, "")
	if len(h.Messages) != 1 || h.Messages[0].Role != "bot" || h.Cursor == "" {
		t.Fatalf("new session history: %+v", h)
	}
	e.say(ws.Token, "Lisbon Dec 20-27, 2 of us, around €1500 each, no special needs, we love seafood and museums")
	var all history
	// Nothing is missing, so the answer is the confirmation alone.
	waitFor(t, 5*time.Second, "the bot's answer", func() bool {
		all = e.history(ws.Token, "")
		return len(all.Messages) >= 3
	})
	if all.Messages[1].Role != "traveller" || !hasRole(all.Messages, "bot", "Lisbon") {
		t.Fatalf("transcript: %+v", all.Messages)
	}
	var confirm web.WireMessage
	for _, m := range all.Messages {
		if len(m.Buttons) > 0 {
			confirm = m
		}
	}
	if confirm.Buttons[0].Action != "plan" || confirm.Buttons[0].Label == "" {
		t.Fatalf("buttons: %+v", confirm.Buttons)
	}
	// The cursor returns only what is newer; a button's action goes back exactly as given.
	before := all.Cursor
	if code := e.do("POST", "/api/widget/messages", ws.Token, map[string]string{"action": "plan"}, nil); code != 202 {
		t.Fatalf("action: %d", code)
	}
	waitFor(t, 5*time.Second, "the planning notice", func() bool { return len(e.history(ws.Token, before).Messages) >= 2 })
	newer := e.history(ws.Token, before)
	if newer.Messages[0].Action != "plan" || newer.Messages[1].Kind != "working" {
		t.Errorf("after the cursor: %+v", newer.Messages)
	}
	if e.history(ws.Token, newer.Cursor).Messages == nil || len(e.history(ws.Token, newer.Cursor).Messages) != 0 {
		t.Error("reading past the newest cursor should give no messages")
	}

	var ae api.Error
	if code := e.do("GET", "/api/widget/messages?after=abc", ws.Token, nil, &ae); code != 400 || ae.Field != "after" {
		t.Errorf("bad cursor: %d %+v", code, ae)
	}
	if code := e.do("POST", "/api/widget/messages", ws.Token, map[string]string{"text": "  "}, &ae); code != 400 || ae.Field != "text" {
		t.Errorf("empty message: %d %+v", code, ae)
	}
	long := strings.Repeat("长", api.MaxMessageLen+1)
	if code := e.do("POST", "/api/widget/messages", ws.Token, map[string]string{"text": long}, &ae); code != 413 || ae.Field != "text" || !strings.Contains(ae.Message, "4096") {
		t.Errorf("4,097 characters: %d %+v", code, ae)
	}
	if code := e.do("POST", "/api/widget/messages", ws.Token, map[string]string{"text": strings.Repeat("长", api.MaxMessageLen)}, nil); code != 202 {
		t.Errorf("4,096 characters: %d, want 202", code)
	}
	if code := e.do("POST", "/api/widget/messages", ws.Token, `{"text":"`+strings.Repeat("a", api.MaxBodyBytes)+`"}`, &ae); code != 413 {
		t.Errorf("body over 1 MiB: %d", code)
	}
	if code := e.do("POST", "/api/widget/session", "", map[string]string{"lang": "en", "timeZone": "Mars/Olympus"}, &ae); code != 400 || ae.Field != "timeZone" {
		t.Errorf("bad time zone: %d %+v", code, ae)
	}
	// Without a token, or with an agent's, the widget routes refuse.
	if code := e.do("GET", "/api/widget/messages", "", nil, nil); code != 401 {
		t.Errorf("history without token: %d", code)
	}
}

func TestWidgetCannotReadAnotherConversation(t *testing.T) {
	e := newWebEnv(t)
	a, b := e.session("zh"), e.session("zh")
	e.say(b.Token, "我的秘密行程：成都")
	waitFor(t, 5*time.Second, "b's turn", func() bool { return len(e.history(b.Token, "").Messages) >= 3 })
	var ae api.Error
	for _, path := range []string{
		fmt.Sprintf("/api/widget/messages?conversationId=%d", b.ConversationID),
		fmt.Sprintf("/api/widget/events?conversationId=%d", b.ConversationID),
	} {
		if code := e.do("GET", path, a.Token, nil, &ae); code != 404 {
			t.Errorf("%s with another session's token: %d, want 404", path, code)
		}
	}
	if hasRole(e.history(a.Token, "").Messages, "traveller", "秘密") {
		t.Error("a session sees another conversation's messages")
	}
	// A widget token opens no agent route.
	if code := e.do("GET", fmt.Sprintf("/api/agent/conversations/%d", b.ConversationID), a.Token, nil, nil); code != 403 {
		t.Errorf("agent route with a widget token: %d, want 403", code)
	}
}

func TestWidgetRateLimits(t *testing.T) {
	e := newWebEnv(t, func(c *Config) { c.Web.SessionRate = 2 })
	e.pipe.MessageRate = 3
	ws := e.session("en")
	e.session("en")
	var ae api.Error
	if code := e.do("POST", "/api/widget/session", "", map[string]string{"lang": "en"}, &ae); code != 429 || !strings.Contains(ae.Message, "too many new chat sessions") {
		t.Errorf("third session in an hour with a limit of 2: %d %+v", code, ae)
	}
	for i := 0; i < 3; i++ {
		e.say(ws.Token, fmt.Sprint("hello ", i))
	}
	if code := e.do("POST", "/api/widget/messages", ws.Token, map[string]string{"text": "one more"}, &ae); code != 429 || !strings.Contains(ae.Message, "too fast") {
		t.Errorf("fourth message in a minute with a limit of 3: %d %+v", code, ae)
	}
}

func TestWidgetCORS(t *testing.T) {
	e := newWebEnv(t)
	pre := func(origin string) *http.Response {
		req, _ := http.NewRequest("OPTIONS", e.ts.URL+"/api/widget/messages", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	ok := pre(e.ts.URL)
	if ok.StatusCode != 204 || ok.Header.Get("Access-Control-Allow-Origin") != e.ts.URL ||
		!strings.Contains(ok.Header.Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Errorf("allowed origin preflight: %d %v", ok.StatusCode, ok.Header)
	}
	bad := pre("https://evil.example")
	if bad.StatusCode != 403 || bad.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("unlisted origin: %d %v", bad.StatusCode, bad.Header)
	}
	req, _ := http.NewRequest("POST", e.ts.URL+"/api/widget/session", strings.NewReader(`{"lang":"en"}`))
	req.Header.Set("Origin", "https://evil.example")
	resp, _ := http.DefaultClient.Do(req)
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("session from an unlisted origin: %d, want 403", resp.StatusCode)
	}
	// Pages carry a CSP that forbids inline script.
	for _, p := range []string{"/", "/console", "/widget.js"} {
		resp, err := http.Get(e.ts.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if csp := resp.Header.Get("Content-Security-Policy"); resp.StatusCode != 200 || !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("%s: %d CSP %q", p, resp.StatusCode, csp)
		}
	}
}

// sseEvent is one event read off a stream.
type sseEvent struct {
	ID, Event string
	Data      json.RawMessage
}

// openStream opens an event stream and delivers its events on a channel.
func openStream(t *testing.T, url, tok, lastID string) <-chan sseEvent {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	ch := make(chan sseEvent, 100)
	go func() {
		defer close(ch)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.Data != nil {
					ch <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "id: "):
				ev.ID = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev.Event = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.Data = json.RawMessage(line[6:])
			}
		}
	}()
	return ch
}

func nextMessage(t *testing.T, ch <-chan sseEvent, within time.Duration) (sseEvent, web.WireMessage) {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatal("the stream ended")
		}
		var m web.WireMessage
		json.Unmarshal(ev.Data, &m)
		return ev, m
	case <-time.After(within):
		t.Fatalf("no event within %v", within)
	}
	return sseEvent{}, web.WireMessage{}
}

func TestWidgetEventsResume(t *testing.T) {
	e := newWebEnv(t)
	ws := e.session("en")
	h := e.history(ws.Token, "")
	events := openStream(t, e.ts.URL+"/api/widget/events", ws.Token, h.Cursor)
	e.say(ws.Token, "I want to visit Paris")
	ev, m := nextMessage(t, events, 3*time.Second)
	if ev.Event != "message" || ev.ID != fmt.Sprint(m.ID) || m.Role != "traveller" || m.Text != "I want to visit Paris" {
		t.Fatalf("first event: %+v %+v", ev, m)
	}
	_, reply := nextMessage(t, events, 3*time.Second)
	if reply.Role != "bot" || !strings.Contains(reply.Text, "Paris") {
		t.Fatalf("reply event: %+v", reply)
	}
	waitFor(t, 3*time.Second, "the whole turn", func() bool { return len(e.history(ws.Token, "").Messages) >= 4 })
	// A stream resumed from the first event gets exactly what came after it: nothing lost,
	// nothing repeated.
	resumed := openStream(t, e.ts.URL+"/api/widget/events", ws.Token, ev.ID)
	all := e.history(ws.Token, ev.ID).Messages
	for _, want := range all {
		gev, got := nextMessage(t, resumed, 3*time.Second)
		if got.ID != want.ID || gev.ID != fmt.Sprint(want.ID) {
			t.Fatalf("resumed stream gave %d, want %d", got.ID, want.ID)
		}
	}
	select {
	case extra := <-resumed:
		t.Fatalf("resumed stream repeated or invented %+v", extra)
	case <-time.After(200 * time.Millisecond):
	}
	// An id the conversation never had cannot be resumed from: E-606.
	lost := openStream(t, e.ts.URL+"/api/widget/events", ws.Token, "999999999")
	rev, _ := nextMessage(t, lost, 3*time.Second)
	var ae api.Error
	json.Unmarshal(rev.Data, &ae)
	if rev.Event != "resync" || ae.Code != "E-606" {
		t.Errorf("unknown Last-Event-ID: %+v", rev)
	}
}

// An IPv6 client can take a new address from its /64 for every request: the limits must
// not start afresh for each.
func TestRateLimitsHoldAcrossAnIPv6Prefix(t *testing.T) {
	e := newWebEnv(t, func(c *Config) {
		c.Web.SessionRate = 1
		c.Web.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	})
	from := func(ip string) int {
		req, _ := http.NewRequest("POST", e.ts.URL+"/api/widget/session", strings.NewReader(`{"lang":"en"}`))
		req.Header.Set("X-Forwarded-For", ip)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := from("2001:db8:1:2::1"); code != 201 {
		t.Fatalf("first session: %d", code)
	}
	if code := from("2001:db8:1:2::2"); code != 429 {
		t.Errorf("second session from the same /64 with a limit of 1: %d, want 429", code)
	}
	if code := from("2001:db8:1:3::1"); code != 201 {
		t.Errorf("session from another /64: %d, want 201", code)
	}
}

// ended waits for a stream to end, skipping what it still delivers.
func ended(ch <-chan sseEvent, within time.Duration) bool {
	deadline := time.After(within)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return true
			}
		case <-deadline:
			return false
		}
	}
}

func TestWidgetStreamNewestWins(t *testing.T) {
	e := newWebEnv(t)
	ws := e.session("en")
	first := openStream(t, e.ts.URL+"/api/widget/events", ws.Token, "")
	second := openStream(t, e.ts.URL+"/api/widget/events", ws.Token, "")
	if !ended(first, 3*time.Second) {
		t.Fatal("a second stream for the session left the first open")
	}
	e.say(ws.Token, "I want to visit Paris")
	if _, m := nextMessage(t, second, 3*time.Second); m.Text != "I want to visit Paris" {
		t.Errorf("newest stream got %+v", m)
	}
	waitFor(t, 3*time.Second, "one stream left open", func() bool { return e.srv.widget.OpenStreams() == 1 })
}

func TestStreamsPerAddressCapped(t *testing.T) {
	e := newWebEnv(t, func(c *Config) { c.Web.StreamsPerAddr = 2 })
	for range 2 {
		openStream(t, e.ts.URL+"/api/widget/events", e.session("en").Token, "")
	}
	// Only the status is read: a stream admitted by mistake would never end.
	status := func(path, tok string) int {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", e.ts.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := status("/api/widget/events", e.session("en").Token); code != 429 {
		t.Errorf("third stream from one address with a cap of 2: %d, want 429", code)
	}
	e.addUser("ivy", "correct horse battery", auth.RoleAgent)
	if code := status("/api/agent/events", e.login("ivy", "correct horse battery").AccessToken); code != 429 {
		t.Errorf("agent stream over the cap: %d, want 429", code)
	}
}

// A client that stops reading must cost the server a goroutine for no longer than the
// write deadline, however much the stream has to send.
func TestStreamDropsClientThatStopsReading(t *testing.T) {
	e := newWebEnv(t, func(c *Config) { c.Web.StreamWriteTimeout = 300 * time.Millisecond })
	ws := e.session("zh")
	// Far more than the socket buffers at both ends hold.
	if _, err := e.db.ExecContext(context.Background(), `INSERT INTO messages (conversation_id, role, text, body)
		SELECT $1, 'bot', repeat('长', 4096), '{}' FROM generate_series(1, 2000)`, ws.ConversationID); err != nil {
		t.Fatal(err)
	}
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	conn, err := d.Dial("tcp", e.ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /api/widget/events HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nLast-Event-ID: 0\r\n\r\n",
		e.ts.Listener.Addr(), ws.Token)
	waitFor(t, 3*time.Second, "the stream to open", func() bool { return e.srv.widget.OpenStreams() == 1 })
	waitFor(t, 5*time.Second, "the server to drop a client that does not read", func() bool { return e.srv.widget.OpenStreams() == 0 })
}

// The message and session limits are counted in the database: a second instance on the
// same database does not hand out a fresh allowance.
func TestRateLimitsHoldAcrossInstances(t *testing.T) {
	twoSessions := func(c *Config) { c.Web.SessionRate = 2 }
	a := newWebEnv(t, twoSessions)
	b := newWebEnvOn(t, a.db, a.url, twoSessions)
	for _, e := range []*webEnv{a, b} {
		e.pipe.MessageRate = 3
	}
	ws := a.session("en")
	b.session("en")
	var ae api.Error
	if code := a.do("POST", "/api/widget/session", "", map[string]string{"lang": "en"}, &ae); code != 429 {
		t.Errorf("third session in an hour, limit 2, the second on another instance: %d %+v", code, ae)
	}
	a.say(ws.Token, "one")
	b.say(ws.Token, "two")
	a.say(ws.Token, "three")
	if code := b.do("POST", "/api/widget/messages", ws.Token, map[string]string{"text": "four"}, &ae); code != 429 || !strings.Contains(ae.Message, "too fast") {
		t.Errorf("fourth message in a minute, limit 3, spread over two instances: %d %+v", code, ae)
	}
}

// A widget session is read from the database once a minute at most: it never changes,
// and only expiry or a traveller's erasure ends it. Its requests meanwhile (a message, a
// history page, an event stream each) are authenticated from memory, and an expired
// session is refused even when it was read before.
func TestWidgetSessionReadOnce(t *testing.T) {
	e := newWebEnv(t)
	ws := e.session("zh")
	e.history(ws.Token, "")
	// Gone from the database: still known here, so nothing was read for it.
	if _, err := e.db.Exec(`DELETE FROM widget_sessions`); err != nil {
		t.Fatal(err)
	}
	e.history(ws.Token, "")

	var w widgetSessions
	hash := auth.HashToken(ws.Token)
	now := time.Now()
	w.put(hash, store.WidgetSession{ID: "s", ExpiresAt: now.Add(30 * time.Second)}, now)
	if _, ok := w.get(hash, now.Add(29*time.Second)); !ok {
		t.Error("a live session was forgotten")
	}
	if _, ok := w.get(hash, now.Add(30*time.Second)); ok {
		t.Error("an expired session was kept")
	}
	// A session that lives for days is read again after a minute: a traveller's erasure
	// deletes it, and no instance accepts it for longer than that.
	w.put(hash, store.WidgetSession{ID: "s", ExpiresAt: now.Add(72 * time.Hour)}, now)
	if _, ok := w.get(hash, now.Add(widgetSessionKept)); ok {
		t.Error("a session was kept past a minute")
	}
	for i := 0; i < maxWidgetSessions+10; i++ {
		w.put([]byte(fmt.Sprint(i)), store.WidgetSession{ExpiresAt: now.Add(time.Hour)}, now)
	}
	if n := len(w.byID); n > maxWidgetSessions {
		t.Errorf("%d sessions kept; want at most %d", n, maxWidgetSessions)
	}
}
