package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"xingqu/store"
)

// watcher records what a TurnWatcher is told.
type watcher struct {
	mu        sync.Mutex
	committed []store.TurnLines
	told      []string // "committing 12", "committed 12", "undone 12": by last line
}

func (w *watcher) tell(what string, l store.TurnLines) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.told = append(w.told, fmt.Sprint(what, " ", l.Messages[len(l.Messages)-1].ID))
	if what == "committed" {
		w.committed = append(w.committed, l)
	}
}

func (w *watcher) Committing(l store.TurnLines) { w.tell("committing", l) }
func (w *watcher) Committed(l store.TurnLines)  { w.tell("committed", l) }
func (w *watcher) Undone(l store.TurnLines)     { w.tell("undone", l) }

func (w *watcher) all() []store.TurnLines {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]store.TurnLines(nil), w.committed...)
}

// check fails unless each turn was told as committing and then as committed or undone,
// undone of them undone.
func (w *watcher) check(t *testing.T, undone int) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for i := 0; i < len(w.told); i += 2 {
		c, _ := strings.CutPrefix(w.told[i], "committing ")
		if i+1 == len(w.told) || w.told[i+1] != "committed "+c && w.told[i+1] != "undone "+c {
			t.Fatalf("the watcher was told %q", w.told)
		}
		if strings.HasPrefix(w.told[i+1], "undone") {
			n++
		}
	}
	if n != undone {
		t.Fatalf("the watcher was told %q; want %d undone", w.told, undone)
	}
}

// sameLines fails unless got are the transcript lines want, as the database has them.
func sameLines(t *testing.T, got, want []store.Message) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("handed %d lines, the transcript has %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		var gb, wb store.MessageBody
		json.Unmarshal(g.Body, &gb)
		json.Unmarshal(w.Body, &wb)
		if g.ID != w.ID || g.ConversationID != w.ConversationID || g.Role != w.Role || g.Text != w.Text ||
			!reflect.DeepEqual(gb, wb) || !g.CreatedAt.Equal(w.CreatedAt) {
			t.Fatalf("line %d handed as %+v (body %s), stored as %+v (body %s)", i, g, g.Body, w, w.Body)
		}
	}
}

// A committed turn hands over exactly the lines it added and the message before them,
// by either way a turn is taken (a drain, or the request that stored the message); a
// turn whose transaction does not commit hands nothing: it is told as undone.
func TestWatchTurnsHandsCommittedTurnsOnly(t *testing.T) {
	t.Parallel()
	p := newPipeline(t)
	var h watcher
	p.WatchTurns(&h)
	ctx := context.Background()
	n := 0
	in := func(text string) Inbound {
		n++
		return Inbound{Channel: "web", ExternalID: "s-hand", InboundID: fmt.Sprint("w:", n), Text: text, LangHint: "zh"}
	}

	// The turn is taken with the message.
	convID, _, kick, err := p.ReceiveAndTurn(ctx, in("你好"))
	if err != nil || kick {
		t.Fatalf("first message: kick %v, %v", kick, err)
	}
	first := transcript(t, p.DB, convID)
	got := h.all()
	if len(got) != 1 || got[0].ConversationID != convID || got[0].After != 0 {
		t.Fatalf("after the first turn: handed %+v; want one turn of conversation %d after no message", got, convID)
	}
	sameLines(t, got[0].Messages, first)

	// A message stored alone hands nothing; the drain that takes its turn hands it.
	if _, _, err := p.Receive(ctx, in("福州")); err != nil {
		t.Fatal(err)
	}
	if got := h.all(); len(got) != 1 {
		t.Fatalf("a message stored for a drain handed %+v", got[1:])
	}
	if _, err := p.Drain(ctx, convID); err != nil {
		t.Fatal(err)
	}
	second := transcript(t, p.DB, convID)
	got = h.all()
	if len(got) != 2 || got[1].After != first[len(first)-1].ID {
		t.Fatalf("after the drain: handed %+v; want a second turn after message %d", got, first[len(first)-1].ID)
	}
	sameLines(t, got[1].Messages, second[len(first):])

	// A turn that fails as it commits: its statement ran, its lines had ids, and the
	// transaction was undone. Nothing is handed, by either way.
	if _, err := p.DB.ExecContext(ctx, `
CREATE FUNCTION refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.text = '拒绝' THEN RAISE EXCEPTION 'refused at commit'; END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT ON messages
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_at_commit()`); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := p.ReceiveAndTurn(ctx, in("拒绝")); err == nil {
		t.Fatal("a turn refused at commit reported no error")
	}
	if _, _, err := p.Receive(ctx, in("拒绝")); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Drain(ctx, convID); err == nil {
		t.Fatal("a drain whose turn is refused at commit reported no error")
	}
	if got := h.all(); len(got) != 2 {
		t.Fatalf("turns that did not commit handed %+v", got[2:])
	}
	h.check(t, 2)
	if ms := transcript(t, p.DB, convID); len(ms) != len(second) {
		t.Fatalf("turns that did not commit left %d lines", len(ms)-len(second))
	}
	if _, err := p.DB.ExecContext(ctx, `DROP TRIGGER refuse_at_commit ON messages`); err != nil {
		t.Fatal(err)
	}
	// The message refused is answered by the next drain, after the last committed line.
	if _, err := p.Drain(ctx, convID); err != nil {
		t.Fatal(err)
	}
	third := transcript(t, p.DB, convID)
	got = h.all()
	if len(got) != 3 || got[2].After != second[len(second)-1].ID {
		t.Fatalf("after the retried turn: handed %+v; want a third turn after message %d", got, second[len(second)-1].ID)
	}
	sameLines(t, got[2].Messages, third[len(second):])
	h.check(t, 2)
}

// A plan delivered by two workers at once (the first outlived its lease) is handed over
// once, with the lines its delivery wrote.
func TestWatchTurnsHandsDeliveredPlanOnce(t *testing.T) {
	t.Parallel()
	p := newPipeline(t)
	var h watcher
	p.WatchTurns(&h)
	convID := toPlanning(t, p, "hand-plan")
	before := transcript(t, p.DB, convID)
	turns := len(h.all())
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
	got := h.all()[turns:]
	if len(got) != 1 || got[0].After != before[len(before)-1].ID {
		t.Fatalf("handed %+v; want the delivery once, after message %d", got, before[len(before)-1].ID)
	}
	after := transcript(t, p.DB, convID)[len(before):]
	sameLines(t, got[0].Messages, after)
	if planMessages(t, p.DB, convID) != 1 || !strings.Contains(string(got[0].Messages[0].Body), `"plan"`) {
		t.Fatalf("the delivery handed %+v; want the plan card", got[0].Messages)
	}
	h.check(t, 0)
}
