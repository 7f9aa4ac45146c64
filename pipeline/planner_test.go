package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"xingqu/dialog"
	"xingqu/providers/geo"
	"xingqu/providers/offline"
	"xingqu/store"
	"xingqu/store/storetest"
)

func offlinePlan(_ context.Context, job PlanJob, _ ReportFunc) (dialog.Plan, error) {
	return offline.Plan(job.Trip, job.Lang, testNow), nil
}

// toPlanning walks a new conversation to the point where a plan job is queued.
func toPlanning(t testing.TB, p *Pipeline, who string) int64 {
	t.Helper()
	var convID int64
	for i, text := range []string{"福州, 12月25日到12月28日, 每人2000, 带孩子, 喜欢海边", "好"} {
		id, _, err := p.Handle(context.Background(), Inbound{Channel: "web", ExternalID: who, InboundID: fmt.Sprint(who, i), Text: text})
		if err != nil {
			t.Fatal(err)
		}
		convID = id
	}
	return convID
}

func planMessages(t testing.TB, db *store.DB, convID int64) int {
	t.Helper()
	var n int
	if err := db.GetContext(context.Background(), &n, `SELECT count(*) FROM messages WHERE conversation_id = $1 AND body->>'kind' = 'plan'`, convID); err != nil {
		t.Fatal(err)
	}
	return n
}

