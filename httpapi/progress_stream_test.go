package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"xingqu/pipeline"
	"xingqu/store"
)

// toPlanningByWidget walks a widget conversation to the point where it awaits plan 1, and
// returns the cursor after its last message.
func (e *webEnv) toPlanningByWidget(ws widgetSession) string {
	e.t.Helper()
	e.say(ws.Token, "福州, 12月25日到12月28日, 每人2000, 带孩子, 喜欢海边")
	waitFor(e.t, 5*time.Second, "the confirm buttons", func() bool {
		ms := e.history(ws.Token, "").Messages
		return len(ms) > 0 && len(ms[len(ms)-1].Buttons) > 0
	})
	if code := e.do("POST", "/api/widget/messages", ws.Token, map[string]string{"action": "plan"}, nil); code != 202 {
		e.t.Fatalf("plan action: %d", code)
	}
	var h history
	waitFor(e.t, 5*time.Second, "the planning notice", func() bool {
		h = e.history(ws.Token, "")
		return h.Messages[len(h.Messages)-1].Kind == "working"
	})
	return h.Cursor
}

func (e *webEnv) notifyProgress(pr pipeline.Progress) {
	e.t.Helper()
	b, _ := json.Marshal(pr)
	if _, err := e.db.ExecContext(context.Background(), `SELECT pg_notify($1, $2)`, store.ProgressChannel, string(b)); err != nil {
		e.t.Fatal(err)
	}
}

func quiet(t *testing.T, ch <-chan sseEvent, within time.Duration, what string) {
	t.Helper()
	select {
	case ev := <-ch:
		t.Fatalf("%s: got %s %s", what, ev.Event, ev.Data)
	case <-time.After(within):
	}
}

// Progress reaches the widget streams of its own conversation only, as an event with no
// id, and leaves resumption exactly as it was.
func TestWidgetStreamsPlanProgress(t *testing.T) {
	e := newWebEnv(t)
	a, b := e.session("zh"), e.session("zh")
	curA, curB := e.toPlanningByWidget(a), e.toPlanningByWidget(b)
	streamA := openStream(t, e.ts.URL+"/api/widget/events", a.Token, curA)
	streamB := openStream(t, e.ts.URL+"/api/widget/events", b.Token, curB)

	preview := "== 豪华尊享游\n2026-12-25\n  鼓山"
	e.notifyProgress(pipeline.Progress{ConversationID: a.ConversationID, PlanRequest: 1, Provider: "fake", Chars: 420, Preview: preview})
	var ev sseEvent
	select {
	case ev = <-streamA:
	case <-time.After(3 * time.Second):
		t.Fatal("no progress event on the conversation's stream")
	}
	var got map[string]any
	json.Unmarshal(ev.Data, &got)
	if ev.Event != "progress" || ev.ID != "" || got["preview"] != preview || got["chars"] != 420.0 || got["planRequest"] != 1.0 {
		t.Fatalf("progress event: %+v", ev)
	}
	if _, ok := got["provider"]; ok {
		t.Errorf("the provider's name reached the traveller: %s", ev.Data)
	}
	quiet(t, streamB, 300*time.Millisecond, "another conversation's stream")

	// Progress of a request the conversation no longer awaits (an earlier one, overtaken)
	// is dropped: it would reopen a bubble its plan card already closed.
	e.notifyProgress(pipeline.Progress{ConversationID: a.ConversationID, PlanRequest: 0, Chars: 1, Preview: "stale"})
	quiet(t, streamA, 300*time.Millisecond, "stale progress")

	e.say(a.Token, "谢谢")
	mev, m := nextMessage(t, streamA, 3*time.Second)
	if mev.Event != "message" || mev.ID != fmt.Sprint(m.ID) || m.Text != "谢谢" {
		t.Fatalf("message after progress: %+v %+v", mev, m)
	}
	waitFor(t, 3*time.Second, "the turn", func() bool {
		ms := e.history(a.Token, mev.ID).Messages
		return len(ms) > 0 && ms[len(ms)-1].Role != "traveller"
	})
	// Resuming from before the progress gives the messages after it, then the plan's
	// latest progress once, still without an id: it is shown, not stored, and does not
	// move the point a stream resumes from.
	resumed := openStream(t, e.ts.URL+"/api/widget/events", a.Token, curA)
	for _, want := range e.history(a.Token, curA).Messages {
		gev, got := nextMessage(t, resumed, 3*time.Second)
		if gev.Event != "message" || got.ID != want.ID || gev.ID != fmt.Sprint(want.ID) {
			t.Fatalf("resumed stream gave %s %q, want message %d", gev.Event, gev.ID, want.ID)
		}
	}
	rev, _ := nextMessage(t, resumed, 3*time.Second)
	json.Unmarshal(rev.Data, &got)
	if rev.Event != "progress" || rev.ID != "" || got["preview"] != preview {
		t.Fatalf("replayed progress: %+v", rev)
	}
	quiet(t, resumed, 200*time.Millisecond, "resumed stream after the history")
	if strings.Contains(fmt.Sprint(e.history(a.Token, "").Messages), "豪华尊享游") {
		t.Error("progress was stored as a message")
	}
}

