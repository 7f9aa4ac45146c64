package telegram

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"xingqu/store"
	"xingqu/store/storetest"
)

// turnCost is what PostgreSQL spent on a number of Telegram turns, end to end: the poll
// storing the updates, each message received and its turn taken, the replies sent and
// confirmed. Counts, not timings: they do not depend on how busy the machine is.
type turnCost struct {
	Turns        int
	Commits      float64 // pg_stat_database.xact_commit per turn, the notifier's apart
	Writing      float64 // transaction ids used per turn: the transactions that wrote
	Statements   float64 // statements the service sent, per turn, the notifier's apart
	Notifies     float64 // the notifier's statements (each its own transaction) per turn
	Nested       float64 // statements run inside them (foreign-key checks), per turn
	ExecMS       float64 // execution time of all statements, per turn
	PlanMS       float64 // planning time of all statements, per turn
	Planned      float64 // share of the statements planned rather than run from a kept plan
	BackendCPUMS float64 // CPU of the service's database sessions, per turn
	Connections  int64   // TCP connections opened to the Bot API during the measured turns
	Top          []statement
}

// statement is one line of pg_stat_statements.
type statement struct {
	Calls   int64   `db:"calls"`
	Plans   int64   `db:"plans"`
	TotalMS float64 `db:"total_ms"`
	MeanMS  float64 `db:"mean_ms"`
	Buffers float64 `db:"buffers"`
	Query   string  `db:"query"`
}

func (c turnCost) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d turns: %.2f commits/turn (%.2f writing), %.2f statements/turn (+%.2f nested, %.0f%% planned), and %.2f notifier statements/turn (a commit each), %.3f ms executing + %.3f ms planning per turn, backend CPU %.2f ms/turn, %d connections to the Bot API opened\n",
		c.Turns, c.Commits, c.Writing, c.Statements, c.Nested, 100*c.Planned, c.Notifies, c.ExecMS, c.PlanMS, c.BackendCPUMS, c.Connections)
	b.WriteString("| calls/turn | planned/turn | ms/call | buffers/call | statement |\n|---|---|---|---|---|\n")
	for _, s := range c.Top {
		fmt.Fprintf(&b, "| %.2f | %.2f | %.3f | %.1f | `%s` |\n", float64(s.Calls)/float64(c.Turns), float64(s.Plans)/float64(c.Turns), s.MeanMS, s.Buffers, s.Query)
	}
	return b.String()
}

// costTravellers and costScript shape the measured run: each traveller answers one slot a
// message and waits for the answer before the next, as the load generator's do.
const costTravellers = 30

var costScript = []string{"福州", "12月25日到12月30日", "每人2000", "没有", "海边", "/new"}

