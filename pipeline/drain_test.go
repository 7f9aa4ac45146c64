package pipeline

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// 300 messages to 10 conversations, each started at once as the widget does: one drain
// per conversation at a time, so neither goroutines nor waits for a pool connection grow
// with the messages, and every message is answered, in the order it arrived.
func TestOneDrainPerConversation(t *testing.T) {
	t.Parallel()
	p := newPipeline(t)
	p.MaxDrains = 4
	ctx := context.Background()
	const convs, perConv = 10, 30
	ids := make([]int64, convs)
	for c := range convs {
		id, _, err := p.Handle(ctx, Inbound{Channel: "web", ExternalID: fmt.Sprint("s", c), InboundID: "hello", Text: "你好"})
		if err != nil {
			t.Fatal(err)
		}
		ids[c] = id
	}
	baseWaits := p.DB.Stats().WaitCount
	peak := 0
	for i := range perConv {
		for c := range convs {
			in := Inbound{Channel: "web", ExternalID: fmt.Sprint("s", c), InboundID: fmt.Sprint("m", i), Text: fmt.Sprintf("msg %02d", i)}
			convID, dup, err := p.Receive(ctx, in)
			if err != nil || dup || convID != ids[c] {
				t.Fatalf("receive: %v %v %d", err, dup, convID)
			}
			p.Kick(ctx, convID)
			peak = max(peak, p.activeDrains())
		}
	}
	done := make(chan struct{})
	go func() { p.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("drains still running after 60 s")
	}
	if peak > convs {
		t.Errorf("%d drain goroutines while messages arrived, want at most one per conversation", peak)
	}
	if waits := p.DB.Stats().WaitCount - baseWaits; waits > 0 {
		t.Errorf("%d waits for a pool connection with %d drains at most and a pool of %d", waits, p.MaxDrains, p.DB.Stats().MaxOpenConnections)
	}
	for c, id := range ids {
		ms := transcript(t, p.DB, id)
		next, answered := 0, true
		for _, m := range ms[1:] { // after the greeting's "你好"
			switch m.Role {
			case "traveller":
				if !answered {
					t.Fatalf("conversation %d: %q came before the message ahead of it was answered", c, m.Text)
				}
				if want := fmt.Sprintf("msg %02d", next); m.Text != want {
					t.Fatalf("conversation %d: %q handled where %q was due", c, m.Text, want)
				}
				next, answered = next+1, false
			default:
				answered = true
			}
		}
		if next != perConv || !answered {
			t.Fatalf("conversation %d: %d of %d messages handled (last answered: %v)", c, next, perConv, answered)
		}
	}
}

// drainGoroutines counts the goroutines running or waiting to run a drain.
// activeDrains counts this pipeline's drain goroutines (not the process's: other tests
// run in parallel with their own pipelines).
func (p *Pipeline) activeDrains() int {
	p.drains.mu.Lock()
	defer p.drains.mu.Unlock()
	return p.drains.active
}