// A stream opened after the last progress report shows it at once, and a stream of a
// conversation whose plan has been delivered does not.
func TestWidgetStreamReplaysLatestProgress(t *testing.T) {
	e := newWebEnv(t)
	a := e.session("zh")
	curA := e.toPlanningByWidget(a)
	// The listener starts with the first stream; this one only makes it listen.
	openStream(t, e.ts.URL+"/api/widget/events", a.Token, curA)
	e.notifyProgress(pipeline.Progress{ConversationID: a.ConversationID, PlanRequest: 1, Chars: 10, Preview: "first"})
	e.notifyProgress(pipeline.Progress{ConversationID: a.ConversationID, PlanRequest: 1, Chars: 20, Preview: "second"})
	waitFor(t, 3*time.Second, "the progress to be heard", func() bool {
		pr, ok := e.srv.widget.LatestProgress(a.ConversationID)
		return ok && pr.Preview == "second"
	})
	late := openStream(t, e.ts.URL+"/api/widget/events", a.Token, curA)
	select {
	case ev := <-late:
		var got struct {
			PlanRequest int    `json:"planRequest"`
			Chars       int    `json:"chars"`
			Preview     string `json:"preview"`
		}
		json.Unmarshal(ev.Data, &got)
		if ev.Event != "progress" || ev.ID != "" || got.Preview != "second" || got.Chars != 20 {
			t.Fatalf("late stream: %s %s", ev.Event, ev.Data)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("a stream opened during planning did not show the progress")
	}
	// An earlier request's progress does not replace the current one.
	e.notifyProgress(pipeline.Progress{ConversationID: a.ConversationID, PlanRequest: 0, Chars: 1, Preview: "old"})
	time.Sleep(100 * time.Millisecond)
	pr, _ := e.srv.widget.LatestProgress(a.ConversationID)
	if kept := pr.Preview; kept != "second" {
		t.Errorf("kept progress %q after an earlier request's report, want %q", kept, "second")
	}
}

// A stream reads the transcript when the conversation changed, not when a plan's
// progress (or a heartbeat) wakes it: at 1,000 widget travellers each read is a
// transaction, and progress comes every second of a plan being written.
func TestWidgetStreamProgressReadsNoTranscript(t *testing.T) {
	e := newWebEnv(t)
	ctx := context.Background()
	if _, err := e.db.ExecContext(ctx, `CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err != nil {
		t.Skipf("pg_stat_statements is not loaded: %v", err)
	}
	reads := func() int64 {
		t.Helper()
		var n int64
		err := e.db.GetContext(ctx, &n, `
SELECT COALESCE(sum(calls), 0)::bigint FROM pg_stat_statements
WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND regexp_replace(query, '\s+', ' ', 'g') LIKE '%FROM messages WHERE conversation_id = $1 AND id > $2 ORDER BY id LIMIT $3%'`)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	a := e.session("zh")
	cur := e.toPlanningByWidget(a)
	stream := openStream(t, e.ts.URL+"/api/widget/events", a.Token, cur)
	// The stream's first read, then quiet.
	time.Sleep(300 * time.Millisecond)
	before := reads()
	for i := 1; i <= 5; i++ {
		e.notifyProgress(pipeline.Progress{ConversationID: a.ConversationID, PlanRequest: 1, Chars: 100 * i, Preview: fmt.Sprint("第", i, "天")})
		select {
		case ev := <-stream:
			if ev.Event != "progress" {
				t.Fatalf("progress %d: got %s", i, ev.Event)
			}
		case <-time.After(3 * time.Second):
			t.Fatalf("progress %d never reached the stream", i)
		}
	}
	if n := reads() - before; n != 0 {
		t.Errorf("five progress reports made the stream read the transcript %d times; want none", n)
	}
	// A message this instance did not write (another instance's, an agent's) is read.
	err := e.db.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := store.AddMessage(ctx, tx, a.ConversationID, "agent", "您好", store.MessageBody{}); err != nil {
			return err
		}
		return store.Notify(ctx, tx, store.ConversationChannel, fmt.Sprint(a.ConversationID))
	})
	if err != nil {
		t.Fatal(err)
	}
	if ev, m := nextMessage(t, stream, 3*time.Second); ev.Event != "message" || m.Text != "您好" {
		t.Fatalf("after the progress: %+v %+v", ev, m)
	}
	if reads() == before {
		t.Error("a message written elsewhere reached the stream without a read")
	}
}