// measureTurns plays costTravellers through costScript twice against a channel of its
// own (polling a fake Bot API, replies sent through the outbox) and returns what the
// database spent on those turns. The travellers are created before the count starts.
func measureTurns(t *testing.T) turnCost {
	t.Helper()
	ctx := context.Background()
	url := storetest.URL(t)
	admin, err := sqlx.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	admin.SetMaxOpenConns(1)
	_, err = admin.ExecContext(ctx, `CREATE EXTENSION IF NOT EXISTS pg_stat_statements`)
	haveStatements := err == nil
	if !haveStatements {
		t.Logf("pg_stat_statements is not loaded (%v): only transactions are counted", err)
	}

	fake := newFakeAPI(t)
	fake.chatGap = 0
	uid := 0
	var uidMu sync.Mutex
	// say sends a message and waits for the answer; it reports, rather than fails, so
	// that the travellers' goroutines leave failing to the test's.
	say := func(chat int64, text string) error {
		uidMu.Lock()
		uid++
		id := uid
		before := len(fake.sent("sendMessage", strconv.FormatInt(chat, 10)))
		// Pushed in update_id order: Telegram never hands out an older id after a newer.
		fake.push(textUpdate(id, chat, "zh", text))
		uidMu.Unlock()
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if len(fake.sent("sendMessage", strconv.FormatInt(chat, 10))) > before {
				return nil
			}
		}
		var state string
		admin.GetContext(ctx, &state, `/* turncost */
SELECT concat_ws(' / ',
  (SELECT 'update ' || coalesce(outcome, 'unprocessed') || ', attempts ' || attempts FROM telegram_updates WHERE update_id = $1),
  (SELECT 'inbox ' || CASE WHEN handled_at IS NULL THEN 'pending' ELSE 'handled' END FROM inbox WHERE inbound_id = 'tg:' || $1),
  (SELECT 'outbox ' || string_agg(id || ':' || state, ',' ORDER BY id) FROM outbox WHERE chat_id = $2::text))`, id, chat)
		return fmt.Errorf("no answer to %q (update %d) in chat %d within 30 s: %s", text, id, chat, state)
	}
	// run starts a channel with a pool of its own, lets every traveller play script,
	// and stops it: its sessions end, and with them PostgreSQL flushes their counters.
	run := func(script []string, measured bool) (cpuMS float64, notifies int64) {
		db, err := store.Open(ctx, url, store.PoolConfig{MaxOpen: 10})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		cfg := fastConfig(fake, "a", ModePolling)
		cfg.Rate, cfg.Sender.Poll = 1000, 0
		// The service's leader check: the tests' 200 ms can time out on a busy machine,
		// and a leader that steps down leaves its in-flight replies unsent (at most once).
		cfg.LeaderRetry = 2 * time.Second
		pipe := newPipeline(db)
		pipe.MessageRate = 30 // the service's default: each message is counted
		ch, stop := runChannel(t, cfg, db, pipe)
		_ = ch
		var wg sync.WaitGroup
		errs := make(chan error, costTravellers)
		for i := range costTravellers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for _, text := range script {
					if err := say(int64(7000+i), text); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if t.Failed() {
			t.FailNow()
		}
		// The last deliveries are confirmed with the sender's next claim.
		time.Sleep(300 * time.Millisecond)
		if measured {
			cpuMS = sessionsCPU(t, admin)
		}
		stop()
		db.Close() // sends the notifications still waiting
		notifies, _ = db.Notifier().Sent()
		waitFor(t, "the channel's sessions to end", 10*time.Second, func() bool {
			var n int
			admin.GetContext(ctx, &n, `/* turncost */ SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)
			return n == 0
		})
		return cpuMS, notifies
	}
	run([]string{"/new"}, false)

	var a0 store.Activity
	if haveStatements {
		if err := store.ResetStatements(ctx, admin, false); err != nil {
			t.Fatal(err)
		}
	}
	readActivity := func() store.Activity {
		// This session's own counts reach pg_stat_database only when flushed.
		admin.ExecContext(ctx, `/* turncost */ SELECT pg_stat_force_next_flush()`)
		a, err := store.GetActivity(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a0 = readActivity()
	conns := fake.conns.Load()
	cpu, notifies := run(append(costScript, costScript...), true)
	a1 := readActivity()
	conns = fake.conns.Load() - conns

	turns := costTravellers * 2 * len(costScript)
	n := float64(turns)
	// The notifier's statements, each a transaction with an id of its own (NOTIFY takes
	// one), are counted apart: how many turns one carries depends on how many commit
	// while one is sent, few in this test, many under load.
	c := turnCost{Turns: turns, BackendCPUMS: cpu / n, Connections: conns, Notifies: float64(notifies) / n,
		// The two statements that read the counters, each its own transaction.
		Commits: float64(a1.Commits-a0.Commits-2-notifies) / n, Writing: float64(a1.NextXID-a0.NextXID-notifies) / n}
	if haveStatements {
		var sum struct {
			Top    float64 `db:"top"`
			Nested float64 `db:"nested"`
			Exec   float64 `db:"exec"`
			Plan   float64 `db:"plan"`
			Shared float64 `db:"planned"`
		}
		err := admin.GetContext(ctx, &sum, `/* turncost */
SELECT COALESCE(sum(calls) FILTER (WHERE toplevel), 0)::float8 AS top,
       COALESCE(sum(calls) FILTER (WHERE NOT toplevel), 0)::float8 AS nested,
       COALESCE(sum(total_exec_time), 0)::float8 AS exec, COALESCE(sum(total_plan_time), 0)::float8 AS plan,
       COALESCE(sum(plans) FILTER (WHERE toplevel)::float8 / nullif(sum(calls) FILTER (WHERE toplevel AND plans > 0), 0), 0) AS planned
FROM pg_stat_statements
WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND query NOT LIKE '%turncost%' AND query NOT LIKE '%pg_stat%'`)
		if err != nil {
			t.Fatal(err)
		}
		c.Statements, c.Nested, c.ExecMS, c.PlanMS, c.Planned = sum.Top/n-c.Notifies, sum.Nested/n, sum.Exec/n, sum.Plan/n, sum.Shared
		// The statements by time spent, planning included.
		err = admin.SelectContext(ctx, &c.Top, `/* turncost */
SELECT calls, plans, total_exec_time + total_plan_time AS total_ms, (total_exec_time + total_plan_time) / greatest(calls, 1) AS mean_ms,
       (shared_blks_hit + shared_blks_read)::float8 / greatest(calls, 1) AS buffers,
       left(regexp_replace(query, '\s+', ' ', 'g'), 110) AS query
FROM pg_stat_statements
WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND query NOT LIKE '%turncost%' AND query NOT LIKE '%pg_stat%'
ORDER BY total_exec_time + total_plan_time DESC LIMIT 40`)
		if err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// sessionsCPU sums the CPU time, in ms, of the database's sessions other than the
// caller's, from /proc; 0 where /proc cannot be read.
func sessionsCPU(t *testing.T, admin *sqlx.DB) float64 {
	var pids []int
	if err := admin.SelectContext(context.Background(), &pids, `/* turncost */
SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`); err != nil {
		t.Fatal(err)
	}
	var ticks float64
	for _, pid := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		// Fields after the command's closing parenthesis: utime and stime are 14 and 15.
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		if len(f) > 12 {
			u, _ := strconv.ParseFloat(f[11], 64)
			s, _ := strconv.ParseFloat(f[12], 64)
			ticks += u + s
		}
	}
	return ticks * 10 // USER_HZ is 100
}

// What a Telegram turn costs PostgreSQL, counted: transactions and statements per turn
// stay within the budget that lets two cores serve 1,000 travellers, and statements run
// from plans kept per connection. Before the turn path was tightened a turn took 20
// statements (+5 foreign-key checks), each parsed and planned, in two round trips each.
//
//	go test -count=1 -run TestTurnCost -v ./channel/telegram/
func TestTurnCost(t *testing.T) {
	c := measureTurns(t)
	t.Logf("\n%s", c)
	// The idle polls of the sender and the poller add a little, more on a slow machine.
	// The message, its update's outcome and its turn are one transaction; the poll and the
	// sender's batches are shared by many turns. (Two transactions a turn measured 2.7.)
	if c.Commits > 2.3 || c.Writing > 1.9 {
		t.Errorf("%.2f commits per turn, %.2f of them writing; want at most 2.3 and 1.9", c.Commits, c.Writing)
	}
	// A turn's notification leaves after its commit, with those of the turns that commit
	// while the notifier's statement before is under way: never more than one statement
	// a turn. Here the travellers wait for each answer, so most go alone.
	if c.Notifies == 0 || c.Notifies > 1 {
		t.Errorf("%.2f notifier statements per turn; want some, at most 1", c.Notifies)
	}
	// Connections are kept: a request in flight at once needs one, a turn none. (With
	// net/http's default of two idle connections a host, every burst of sends opened new
	// ones: a TCP handshake each here, and a TLS handshake each to Telegram.)
	if limit := int64(defaultSenderWorkers + 4); c.Connections > limit {
		t.Errorf("%d connections to the Bot API opened for %d turns; want at most %d (the sender's workers and the poll)", c.Connections, c.Turns, limit)
	}
	// Planned statements are counted a turn rather than as a share: each connection plans
	// its first runs, and the race detector's slower turns open more connections.
	if c.Statements > 0 && (c.Statements > 6.5 || c.Planned*c.Statements > 4) {
		t.Errorf("%.2f statements per turn, %.2f of them planned; want at most 6.5, at most 4 planned", c.Statements, c.Planned*c.Statements)
	}
}
