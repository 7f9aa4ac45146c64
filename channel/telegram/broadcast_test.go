package telegram

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"syscall"
	"testing"
	"time"

	"xingqu/notices"
	"xingqu/store"
	"xingqu/store/storetest"
)

// A service notice broadcast to every subscriber, as a serving instance does it: the
// notice worker writes one outbox row per subscriber, the sending leader paces them to
// the Bot API. The fake API counts what arrives; the announcement's delivery counts are
// what the admin console shows.

// broadcastRate is TELEGRAM_RATE for the broadcasts.
const broadcastRate = 200

// childBroadcaster runs what one instance runs for a broadcast: a notice worker, and a
// sender while it holds the leader's lock.
func childBroadcaster() {
	ctx := childCtx()
	db := childDB()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	batch, _ := strconv.Atoi(os.Getenv("XQ_TG_BATCH"))
	w := &notices.NoticeWorker{DB: db, Log: log, Batch: batch, Lease: time.Second, Poll: 50 * time.Millisecond}
	go w.Run(ctx)
	api, err := connect(ctx, testToken, os.Getenv("XQ_TG_API"), 10*time.Second, func(error, time.Duration) {})
	if err != nil {
		os.Exit(2)
	}
	for ctx.Err() == nil {
		lead, release, err := store.AcquireLeader(ctx, db, 4243, 200*time.Millisecond)
		if err != nil {
			return
		}
		s := Sender{DB: db, API: api, Log: log, Rate: broadcastRate, TakeoverWait: time.Millisecond, Poll: 20 * time.Millisecond}
		s.Run(lead)
		release()
	}
}

// broadcast is one announcement to n Telegram subscribers, its notice job queued.
type broadcast struct {
	db   *store.DB
	url  string
	fake *fakeAPI
	n    int
	id   int64
}

func newBroadcast(tb testing.TB, n int) *broadcast {
	tb.Helper()
	url := storetest.URL(tb)
	db, err := store.Open(context.Background(), url, store.PoolConfig{MaxOpen: 24})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `
WITH t AS (
    INSERT INTO travellers (channel, external_id, lang, time_zone)
    SELECT 'telegram', (500000 + i)::text, CASE WHEN i % 2 = 0 THEN 'zh' ELSE 'en' END, 'Asia/Shanghai'
    FROM generate_series(1, $1) AS i RETURNING id)
INSERT INTO subscriptions (traveller_id) SELECT id FROM t`, n); err != nil {
		tb.Fatal(err)
	}
	now := time.Now()
	a, err := store.CreateAnnouncement(ctx, db, store.Announcement{Type: store.AnnMaintenance, Urgent: true,
		Title: "数据库维护", TitleEN: "Database maintenance", Body: "升级数据库", BodyEN: "Database upgrade",
		Impact: "服务暂停约1小时", ImpactEN: "The service pauses for about an hour", StartsAt: now.Add(time.Hour),
		EndsAt: sql.NullTime{Time: now.Add(2 * time.Hour), Valid: true}})
	if err != nil {
		tb.Fatal(err)
	}
	fake := newFakeAPI(tb)
	// Telegram's limit as the sender's pace, with 3% for network jitter bunching arrivals
	// (as in TestOutboxPaceAcrossChats): anything faster is answered 429.
	fake.globalLimit = broadcastRate * 103 / 100
	return &broadcast{db: db, url: url, fake: fake, n: n, id: a.ID}
}

// publish queues the notice job, as publishing the announcement does.
func (b *broadcast) publish(tb testing.TB) time.Time {
	tb.Helper()
	now := time.Now()
	if _, err := store.EnqueueJob(context.Background(), b.db, notices.JobNotice, 0, notices.NoticeJob{AnnouncementID: b.id, Phase: notices.PhasePublished}, now); err != nil {
		tb.Fatal(err)
	}
	return now
}

func (b *broadcast) start(tb testing.TB, instance string, batch int) *exec.Cmd {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), "XQ_TG_CHILD=broadcaster", "XQ_TG_DB="+b.url, "XQ_TG_API="+b.fake.endpoint(instance),
		fmt.Sprint("XQ_TG_BATCH=", batch))
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd
}

func kill9(cmd *exec.Cmd) {
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
}

