package telegram

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"syscall"
	"testing"
	"time"

	"xingqu/store"
	"xingqu/store/storetest"
)

// Child processes: the test binary run again with XQ_TG_CHILD set, so that a test can
// kill -9 a sender or a poller for real.

func childDB() *store.DB {
	db, err := store.Open(context.Background(), os.Getenv("XQ_TG_DB"), store.PoolConfig{MaxOpen: 8})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(2)
	}
	return db
}

func childCtx() context.Context {
	ctx, _ := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	return ctx
}

// childSender runs the sending leader the way a serving instance does.
func childSender() {
	ctx := childCtx()
	db := childDB()
	rate, _ := strconv.ParseFloat(os.Getenv("XQ_TG_RATE"), 64)
	api, err := connect(ctx, testToken, os.Getenv("XQ_TG_API"), 10*time.Second, func(error, time.Duration) {})
	if err != nil {
		os.Exit(2)
	}
	lead, release, err := store.AcquireLeader(ctx, db, 4242, 200*time.Millisecond)
	if err != nil {
		os.Exit(0)
	}
	s := Sender{DB: db, API: api, Log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})), Rate: rate, TakeoverWait: time.Millisecond, Poll: 20 * time.Millisecond}
	s.Run(lead)
	release()
}

// childPoller runs a whole channel in polling mode.
func childPoller() {
	ctx := childCtx()
	db := childDB()
	pipe := newPipeline(db)
	cfg := Config{Token: testToken, Endpoint: os.Getenv("XQ_TG_API"), Mode: ModePolling, Rate: 30,
		PollTimeout: time.Second, LeaderRetry: 300 * time.Millisecond,
		Sender: Sender{ChatGap: 50 * time.Millisecond, TakeoverWait: time.Millisecond, Poll: 20 * time.Millisecond}}
	ch := New(cfg, db, pipe, nil, quietLog(), nil)
	pipe.Outbox = ch
	ch.Run(ctx)
}

func startChild(t *testing.T, kind, dbURL, api string, extra ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "XQ_TG_CHILD="+kind, "XQ_TG_DB="+dbURL, "XQ_TG_API="+api)
	cmd.Env = append(cmd.Env, extra...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd
}

// A sender killed with SIGKILL mid-run and started again delivers every message at most
// once: rows that were in flight at the kill are reported as outcome-unknown, never
// resent, and everything else is delivered.
func TestOutboxSurvivesKill9(t *testing.T) {
	t.Parallel()
	url := storetest.URL(t)
	db, err := store.Open(context.Background(), url, store.PoolConfig{MaxOpen: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fake := newFakeAPI(t)
	fake.delay = 40 * time.Millisecond // widens the window in which a kill lands mid-request
	const n = 300
	for i := range n {
		enqueue(t, db, fmt.Sprint(20000+i), fmt.Sprint("notice ", i))
	}
	a := startChild(t, "sender", url, fake.endpoint("a"), "XQ_TG_RATE=50")
	waitFor(t, "the first sender to be mid-run", 60*time.Second, func() bool { return len(fake.sent("sendMessage", "")) >= 100 })
	a.Process.Signal(syscall.SIGKILL)
	a.Wait()
	killedAt := len(fake.sent("sendMessage", ""))
	startChild(t, "sender", url, fake.endpoint("b"), "XQ_TG_RATE=50")
	waitDelivered(t, db, 60*time.Second)

	got := map[string]int{}
	for _, r := range fake.requests() {
		if r.Method == "sendMessage" {
			got[r.Params.Get("text")]++
		}
	}
	var rows []struct {
		Text  string `db:"text"`
		State string `db:"state"`
	}
	db.SelectContext(context.Background(), &rows, `SELECT params->>'text' AS text, state FROM outbox`)
	unknown, delivered := 0, 0
	for _, r := range rows {
		c := got[r.Text]
		if c > 1 {
			t.Fatalf("%q reached Telegram %d times", r.Text, c)
		}
		switch r.State {
		case store.OutboxSent:
			if c != 1 {
				t.Fatalf("%q marked sent but received %d times", r.Text, c)
			}
		case store.OutboxUnknown:
			unknown++
		default:
			t.Fatalf("%q left %s", r.Text, r.State)
		}
		delivered += c
	}
	stats, _ := store.OutboxStats(context.Background(), db, "telegram")
	t.Logf("killed after %d requests; %d delivered, %d outcome-unknown (reported, not resent); stats %v", killedAt, delivered, unknown, stats)
	if delivered < n-unknown {
		t.Fatalf("%d delivered, want at least %d", delivered, n-unknown)
	}
	if stats[store.OutboxUnknown] != int64(unknown) || stats[store.OutboxSent]+stats[store.OutboxUnknown] != n {
		t.Fatalf("stats %v", stats)
	}
}

// Two instances in polling mode: exactly one polls; killing it hands polling to the
// other within 10 s; every update is processed, none twice.
func TestPollingFailover(t *testing.T) {
	t.Parallel()
	url := storetest.URL(t)
	db, err := store.Open(context.Background(), url, store.PoolConfig{MaxOpen: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fake := newFakeAPI(t)
	fake.chatGap = 50 * time.Millisecond
	polls := func(inst string) int {
		n := 0
		for _, r := range fake.requests() {
			if r.Method == "getUpdates" && r.Instance == inst {
				n++
			}
		}
		return n
	}
	a := startChild(t, "poller", url, fake.endpoint("a"))
	waitFor(t, "a to poll", 20*time.Second, func() bool { return polls("a") > 0 })
	startChild(t, "poller", url, fake.endpoint("b"))
	uid := 0
	push := func(k int) {
		for range k {
			uid++
			fake.push(textUpdate(uid, int64(30000+uid%7), "en", "/help"))
			time.Sleep(50 * time.Millisecond)
		}
	}
	push(40) // 2 s, while b is up and waiting
	if polls("b") != 0 {
		t.Fatal("both instances poll")
	}
	// A request of a's may still arrive between the signal and a's death, and none of b's
	// can arrive before the signal: the two checks below use the moment each is certain.
	signalled := time.Now()
	a.Process.Signal(syscall.SIGKILL)
	a.Wait()
	dead := time.Now()
	waitFor(t, "b to take over polling", 10*time.Second, func() bool { return polls("b") > 0 })
	t.Logf("polling handed over in %v", time.Since(signalled))
	push(40)
	waitFor(t, "every update to be handled", 60*time.Second, func() bool {
		var pending, handled int
		db.GetContext(context.Background(), &pending, `SELECT count(*) FROM telegram_updates WHERE processed_at IS NULL`)
		db.GetContext(context.Background(), &handled, `SELECT count(*) FROM inbox WHERE handled_at IS NOT NULL`)
		return pending == 0 && handled == uid
	})
	var stored, travellerLines int
	db.GetContext(context.Background(), &stored, `SELECT count(*) FROM telegram_updates`)
	db.GetContext(context.Background(), &travellerLines, `SELECT count(*) FROM messages WHERE role = 'traveller'`)
	if stored != uid || travellerLines != uid {
		t.Fatalf("%d updates pushed; %d stored, %d turns (want each exactly once)", uid, stored, travellerLines)
	}
	for _, r := range fake.requests() {
		if r.Method == "getUpdates" && r.Instance == "a" && r.At.After(dead) {
			t.Fatal("a polled after it was killed")
		}
		if r.Method == "getUpdates" && r.Instance == "b" && r.At.Before(signalled) {
			t.Fatal("b polled while a was alive")
		}
	}
	if fake.conflict != 0 {
		t.Fatalf("%d getUpdates conflicts (two pollers at once)", fake.conflict)
	}
}