func waitUntil(t testing.TB, within time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestPlanWorkerDeliversPlan(t *testing.T) {
	t.Parallel()
	p := newPipeline(t)
	convID := toPlanning(t, p, "w1")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &PlanWorker{Pipeline: p, Plan: offlinePlan, Poll: 20 * time.Millisecond, Log: p.Log}
	go w.Run(ctx)
	waitUntil(t, 5*time.Second, "plan delivered", func() bool { return planMessages(t, p.DB, convID) == 1 })
	plans, err := store.Plans(ctx, p.DB, convID)
	if err != nil || len(plans) != 1 || plans[0].Version != 1 || len(plans[0].Options) != 3 {
		t.Fatalf("plans = %+v, %v", plans, err)
	}
	var state string
	p.DB.GetContext(ctx, &state, `SELECT state FROM conversations WHERE id = $1`, convID)
	if state != dialog.StatePlanned {
		t.Fatalf("state = %q, want planned", state)
	}
}

// Two workers finishing the same job (the first outlived its lease) deliver one plan.
func TestPlanDeliveredOnceWhenTwoWorkersFinish(t *testing.T) {
	t.Parallel()
	p := newPipeline(t)
	convID := toPlanning(t, p, "w2")
	ctx := context.Background()
	job, err := store.ClaimJob(ctx, p.DB, []string{JobPlan}, 50*time.Millisecond)
	if err != nil || job == nil {
		t.Fatalf("claim: %v %v", job, err)
	}
	time.Sleep(100 * time.Millisecond) // the lease runs out: the job is up for grabs again
	again, err := store.ClaimJob(ctx, p.DB, []string{JobPlan}, time.Minute)
	if err != nil || again == nil || again.ID != job.ID {
		t.Fatalf("reclaim: %v %v", again, err)
	}
	w := &PlanWorker{Pipeline: p, Plan: offlinePlan, Log: p.Log}
	var wg sync.WaitGroup
	for _, j := range []*store.Job{job, again} {
		wg.Add(1)
		go func(j *store.Job) { defer wg.Done(); w.process(ctx, j, time.Minute) }(j)
	}
	wg.Wait()
	if n := planMessages(t, p.DB, convID); n != 1 {
		t.Fatalf("%d plan messages, want 1", n)
	}
}

// TestPlanWorkerChild is not a test of its own: TestPlanJobSurvivesWorkerCrash runs the
// test binary again with XINGQU_PLAN_CHILD set, and it becomes a worker whose planner
// never answers, to be killed mid-call.
func TestPlanWorkerChild(t *testing.T) {
	url := os.Getenv("XINGQU_PLAN_CHILD")
	if url == "" {
		t.Skip("helper process for TestPlanJobSurvivesWorkerCrash")
	}
	db, err := store.Open(context.Background(), url, store.PoolConfig{})
	if err != nil {
		os.Exit(3)
	}
	p := &Pipeline{DB: db, Engine: &dialog.Engine{Places: geo.Places{}}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	stall := func(ctx context.Context, _ PlanJob, _ ReportFunc) (dialog.Plan, error) {
		fmt.Println("planning") // the parent kills us once the call is under way
		<-ctx.Done()
		return dialog.Plan{}, ctx.Err()
	}
	w := &PlanWorker{Pipeline: p, Plan: stall, Lease: 2 * time.Second, Poll: 20 * time.Millisecond, Log: p.Log}
	w.Run(context.Background())
}

// A worker killed in the middle of a provider call: another worker completes the job
// once the lease runs out, and the traveller gets exactly one plan.
func TestPlanJobSurvivesWorkerCrash(t *testing.T) {
	t.Parallel()
	url := storetest.URL(t)
	db, err := store.Open(context.Background(), url, store.PoolConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	p := &Pipeline{DB: db, Engine: &dialog.Engine{Now: func() time.Time { return testNow }, DefaultLoc: sh, Places: geo.Places{}},
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	convID := toPlanning(t, p, "crash")

	child := exec.Command(os.Args[0], "-test.run=^TestPlanWorkerChild$")
	child.Env = append(os.Environ(), "XINGQU_PLAN_CHILD="+url)
	out, _ := child.StdoutPipe()
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	if n, _ := out.Read(buf); n == 0 {
		t.Fatal("child worker never started planning")
	}
	var attempts int
	db.GetContext(context.Background(), &attempts, `SELECT attempts FROM jobs WHERE conversation_id = $1`, convID)
	if attempts != 1 {
		t.Fatalf("attempts = %d after the child claimed the job, want 1", attempts)
	}
	child.Process.Kill() // SIGKILL: no cleanup, the lease is left behind
	child.Wait()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &PlanWorker{Pipeline: p, Plan: offlinePlan, Lease: 2 * time.Second, Poll: 20 * time.Millisecond, Log: p.Log}
	go w.Run(ctx)
	waitUntil(t, 10*time.Second, "plan delivered after the crash", func() bool { return planMessages(t, db, convID) >= 1 })
	time.Sleep(300 * time.Millisecond) // room for a wrong second delivery to show
	if n := planMessages(t, db, convID); n != 1 {
		t.Fatalf("%d plan messages, want exactly 1", n)
	}
	var done bool
	db.GetContext(context.Background(), &done, `SELECT done_at IS NOT NULL AND attempts = 2 FROM jobs WHERE conversation_id = $1`, convID)
	if !done {
		t.Fatal("job not done on its second attempt")
	}
}

// A job whose planning keeps failing ends with the offline draft, not with silence.
func TestPlanJobThatKeepsFailingGetsTheDraft(t *testing.T) {
	t.Parallel()
	p := newPipeline(t)
	convID := toPlanning(t, p, "fails")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var calls atomic.Int32
	failing := func(context.Context, PlanJob, ReportFunc) (dialog.Plan, error) {
		calls.Add(1)
		return dialog.Plan{}, errors.New("LLM-104: every provider down and the draft broken too")
	}
	w := &PlanWorker{Pipeline: p, Plan: failing, Poll: 10 * time.Millisecond, Retry: 10 * time.Millisecond, Log: p.Log}
	go w.Run(ctx)
	waitUntil(t, 10*time.Second, "offline draft delivered", func() bool { return planMessages(t, p.DB, convID) == 1 })
	if n := calls.Load(); n != maxPlanAttempts {
		t.Errorf("planner called %d times, want %d before the draft", n, maxPlanAttempts)
	}
	plans, _ := store.Plans(ctx, p.DB, convID)
	if len(plans) != 1 || !plans[0].Draft || plans[0].Source != "offline" {
		t.Fatalf("plans = %+v, want the offline draft", plans)
	}
}
