package store_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"xingqu/store"
	"xingqu/store/storetest"
)

func enqueueJob(t *testing.T, db *store.DB, kind string, conv int64, runAt time.Time) int64 {
	t.Helper()
	id, err := store.EnqueueJob(context.Background(), db, kind, conv, map[string]string{"kind": kind}, runAt)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// ClaimJob hands out due jobs of the kinds asked for, earliest first, each once while its
// lease lasts and again when the lease runs out; CompleteJob finishes a job once;
// RetryJob releases it for later with the cause.
func TestJobQueue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	conv := conversationFor(t, db, "ana")
	now := time.Now()
	later := enqueueJob(t, db, "plan", conv, now.Add(-time.Second))
	earlier := enqueueJob(t, db, "plan", conv, now.Add(-time.Minute))
	weather := enqueueJob(t, db, "weather", 0, time.Time{})
	enqueueJob(t, db, "plan", conv, now.Add(time.Hour))

	claim := func(kinds ...string) *store.Job {
		t.Helper()
		j, err := store.ClaimJob(ctx, db, kinds, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return j
	}
	j := claim("plan")
	if j == nil || j.ID != earlier || j.Kind != "plan" || j.ConversationID.Int64 != conv || j.Attempts != 1 || string(j.Payload) != `{"kind": "plan"}` {
		t.Fatalf("first claim = %+v, want job %d", j, earlier)
	}
	if j := claim("plan"); j == nil || j.ID != later {
		t.Fatalf("second claim = %+v, want job %d", j, later)
	}
	// The job due in an hour and the leased ones are not handed out; nor are other kinds.
	if j := claim("plan"); j != nil {
		t.Fatalf("third claim = %+v, want none", j)
	}
	if j := claim("report"); j != nil {
		t.Fatalf("claim of an unknown kind = %+v", j)
	}
	// Kinds in the order asked: a plan a traveller waits for goes before an older
	// weather check.
	sooner := enqueueJob(t, db, "plan", conversationFor(t, db, "bo"), now.Add(-time.Millisecond))
	if j := claim("plan", "weather"); j == nil || j.ID != sooner {
		t.Fatalf("claim of either kind = %+v, want the plan %d before the older weather check", j, sooner)
	}
	if j := claim("plan", "weather"); j == nil || j.ID != weather || j.ConversationID.Valid {
		t.Fatalf("claim of either kind = %+v, want job %d without a conversation", j, weather)
	}

	// The worker of `later` died: once its lease runs out, the job is handed out again.
	if _, err := db.ExecContext(ctx, `UPDATE jobs SET leased_until = now() - interval '1 second' WHERE id = $1`, later); err != nil {
		t.Fatal(err)
	}
	if j := claim("plan"); j == nil || j.ID != later || j.Attempts != 2 {
		t.Fatalf("claim after the lease ran out = %+v, want job %d, attempt 2", j, later)
	}

	if ok, err := store.CompleteJob(ctx, db, earlier); !ok || err != nil {
		t.Fatalf("complete: %v %v", ok, err)
	}
	if ok, err := store.CompleteJob(ctx, db, earlier); ok || err != nil {
		t.Fatalf("second complete: %v %v; want false", ok, err)
	}
	if _, err := db.ExecContext(ctx, `UPDATE jobs SET leased_until = now() - interval '1 second' WHERE id = $1`, earlier); err != nil {
		t.Fatal(err)
	}
	if j := claim("plan"); j != nil {
		t.Fatalf("a done job was claimed again: %+v", j)
	}

	if err := store.RetryJob(ctx, db, later, errors.New("model timed out"), time.Now().Add(-time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	var lastErr string
	db.GetContext(ctx, &lastErr, `SELECT last_error FROM jobs WHERE id = $1`, later)
	if lastErr != "model timed out" {
		t.Errorf("last error = %q", lastErr)
	}
	if j := claim("plan"); j == nil || j.ID != later || j.Attempts != 3 {
		t.Fatalf("claim after a retry = %+v, want job %d, attempt 3", j, later)
	}
	if err := store.RetryJob(ctx, db, later, errors.New("again"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if j := claim("plan"); j != nil {
		t.Fatalf("a job retried for later was claimed now: %+v", j)
	}

	js, err := store.Jobs(ctx, db, conv)
	if err != nil {
		t.Fatal(err)
	}
	if len(js) != 3 || js[0].ID != later || js[1].ID != earlier || js[0].Attempts != 3 {
		t.Errorf("Jobs = %+v; want the conversation's 3 jobs in id order", js)
	}
	if js, err := store.Jobs(ctx, db, conv+1000); err != nil || len(js) != 0 {
		t.Errorf("Jobs of another conversation = %+v, %v", js, err)
	}
}

// Two workers claiming at once never get the same job.
func TestClaimJobConcurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	const n = 20
	for i := 0; i < n; i++ {
		enqueueJob(t, db, "plan", 0, time.Time{})
	}
	got := make(chan int64, 2*n)
	errs := make(chan error, 4)
	for w := 0; w < 4; w++ {
		go func() {
			for {
				j, err := store.ClaimJob(ctx, db, []string{"plan"}, time.Minute)
				if err != nil || j == nil {
					errs <- err
					return
				}
				got <- j.ID
			}
		}()
	}
	for w := 0; w < 4; w++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	close(got)
	seen := map[int64]bool{}
	for id := range got {
		if seen[id] {
			t.Errorf("job %d claimed twice", id)
		}
		seen[id] = true
	}
	if len(seen) != n {
		t.Errorf("%d jobs claimed, want %d", len(seen), n)
	}
}

// A job due now is announced on JobsChannel when its transaction commits; one queued for
// later, or rolled back, is not.
func TestEnqueueJobAnnouncesDueJobs(t *testing.T) {
	t.Parallel()
	url := storetest.URL(t)
	ctx := context.Background()
	db, err := store.Open(ctx, url, store.PoolConfig{MaxOpen: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	l := store.NewListener(url, slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer l.Close()
	heard := make(chan string, 8)
	l.Subscribe(store.JobsChannel, func(kind string) { heard <- kind })
	l.Start()
	<-l.Ready()

	rolledBack := errors.New("roll back")
	err = db.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := store.EnqueueJob(ctx, tx, "plan", 0, map[string]int{}, time.Time{}); err != nil {
			return err
		}
		return rolledBack
	})
	if !errors.Is(err, rolledBack) {
		t.Fatal(err)
	}
	if _, err := store.EnqueueJob(ctx, db, "notice", 0, map[string]int{}, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	var id int64
	err = db.InTx(ctx, func(tx *sqlx.Tx) error {
		id, err = store.EnqueueJob(ctx, tx, "weather", 0, map[string]int{}, time.Time{})
		return err
	})
	if err != nil || id == 0 {
		t.Fatalf("enqueue = %d, %v", id, err)
	}
	select {
	case kind := <-heard:
		if kind != "weather" {
			t.Errorf("heard %q first, want weather (the rolled-back and the later job are not announced)", kind)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the due job was not announced")
	}
	select {
	case kind := <-heard:
		t.Errorf("heard %q too", kind)
	case <-time.After(200 * time.Millisecond):
	}
}
