package telegram

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"xingqu/store"
	"xingqu/store/storetest"
)

// runSender connects to the fake and runs a sender until the test ends.
func runSender(t *testing.T, db *store.DB, fake *fakeAPI, s Sender) *Sender {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	api, err := connect(ctx, testToken, fake.endpoint("s"), 10*time.Second, func(error, time.Duration) {})
	if err != nil {
		t.Fatal(err)
	}
	s.DB, s.API, s.Log = db, api, quietLog()
	if s.TakeoverWait == 0 {
		s.TakeoverWait = time.Millisecond
	}
	if s.Poll == 0 {
		s.Poll = 20 * time.Millisecond
	}
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return &s
}

func enqueue(t *testing.T, db *store.DB, chat, text string) int64 {
	t.Helper()
	id, err := store.EnqueueOutbox(context.Background(), db, store.NewOutbox{ChatID: chat, Method: "sendMessage",
		Params: map[string]string{"chat_id": chat, "text": text, "parse_mode": "HTML"}})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func waitDelivered(t *testing.T, db *store.DB, timeout time.Duration) {
	t.Helper()
	waitFor(t, "the outbox to empty", timeout, func() bool {
		var n int
		db.GetContext(context.Background(), &n, `SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending')`)
		return n == 0
	})
}

// 3,000 messages to 3,000 chats at TELEGRAM_RATE=100 take 30 s +-5%, and the fake never
// answers 429. It refuses a request when 103 arrived in the last second: the sender
// dispatches at exactly 100/s, and the 3% allow for network jitter bunching arrivals
// (Telegram's own limit is no sharper).
//
// It runs alone (not parallel) with a pool of its own: the figure is the sender's pace,
// not how the other tests share two cores.
func TestOutboxPaceAcrossChats(t *testing.T) {
	db, err := store.Open(context.Background(), storetest.URL(t), store.PoolConfig{MaxOpen: 24})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fake := newFakeAPI(t)
	fake.globalLimit = 103
	const n = 3000
	rows := make([]string, n)
	for i := range rows {
		rows[i] = fmt.Sprint(100000 + i)
	}
	_, err = db.ExecContext(context.Background(), `
INSERT INTO outbox (chat_id, method, params)
SELECT c, 'sendMessage', jsonb_build_object('chat_id', c, 'text', 'notice for ' || c) FROM unnest($1::text[]) AS c`, "{"+strings.Join(rows, ",")+"}")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	runSender(t, db, fake, Sender{Rate: 100})
	waitDelivered(t, db, 60*time.Second)
	took := time.Since(start)
	sent := fake.sent("sendMessage", "")
	first, last := sent[0].At, sent[len(sent)-1].At
	t.Logf("%d messages in %v (first to last request %v), %.1f/s, %d 429s", len(sent), took, last.Sub(first), float64(len(sent)-1)/last.Sub(first).Seconds(), fake.count429())
	if len(sent) != n {
		t.Fatalf("%d delivered, want %d", len(sent), n)
	}
	// The contract (30 s ±5%, zero 429) is checked without the race detector: `make test`
	// runs this test again on its own after the race-enabled suite. Under the race
	// detector, with other packages' tests on the same two cores, scheduling delays
	// stretch the run and can bunch requests on their way to the fake, so that run only
	// checks that the sender stays near the rate and never runs ahead of it.
	max429, slowest := 0, 31500*time.Millisecond
	if raceEnabled {
		max429, slowest = 5, 37500*time.Millisecond
	}
	if fake.count429() > max429 {
		t.Fatalf("%d answers 429, want %d at most", fake.count429(), max429)
	}
	if took < 28500*time.Millisecond || took > slowest {
		t.Fatalf("took %v, want 30s -5%%..%v", took, slowest)
	}
	stats, _ := store.OutboxStats(context.Background(), db, "telegram")
	if stats[store.OutboxSent] != n {
		t.Fatalf("stats %v", stats)
	}
}

// Twenty messages to one chat are at least a second apart, in real time, in order.
func TestOutboxPaceOneChat(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	fake := newFakeAPI(t) // refuses two messages to a chat within 1 s
	for i := range 20 {
		enqueue(t, db, "777", fmt.Sprintf("message %02d", i))
	}
	runSender(t, db, fake, Sender{Rate: 30})
	waitDelivered(t, db, 40*time.Second)
	sent := fake.sent("sendMessage", "777")
	if len(sent) != 20 || fake.count429() != 0 {
		t.Fatalf("%d delivered, %d 429s", len(sent), fake.count429())
	}
	for i := 1; i < len(sent); i++ {
		if gap := sent[i].At.Sub(sent[i-1].At); gap < time.Second {
			t.Fatalf("messages %d and %d only %v apart", i-1, i, gap)
		}
		if want := fmt.Sprintf("message %02d", i); sent[i].Params.Get("text") != want {
			t.Fatalf("message %d is %q, want %q (order)", i, sent[i].Params.Get("text"), want)
		}
	}
	// Groups get 20 a minute: the sender's group gap is 3 s.
	if (&Sender{}).GroupGap != 0 {
		t.Fatal("unexpected default")
	}
	s := Sender{}
	s.defaults()
	if s.GroupGap < 3*time.Second || s.ChatGap < time.Second || s.Rate != 25 {
		t.Fatalf("defaults %+v", s)
	}
}

// A 429 stops all sending for its retry_after: no request reaches the fake in the
// pause, and the refused message is sent after it.
func TestOutbox429PausesEverything(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	fake := newFakeAPI(t)
	fake.force429 = func(n int) int {
		if n == 5 {
			return 3
		}
		return 0
	}
	for i := range 12 {
		enqueue(t, db, fmt.Sprint(9000+i), fmt.Sprint("m", i))
	}
	runSender(t, db, fake, Sender{Rate: 30})
	waitDelivered(t, db, 20*time.Second)
	reqs := fake.requests()
	var at time.Time
	for _, r := range reqs {
		if r.Status == 429 {
			at = r.At
		}
	}
	if at.IsZero() || fake.count429() != 1 {
		t.Fatalf("429s: %d", fake.count429())
	}
	for _, r := range reqs {
		// Requests already on the wire when the 429 was written may land just after it
		// (on a loaded machine, up to a few hundred milliseconds later); none may be
		// started once the sender has read it.
		if r.Method == "sendMessage" && r.At.After(at.Add(500*time.Millisecond)) && r.At.Before(at.Add(3*time.Second)) {
			t.Fatalf("request %v after the 429, inside its 3 s pause", r.At.Sub(at))
		}
	}
	if n := len(fake.sent("sendMessage", "")); n != 12 {
		t.Fatalf("%d delivered, want 12", n)
	}
}

// A 403 marks the traveller unreachable, unsubscribes them and drops what was queued for
// them; a 502 is retried and delivered once.
func TestOutboxBlockedAndTransient(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	fake := newFakeAPI(t)
	fake.chatGap = 0
	fake.blocked["555"] = true
	fake.fail5xx = 2
	tr, err := store.EnsureTraveller(ctx, db, "telegram", "555", "x", "en", "")
	if err != nil {
		t.Fatal(err)
	}
	db.ExecContext(ctx, `INSERT INTO subscriptions (traveller_id) VALUES ($1)`, tr.ID)
	ok := enqueue(t, db, "556", "fine")
	for i := range 3 {
		enqueue(t, db, "555", fmt.Sprint("blocked ", i))
	}
	runSender(t, db, fake, Sender{Rate: 30, ChatGap: 10 * time.Millisecond})
	waitDelivered(t, db, 20*time.Second)
	var reachable bool
	var subs int
	db.GetContext(ctx, &reachable, `SELECT reachable FROM travellers WHERE id = $1`, tr.ID)
	db.GetContext(ctx, &subs, `SELECT count(*) FROM subscriptions WHERE traveller_id = $1`, tr.ID)
	if reachable || subs != 0 {
		t.Fatalf("after 403: reachable=%v subscriptions=%d", reachable, subs)
	}
	stats, _ := store.OutboxStats(ctx, db, "telegram")
	if stats[store.OutboxBlocked] != 3 || stats[store.OutboxSent] != 1 {
		t.Fatalf("stats %v", stats)
	}
	if n := len(fake.sent("sendMessage", "556")); n != 1 {
		t.Fatalf("the 502'd message delivered %d times", n)
	}
	probs, _ := store.OutboxProblems(ctx, db, "telegram", 10)
	if len(probs) != 3 || !strings.Contains(probs[0].LastError, "403") {
		t.Fatalf("problems %+v", probs)
	}
	var attempts int
	db.GetContext(ctx, &attempts, `SELECT attempts FROM outbox WHERE id = $1`, ok)
	if attempts < 2 {
		t.Fatalf("attempts %d: the 502 was not retried", attempts)
	}
}

// A shutdown while a message is on the wire lets the request finish: the message
// reaches Telegram once, its row ends sent, and the next leader does not send it again.
func TestOutboxShutdownMidRequest(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	fake := newFakeAPI(t)
	fake.delay = 1500 * time.Millisecond
	cfg := fastConfig(fake, "a", ModePolling)
	first := enqueue(t, db, "8701", "on the wire at shutdown")
	_, stop := runChannel(t, cfg, db, newPipeline(db))
	waitFor(t, "the request to reach Telegram", 10*time.Second, func() bool { return len(fake.sent("sendMessage", "8701")) == 1 })
	stop()
	var state string
	db.GetContext(context.Background(), &state, `SELECT state FROM outbox WHERE id = $1`, first)
	if state != store.OutboxSent && state != store.OutboxUnknown {
		t.Fatalf("row on the wire at shutdown is %q, want sent (or unknown)", state)
	}

	fake.mu.Lock()
	fake.delay = 0
	fake.mu.Unlock()
	enqueue(t, db, "8701", "after the restart")
	runChannel(t, cfg, db, newPipeline(db))
	waitDelivered(t, db, 10*time.Second)
	if got := fake.sent("sendMessage", "8701"); len(got) != 2 {
		t.Fatalf("%d messages reached Telegram, want 2 (each once):\n%s", len(got), texts(got))
	}
}

// An error that may have come after the request reached Telegram leaves the delivery
// unknown; only one that certainly came before anything was sent is worth a retry.
func TestClassifyNetworkErrors(t *testing.T) {
	t.Parallel()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.Addr().String()
	closed.Close()
	// A server that reads the whole request, then drops the connection.
	hangup := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	defer hangup.Close()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	}))
	defer slow.Close()

	post := func(c *http.Client, url string) error {
		resp, err := c.Post(url, "application/x-www-form-urlencoded", strings.NewReader("chat_id=1&text=hi"))
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	cases := []struct {
		name string
		err  func() error
		want outcome
	}{
		{"connection refused", func() error { return post(http.DefaultClient, "http://"+closedAddr+"/sendMessage") }, outcomeTransient},
		{"no such host", func() error { return post(http.DefaultClient, "http://no-such-host.invalid/sendMessage") }, outcomeTransient},
		{"dial error, redacted", func() error {
			return redact(post(http.DefaultClient, "http://"+closedAddr+"/bot"+testToken+"/sendMessage"), testToken)
		}, outcomeTransient},
		{"connection dropped after the request", func() error { return post(http.DefaultClient, hangup.URL+"/bot"+testToken+"/sendMessage") }, outcomeUnknown},
		{"timeout waiting for the answer", func() error { return post(&http.Client{Timeout: 200 * time.Millisecond}, slow.URL) }, outcomeUnknown},
		{"cancelled mid-request", func() error {
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, "POST", slow.URL, strings.NewReader("x=1"))
			_, err := http.DefaultClient.Do(req)
			return err
		}, outcomeUnknown},
		{"unreadable answer", func() error { var v struct{}; return json.Unmarshal([]byte("<html>"), &v) }, outcomeUnknown},
		{"Telegram 502", func() error { return &tgbotapi.Error{Code: 502, Message: "Bad Gateway"} }, outcomeTransient},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.err()
			if err == nil {
				t.Fatal("no error")
			}
			if got, _ := classify(err); got != c.want {
				t.Fatalf("classify(%v) = %v, want %v", err, got, c.want)
			}
			// What is recorded with the row, and shown to admins, never holds the token.
			if strings.Contains(errText(err), testToken) {
				t.Fatalf("errText shows the token: %s", errText(err))
			}
		})
	}
}

// The sender's per-chat pacing state does not grow with every chat ever written to: once
// a chat's rows are sent and its gap has passed, it is forgotten, so a long-running
// sender's memory follows the chats active in the last seconds.
func TestSenderForgetsIdleChats(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	fake := newFakeAPI(t)
	fake.chatGap = 0
	const n = 300
	for i := range n {
		enqueue(t, db, fmt.Sprint(700000+i), "hello")
	}
	m := NewMetrics(nil, nil)
	runSender(t, db, fake, Sender{Rate: 300, ChatGap: 50 * time.Millisecond, Workers: 32, Metrics: m})
	waitDelivered(t, db, 30*time.Second)
	if got := len(fake.sent("sendMessage", "")); got != n {
		t.Fatalf("%d messages sent, want %d", got, n)
	}
	waitFor(t, "the sender to forget the idle chats", 10*time.Second, func() bool {
		return testutil.ToFloat64(m.chats) == 0
	})
	// A chat written to again is tracked again, and forgotten again.
	enqueue(t, db, "700001", "again")
	waitDelivered(t, db, 10*time.Second)
	waitFor(t, "the sender to forget the chat again", 10*time.Second, func() bool {
		return testutil.ToFloat64(m.chats) == 0
	})
}