func (b *broadcast) waitFor(tb testing.TB, what string, timeout time.Duration, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (b *broadcast) deliveries(tb testing.TB) store.Deliveries {
	tb.Helper()
	d, err := store.AnnouncementDeliveries(context.Background(), b.db, b.id)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// rows counts the announcement's outbox rows.
func (b *broadcast) rows() int {
	var n int
	b.db.GetContext(context.Background(), &n, `SELECT count(*) FROM outbox WHERE dedupe_key LIKE $1`, fmt.Sprintf("ann:%d:%%", b.id))
	return n
}

// waitDone waits until the notice job is done and every row has left the queue.
func (b *broadcast) waitDone(tb testing.TB, timeout time.Duration) {
	tb.Helper()
	b.waitFor(tb, "the broadcast to finish", timeout, func() bool {
		var open int
		b.db.GetContext(context.Background(), &open, `
SELECT (SELECT count(*) FROM jobs WHERE kind = $1 AND done_at IS NULL)
     + (SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending'))`, notices.JobNotice)
		return open == 0
	})
}

// broadcastOutcome is what the fake received, checked against the console's counts.
type broadcastOutcome struct {
	sent, unknown   int
	first, last     time.Time
	maxWindow       int // most messages in any one second
	tooMany         int
	perChatMax      int
	missing         int // subscribers the fake never heard from, beyond the unknown rows
	console         store.Deliveries
	requestsPerInst map[string]int
}

// check asserts that nobody got the notice twice, nobody was skipped, and the console's
// counts equal the fake's log.
func (b *broadcast) check(tb testing.TB) broadcastOutcome {
	tb.Helper()
	var o broadcastOutcome
	perChat := map[string]int{}
	var at []time.Time
	o.requestsPerInst = map[string]int{}
	for _, r := range b.fake.sent("sendMessage", "") {
		perChat[r.Params.Get("chat_id")]++
		at = append(at, r.At)
		o.requestsPerInst[r.Instance]++
	}
	o.sent, o.tooMany = len(at), b.fake.count429()
	sort.Slice(at, func(i, j int) bool { return at[i].Before(at[j]) })
	if len(at) > 0 {
		o.first, o.last = at[0], at[len(at)-1]
	}
	for i, j := 0, 0; j < len(at); j++ {
		for at[j].Sub(at[i]) >= time.Second {
			i++
		}
		o.maxWindow = max(o.maxWindow, j-i+1)
	}
	for _, c := range perChat {
		o.perChatMax = max(o.perChatMax, c)
	}
	o.console = b.deliveries(tb)
	o.unknown = int(o.console.Unknown)
	if o.perChatMax > 1 {
		tb.Errorf("a subscriber got the notice %d times", o.perChatMax)
	}
	if rows := b.rows(); rows != b.n || o.console.Total != int64(b.n) {
		tb.Errorf("%d outbox rows (console total %d) for %d subscribers", rows, o.console.Total, b.n)
	}
	// Every row is sent, or its outcome unknown because a sender died with it in flight:
	// those are reported, never sent again.
	if o.console.Sent+o.console.Unknown != int64(b.n) || o.console.Pending+o.console.Failed+o.console.Blocked != 0 {
		tb.Errorf("console counts %+v for %d subscribers", o.console, b.n)
	}
	// The console's sent rows are exactly the messages the fake answered, plus any
	// outcome-unknown row that did arrive before its sender died.
	if o.sent < int(o.console.Sent) || o.sent > int(o.console.Sent)+o.unknown {
		tb.Errorf("the fake received %d, the console says %d sent and %d unknown", o.sent, o.console.Sent, o.unknown)
	}
	o.missing = b.n - len(perChat) - o.unknown
	if o.missing > 0 {
		tb.Errorf("%d subscribers skipped (neither received nor reported unknown)", o.missing)
	}
	if o.tooMany != 0 {
		tb.Errorf("%d answers 429", o.tooMany)
	}
	return o
}

func (o broadcastOutcome) String() string {
	took := o.last.Sub(o.first)
	return fmt.Sprintf("%d sent in %.1f s (%.1f/s), at most %d in any second, %d outcome-unknown, %d 429, console %+v, per instance %v",
		o.sent, took.Seconds(), float64(o.sent-1)/took.Seconds(), o.maxWindow, o.unknown, o.tooMany, o.console, o.requestsPerInst)
}

// The notice worker and the sender killed with SIGKILL twice in one broadcast: first
// while the worker is writing the subscribers' rows, then with half the notices sent.
// After each restart nobody gets the notice twice and nobody is skipped; the rows in
// flight at a kill are reported as outcome-unknown.
func TestBroadcastSurvivesKill9(t *testing.T) {
	t.Parallel()
	b := newBroadcast(t, 1000)
	b.publish(t)
	// The first worker writes one row per transaction, so that it is still writing when
	// it is killed; the others write in batches of 500, as in service.
	a := b.start(t, "a", 1)
	b.waitFor(t, "the worker to be writing", 30*time.Second, func() bool { return b.rows() >= 100 })
	kill9(a)
	written := b.rows()
	c := b.start(t, "b", 0)
	b.waitFor(t, "half the notices to be sent", 60*time.Second, func() bool { return len(b.fake.sent("sendMessage", "")) >= b.n/2 })
	kill9(c)
	sentAtKill := len(b.fake.sent("sendMessage", ""))
	b.start(t, "c", 0)
	b.waitDone(t, 60*time.Second)
	o := b.check(t)
	t.Logf("first kill after %d of %d rows written, second after %d sent; %v", written, b.n, sentAtKill, o)
	if written >= b.n {
		t.Fatalf("the first kill came after the worker finished writing (%d rows)", written)
	}
	if o.maxWindow > b.fake.globalLimit {
		t.Errorf("%d messages in one second at TELEGRAM_RATE=%d", o.maxWindow, broadcastRate)
	}
}

// Two instances broadcasting together: both run a notice worker, one sends, and the
// Bot API never sees more than the global rate.
func TestBroadcastTwoInstances(t *testing.T) {
	t.Parallel()
	b := newBroadcast(t, 600)
	b.start(t, "a", 50)
	b.start(t, "b", 50)
	b.publish(t)
	b.waitDone(t, 60*time.Second)
	o := b.check(t)
	t.Logf("%v", o)
	if o.maxWindow > b.fake.globalLimit {
		t.Errorf("%d messages in one second at TELEGRAM_RATE=%d", o.maxWindow, broadcastRate)
	}
}

// BenchmarkBroadcast is the broadcast of docs/benchmarks.md: 10,000 subscribers at
// TELEGRAM_RATE=200 take 50 s +-10% with zero 429 and the console's counts equal to the
// fake's log; then the same with two instances, and with a kill -9 halfway. Run with
// -benchtime=1x: one broadcast is a minute.
func BenchmarkBroadcast(b *testing.B) {
	const n = 10000
	report := func(b *testing.B, o broadcastOutcome, published time.Time) {
		took := o.last.Sub(published)
		b.ReportMetric(took.Seconds(), "s/broadcast")
		b.ReportMetric(float64(o.sent)/o.last.Sub(o.first).Seconds(), "msgs/s")
		b.ReportMetric(float64(o.maxWindow), "max-msgs/1s")
		b.ReportMetric(float64(o.unknown), "unknown")
		b.ReportMetric(float64(o.tooMany), "429s")
		b.Logf("%d subscribers: published to last message %.1f s; %v", n, took.Seconds(), o)
	}
	within := func(b *testing.B, o broadcastOutcome, published time.Time) {
		if took := o.last.Sub(published); took < 45*time.Second || took > 55*time.Second {
			b.Errorf("took %v, want 50 s +-10%%", took)
		}
	}
	b.Run("one-instance", func(b *testing.B) {
		for range b.N {
			bc := newBroadcast(b, n)
			bc.start(b, "a", 0)
			published := bc.publish(b)
			bc.waitDone(b, 3*time.Minute)
			o := bc.check(b)
			report(b, o, published)
			within(b, o, published)
		}
	})
	b.Run("two-instances", func(b *testing.B) {
		for range b.N {
			bc := newBroadcast(b, n)
			bc.start(b, "a", 0)
			bc.start(b, "b", 0)
			published := bc.publish(b)
			bc.waitDone(b, 3*time.Minute)
			o := bc.check(b)
			report(b, o, published)
			within(b, o, published)
			if o.maxWindow > bc.fake.globalLimit {
				b.Errorf("%d messages in one second", o.maxWindow)
			}
		}
	})
	b.Run("kill9-halfway", func(b *testing.B) {
		for range b.N {
			bc := newBroadcast(b, n)
			a := bc.start(b, "a", 0)
			published := bc.publish(b)
			bc.waitFor(b, "half the notices to be sent", 2*time.Minute, func() bool { return len(bc.fake.sent("sendMessage", "")) >= n/2 })
			kill9(a)
			bc.start(b, "b", 0)
			bc.waitDone(b, 3*time.Minute)
			o := bc.check(b)
			report(b, o, published)
		}
	})
}
