package pipeline

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"xingqu/dialog"
	"xingqu/store"
	"xingqu/store/storetest"
)

func TestPreviewShowsReadableLines(t *testing.T) {
	partial := `{"options":[{"tier":"luxury","title":"豪华尊享游","budget":{"low":1},"days":[{"date":"2026-12-25","morning":"鼓山 \"登高\"","afternoon":"三坊七巷","evening":"达明美`
	got := Preview(partial)
	want := "== 豪华尊享游\n2026-12-25\n  鼓山 \"登高\"\n  三坊七巷"
	if got != want {
		t.Fatalf("Preview =\n%q\nwant\n%q", got, want)
	}
	if Preview(strings.Repeat(`{"x":`, 10000)) != "" {
		t.Fatal("preview of junk is not empty")
	}
}

// A planner that reports progress has it published, throttled, to listeners.
func TestPlanProgressIsPublished(t *testing.T) {
	t.Parallel()
	p, l := progressListened(t)
	convID := toPlanning(t, p, "prog")
	slow := func(ctx context.Context, job PlanJob, report ReportFunc) (dialog.Plan, error) {
		for i := 1; i <= 25; i++ { // 2.5 s of writing, reported every 100 ms
			report("fake", i*100, `{"options":[{"title":"Luxury","days":[{"date":"2026-12-25","morning":"step `+strings.Repeat("x", i)+`"`)
			time.Sleep(100 * time.Millisecond)
		}
		return offlinePlan(ctx, job, report)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go (&PlanWorker{Pipeline: p, Plan: slow, Poll: 20 * time.Millisecond, Log: p.Log}).Run(ctx)
	var got []Progress
	deadline := time.After(8 * time.Second)
	for planMessages(t, p.DB, convID) == 0 {
		select {
		case n := <-l.Notify:
			if n == nil {
				continue
			}
			var pr Progress
			if err := json.Unmarshal([]byte(n.Extra), &pr); err != nil {
				t.Fatal(err)
			}
			got = append(got, pr)
		case <-deadline:
			t.Fatal("plan not delivered")
		case <-time.After(50 * time.Millisecond):
		}
	}
	// 25 reports in 2.5 s, none in the first second, then one a second: 2 to 3.
	if len(got) < 2 || len(got) > 3 {
		t.Fatalf("%d progress notifications, want 2-3 (one a second after the first)", len(got))
	}
	if got[0].ConversationID != convID || got[0].PlanRequest != 1 || got[0].Provider != "fake" || !strings.Contains(got[0].Preview, "Luxury") {
		t.Fatalf("first progress = %+v", got[0])
	}
}

// A plan written within a second is delivered without any progress: no notification, so
// no progress message for a channel to send and then delete.
func TestQuickPlanShowsNoProgress(t *testing.T) {
	t.Parallel()
	p, l := progressListened(t)
	convID := toPlanning(t, p, "quick")
	quick := func(ctx context.Context, job PlanJob, report ReportFunc) (dialog.Plan, error) {
		for i := 1; i <= 5; i++ { // 0.5 s of writing, reported every 100 ms
			report("fake", i*100, `{"options":[{"title":"Luxury"`)
			time.Sleep(100 * time.Millisecond)
		}
		return offlinePlan(ctx, job, report)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go (&PlanWorker{Pipeline: p, Plan: quick, Poll: 20 * time.Millisecond, Log: p.Log}).Run(ctx)
	deadline := time.After(8 * time.Second)
	for planMessages(t, p.DB, convID) == 0 {
		select {
		case n := <-l.Notify:
			if n != nil {
				t.Fatalf("progress published for a plan made in half a second: %s", n.Extra)
			}
		case <-deadline:
			t.Fatal("plan not delivered")
		case <-time.After(50 * time.Millisecond):
		}
	}
	select {
	case n := <-l.Notify:
		if n != nil {
			t.Fatalf("progress published for a plan made in half a second: %s", n.Extra)
		}
	case <-time.After(700 * time.Millisecond):
	}
}

// progressListened is a pipeline on a database of its own and a listener of its
// progress notifications.
func progressListened(t *testing.T) (*Pipeline, *pq.Listener) {
	t.Helper()
	url := storetest.URL(t)
	p := newPipeline(t)
	p.DB.Close()
	var err error
	if p.DB, err = openTestDB(url); err != nil {
		t.Fatal(err)
	}
	l := pq.NewListener(url, time.Second, time.Second, nil)
	t.Cleanup(func() { l.Close() })
	if err := l.Listen(store.ProgressChannel); err != nil {
		t.Fatal(err)
	}
	return p, l
}

func openTestDB(url string) (*store.DB, error) {
	return store.Open(context.Background(), url, store.PoolConfig{})
}
