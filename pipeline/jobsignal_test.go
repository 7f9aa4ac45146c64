package pipeline

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"sync"
	"testing"
	"time"

	"xingqu/dialog"
	"xingqu/providers/geo"
	"xingqu/store"
	"xingqu/store/storetest"
)

// claims counts the job claims made on the test's database (the private test cluster
// loads pg_stat_statements).
func claims(t testing.TB, db *store.DB) int64 {
	t.Helper()
	var n int64
	err := db.GetContext(context.Background(), &n, `
SELECT COALESCE(sum(calls), 0)::bigint FROM pg_stat_statements
WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND query LIKE '%UPDATE jobs SET leased_until = now() +%'`)
	if err != nil {
		t.Fatalf("pg_stat_statements: %v", err)
	}
	return n
}

// signalledPipeline is a pipeline and a listener on the same database, its plan jobs
// announced to the signal.
func signalledPipeline(t *testing.T, ctx context.Context, workers int) (*Pipeline, *JobSignal) {
	t.Helper()
	url := storetest.URL(t)
	db, err := store.Open(ctx, url, store.PoolConfig{MaxOpen: 10})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.ExecContext(ctx, `CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err != nil {
		t.Fatalf("pg_stat_statements: %v", err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	sh, _ := time.LoadLocation("Asia/Shanghai")
	p := &Pipeline{DB: db, Engine: &dialog.Engine{Now: func() time.Time { return testNow }, DefaultLoc: sh, Places: geo.Places{}}, Log: log}
	l := store.NewListener(url, log)
	t.Cleanup(l.Close)
	sig := NewJobSignal()
	sig.Listen(ctx, l, []string{JobPlan}, workers)
	<-l.Ready()
	return p, sig
}

// Workers told of each job claim each job about once: no empty claims from workers
// polling an empty queue, and one worker woken per job, not all of them. Only the rare
// polls for what nobody announced come on top.
func TestAnnouncedJobsAreClaimedOnce(t *testing.T) {
	t.Parallel()
	const workers, travellers = 4, 40
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p, sig := signalledPipeline(t, ctx, workers)
	for i := 0; i < workers; i++ {
		w := &PlanWorker{Pipeline: p, Plan: offlinePlan, Wake: sig, Log: p.Log}
		go w.Run(ctx)
	}
	// Each worker's first claim, and one each when the listener started listening.
	waitUntil(t, 5*time.Second, "start-up claims", func() bool { return claims(t, p.DB) >= 2*workers })
	time.Sleep(100 * time.Millisecond)
	before, start := claims(t, p.DB), time.Now()

	// Travellers asking for plans four at a time, over a few seconds as under load, with
	// the workers idle between one job and the next.
	errs := make(chan error, travellers)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < travellers; i += 4 {
				time.Sleep(150 * time.Millisecond)
				for j, text := range []string{"福州, 12月25日到12月28日, 每人2000, 带孩子, 喜欢海边", "好"} {
					in := Inbound{Channel: "web", ExternalID: fmt.Sprint("claim", i), InboundID: fmt.Sprint("claim", i, ":", j), Text: text}
					if _, _, err := p.Handle(ctx, in); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var jobs int64
	waitUntil(t, 30*time.Second, "every plan job done", func() bool {
		var pending int64
		p.DB.GetContext(ctx, &pending, `SELECT count(*) FROM jobs WHERE kind = 'plan' AND done_at IS NULL`)
		p.DB.GetContext(ctx, &jobs, `SELECT count(*) FROM jobs WHERE kind = 'plan'`)
		return jobs == travellers && pending == 0
	})
	elapsed := time.Since(start)
	time.Sleep(100 * time.Millisecond)
	made := claims(t, p.DB) - before
	// Each announced job costs one claim; each worker's poll (every 5 s) one more, and
	// one after it when it finds a job.
	polls := int64(workers * int(math.Ceil(elapsed.Seconds()/5)))
	t.Logf("%d jobs, %d claims (%.2f per job) in %v", jobs, made, float64(made)/float64(jobs), elapsed.Round(time.Millisecond))
	if made < jobs || made > jobs+2*polls {
		t.Errorf("%d claims for %d jobs in %v, want between %d and %d", made, jobs, elapsed.Round(time.Millisecond), jobs, jobs+2*polls)
	}
}

// A job nobody announced (its lease ran out, it was released for later, or the
// announcement was lost) is still found by polling, and one found that way is followed
// by another claim at once, so a backlog does not wait a poll per job.
func TestUnannouncedJobsAreFoundByPolling(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p, _ := signalledPipeline(t, ctx, 1)
	quiet := NewJobSignal() // hears nothing: the jobs below are announced to no one listening
	const backlog = 3
	for i := 0; i < backlog; i++ {
		toPlanning(t, p, fmt.Sprint("quiet", i))
	}
	start := time.Now()
	w := &PlanWorker{Pipeline: p, Plan: offlinePlan, Wake: quiet, Log: p.Log} // polls every 5 s
	go w.Run(ctx)
	waitUntil(t, 20*time.Second, "unannounced jobs done", func() bool {
		var pending int
		p.DB.GetContext(ctx, &pending, `SELECT count(*) FROM jobs WHERE kind = 'plan' AND done_at IS NULL`)
		return pending == 0
	})
	// The first claim at start finds one, and the others follow at once, not a poll apart.
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("a backlog of %d jobs took %v, want well under a poll (5 s) apart", backlog, d)
	}
}
