package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"xingqu/dialog"
	"xingqu/providers/geo"
	"xingqu/store"
	"xingqu/store/storetest"
)

var testNow = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

func newPipeline(t testing.TB) *Pipeline {
	t.Helper()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	return &Pipeline{
		DB:     storetest.New(t),
		Engine: &dialog.Engine{Now: func() time.Time { return testNow }, DefaultLoc: sh, Places: geo.Places{}},
		Log:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

func transcript(t *testing.T, db *store.DB, convID int64) []store.Message {
	t.Helper()
	ms, err := store.Messages(context.Background(), db, convID, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// Twenty messages sent at once to one conversation are handled one at a time, in the
// order they arrived: each traveller message is followed by its own replies.
func TestConcurrentMessagesAreHandledInArrivalOrder(t *testing.T) {
	t.Parallel()
	p := newPipeline(t)
	ctx := context.Background()
	// A first message creates the conversation, so the twenty race only for its lock.
	convID, _, err := p.Handle(ctx, Inbound{Channel: "web", ExternalID: "s1", InboundID: "m0", Text: "你好"})
	if err != nil {
		t.Fatal(err)
	}
	const n = 20
	var wg sync.WaitGroup
	order := make(chan string, n)
	var mu sync.Mutex // serialises Receive so that the arrival order is known
	for i := 1; i <= n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			text := fmt.Sprintf("msg %02d", i)
			mu.Lock()
			_, dup, err := p.Receive(ctx, Inbound{Channel: "web", ExternalID: "s1", InboundID: fmt.Sprint("m", i), Text: text})
			if err == nil && !dup {
				order <- text
			}
			mu.Unlock()
			if err != nil {
				t.Error(err)
				return
			}
			if _, err := p.Drain(ctx, convID); err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	close(order)
	var arrived []string
	for s := range order {
		arrived = append(arrived, s)
	}
	if len(arrived) != n {
		t.Fatalf("%d messages received, want %d", len(arrived), n)
	}

	ms := transcript(t, p.DB, convID)
	var seen []string
	for i, m := range ms {
		if m.Role != "traveller" || !strings.HasPrefix(m.Text, "msg ") {
			continue
		}
		seen = append(seen, m.Text)
		// The next line must be the bot's answer to this message, not another message.
		if i+1 >= len(ms) || ms[i+1].Role != "bot" {
			t.Fatalf("message %q is not followed by its reply (turns interleaved)", m.Text)
		}
	}
	if strings.Join(seen, ",") != strings.Join(arrived, ",") {
		t.Fatalf("handled in order\n%v\nwant arrival order\n%v", seen, arrived)
	}
	var pending int
	p.DB.GetContext(ctx, &pending, `SELECT count(*) FROM inbox WHERE handled_at IS NULL`)
	if pending != 0 {
		t.Fatalf("%d messages left unhandled", pending)
	}
}

// A redelivered message (the same inbound id) changes nothing and gets no second reply.
func TestRedeliveredMessageYieldsOneReply(t *testing.T) {
	t.Parallel()
	p := newPipeline(t)
	ctx := context.Background()
	in := Inbound{Channel: "telegram", ExternalID: "42", InboundID: "update-7", Text: "福州, 12月25日到12月30日, 每人2000"}
	convID, dup, err := p.Handle(ctx, in)
	if err != nil || dup {
		t.Fatalf("first delivery: dup=%v err=%v", dup, err)
	}
	before := transcript(t, p.DB, convID)
	var wg sync.WaitGroup
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, dup, err := p.Handle(ctx, in)
			if err != nil || !dup {
				t.Errorf("redelivery: dup=%v err=%v, want dup", dup, err)
			}
		}()
	}
	wg.Wait()
	after := transcript(t, p.DB, convID)
	if len(after) != len(before) {
		t.Fatalf("transcript grew from %d to %d lines on redelivery", len(before), len(after))
	}
	var travellerLines int
	for _, m := range after {
		if m.Role == "traveller" {
			travellerLines++
		}
	}
	if travellerLines != 1 {
		t.Fatalf("%d traveller lines, want 1", travellerLines)
	}
}

// Confirming the trip queues a planning job in the same transaction as the turn; nothing
// waits on the network.
func TestConfirmQueuesPlanJob(t *testing.T) {
	t.Parallel()
	p := newPipeline(t)
	ctx := context.Background()
	var convID int64
	for i, text := range []string{"福州, 12月25日到12月30日, 每人2000, 带孩子", "喜欢海边和闽菜", "好的"} {
		id, _, err := p.Handle(ctx, Inbound{Channel: "web", ExternalID: "s2", InboundID: fmt.Sprint(i), Text: text})
		if err != nil {
			t.Fatal(err)
		}
		convID = id
	}
	jobs, err := store.Jobs(ctx, p.DB, convID)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || jobs[0].Kind != JobPlan {
		t.Fatalf("jobs = %+v, want one plan job", jobs)
	}
	var job PlanJob
	if err := json.Unmarshal(jobs[0].Payload, &job); err != nil {
		t.Fatal(err)
	}
	if job.Trip.Destination != "福州" || job.Trip.StartDate.String() != "2026-12-25" || *job.Trip.Budget != 2000 || job.PlanRequest != 1 {
		t.Fatalf("job payload = %+v", job)
	}
	var state string
	p.DB.GetContext(ctx, &state, `SELECT state FROM conversations WHERE id = $1`, convID)
	if state != dialog.StatePlanning {
		t.Fatalf("state = %q, want planning", state)
	}
}
