package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"xingqu/dialog"
	"xingqu/pipeline"
	"xingqu/providers/geo"
	"xingqu/store"
	"xingqu/store/storetest"
)

// streamEnv is one instance of the web channel with its own listener, as in production.
type streamEnv struct {
	t   *testing.T
	db  *store.DB
	url string
	w   *Widget
	ts  *httptest.Server
	ctx context.Context
}

func newStreamEnv(t *testing.T) *streamEnv {
	t.Helper()
	return newStreamEnvOn(t, storetest.URL(t))
}

// newStreamEnvOn starts an instance on an existing database, as another process would:
// a pool (and notifier), a listener and a hub of its own.
func newStreamEnvOn(t *testing.T, url string) *streamEnv {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, url, store.PoolConfig{MaxOpen: 10})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	listener := store.NewListener(url, log)
	t.Cleanup(listener.Close)
	p := &pipeline.Pipeline{DB: db, Log: log, Engine: &dialog.Engine{Places: geo.Places{},
		Now: func() time.Time { return time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC) }}}
	w := New(db, p, Config{Listener: listener}, log)
	mux := http.NewServeMux()
	mux.Handle("POST /session", w.HandleSession())
	mux.Handle("POST /messages", sessionPrincipal(db, w.HandlePost()))
	mux.Handle("GET /events", sessionPrincipal(db, w.HandleEvents()))
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	t.Cleanup(w.Close) // first: it ends the streams the server waits for
	return &streamEnv{t: t, db: db, url: url, w: w, ts: ts, ctx: ctx}
}

type session struct {
	Token          string `json:"sessionToken"`
	ConversationID int64  `json:"conversationId"`
}

func (e *streamEnv) session() session {
	e.t.Helper()
	var s session
	if code := e.call("POST", "/session", "", map[string]string{"lang": "en"}, &s); code != 201 {
		e.t.Fatalf("session: %d", code)
	}
	return s
}

func (e *streamEnv) call(method, path, tok string, body, out any) int {
	e.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, e.ts.URL+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

func (e *streamEnv) say(s session, text string) {
	e.t.Helper()
	if code := e.call("POST", "/messages", s.Token, map[string]string{"text": text}, nil); code != 202 {
		e.t.Fatalf("message %q: %d", text, code)
	}
}

// streamEvent is one server-sent event: its id, its kind and the data as sent.
type streamEvent struct {
	ID, Event string
	Data      string
}

// open opens the session's event stream from after message lastID, and returns its
// events once the stream is listening.
func (e *streamEnv) open(s session, lastID int64) <-chan streamEvent {
	e.t.Helper()
	ctx, cancel := context.WithCancel(e.ctx)
	e.t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", e.ts.URL+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+s.Token)
	req.Header.Set("Last-Event-ID", fmt.Sprint(lastID))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		e.t.Fatalf("event stream: %d", resp.StatusCode)
	}
	out := make(chan streamEvent, 100)
	go func() {
		defer resp.Body.Close()
		defer close(out)
		sc := bufio.NewScanner(resp.Body)
		var ev streamEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.Event != "" {
					out <- ev
				}
				ev = streamEvent{}
			case strings.HasPrefix(line, "id: "):
				ev.ID = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "event: "):
				ev.Event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.Data = strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	return out
}

// next returns the stream's next event, failing after a while without one.
func (e *streamEnv) next(events <-chan streamEvent, what string) streamEvent {
	e.t.Helper()
	select {
	case ev, ok := <-events:
		if !ok {
			e.t.Fatalf("%s: the stream ended", what)
		}
		return ev
	case <-time.After(5 * time.Second):
		e.t.Fatalf("%s: no event", what)
	}
	return streamEvent{}
}

// quiet fails if the stream sends anything within d.
func (e *streamEnv) quiet(events <-chan streamEvent, d time.Duration, what string) {
	e.t.Helper()
	select {
	case ev := <-events:
		e.t.Fatalf("%s: got %s %s %s", what, ev.ID, ev.Event, ev.Data)
	case <-time.After(d):
	}
}

// transcript is the conversation's messages after afterID as the stream sends them.
func (e *streamEnv) transcript(convID, afterID int64) []streamEvent {
	e.t.Helper()
	ms, err := store.Messages(e.ctx, e.db, convID, afterID, 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []streamEvent
	for _, m := range ms {
		b, _ := json.Marshal(Wire(m))
		out = append(out, streamEvent{ID: fmt.Sprint(m.ID), Event: "message", Data: string(b)})
	}
	return out
}

// receive takes n events and fails unless they are want, in order.
func (e *streamEnv) receive(events <-chan streamEvent, want []streamEvent, what string) {
	e.t.Helper()
	for i, w := range want {
		got := e.next(events, fmt.Sprintf("%s, message %d of %d", what, i+1, len(want)))
		if got != w {
			e.t.Fatalf("%s: event %d is\n%+v\nwant\n%+v", what, i+1, got, w)
		}
	}
}

// transcriptReads counts the calls of store.Messages' statement in this test's database.
func (e *streamEnv) transcriptReads() int64 {
	e.t.Helper()
	if _, err := e.db.ExecContext(e.ctx, `CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err != nil {
		e.t.Fatalf("pg_stat_statements: %v", err)
	}
	var n int64
	err := e.db.GetContext(e.ctx, &n, `
SELECT COALESCE(sum(calls), 0)::bigint FROM pg_stat_statements
WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND regexp_replace(query, '\s+', ' ', 'g') LIKE '%FROM messages WHERE conversation_id = $1 AND id > $2 ORDER BY id LIMIT $3%'`)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// turn says text and waits until the stream has sent the lines it added after after (as
// the test reads them back) and the turn's notification has come and gone. It returns
// those lines and how often the stream read the transcript meanwhile.
func (e *streamEnv) turn(events <-chan streamEvent, s session, after int64, text, what string) ([]streamEvent, int64) {
	e.t.Helper()
	before := e.transcriptReads()
	e.say(s, text)
	want := e.transcript(s.ConversationID, after) // a read of the test's own, not counted
	e.receive(events, want, what)
	e.quiet(events, 300*time.Millisecond, "after "+what)
	return want, e.transcriptReads() - before - 1
}

// writeElsewhere adds a message and notifies as another instance, or an agent, does:
// nothing is handed to this instance's streams.
func (e *streamEnv) writeElsewhere(convID int64, role, text string, payload func(id int64) string) int64 {
	e.t.Helper()
	var id int64
	err := e.db.InTx(e.ctx, func(tx *sqlx.Tx) error {
		if _, _, err := store.LockConversation(e.ctx, tx, convID); err != nil {
			return err
		}
		var err error
		if id, err = store.AddMessage(e.ctx, tx, convID, role, text, store.MessageBody{Kind: dialog.ReplyText}); err != nil {
			return err
		}
		if payload == nil {
			return nil
		}
		return store.Notify(e.ctx, tx, store.ConversationChannel, payload(id))
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

// A turn taken in this instance reaches the open stream of its conversation without
// the stream reading the transcript: neither on being handed the turn nor on the turn's
// notification, which arrives as well. What it sends is what a read would have sent.
func TestWidgetTurnReachesStreamWithoutRead(t *testing.T) {
	e := newStreamEnv(t)
	s := e.session()
	greeting := e.transcript(s.ConversationID, 0)
	events := e.open(s, 0)
	// The stream's first read gives the greeting.
	e.receive(events, greeting, "the stream's first read")
	after := lastID(greeting)
	for i, text := range []string{"hello", "Fuzhou", "Dec 25 to Dec 28"} {
		// The turn's notification comes too, and must neither read nor repeat.
		want, n := e.turn(events, s, after, text, fmt.Sprintf("turn %d", i+1))
		if len(want) < 2 {
			t.Fatalf("turn %d wrote %d lines; want the message and a reply", i+1, len(want))
		}
		after = lastID(want)
		if n != 0 {
			t.Fatalf("turn %d: the stream read the transcript %d times; want none", i+1, n)
		}
	}
}

func lastID(evs []streamEvent) int64 {
	var id int64
	fmt.Sscan(evs[len(evs)-1].ID, &id)
	return id
}

// A stream behind the turn handed to it (a line was written it was never told of)
// reads, and sends every line once, in order; the turn's notification repeats nothing.
func TestWidgetStreamBehindHandedTurnReads(t *testing.T) {
	e := newStreamEnv(t)
	s := e.session()
	greeting := e.transcript(s.ConversationID, 0)
	events := e.open(s, 0)
	e.receive(events, greeting, "the stream's first read")
	after := lastID(greeting)
	// A notice whose notification was lost: the stream does not know of it.
	e.writeElsewhere(s.ConversationID, "system", "a notice", nil)
	e.quiet(events, 100*time.Millisecond, "a notice nobody announced")
	want, n := e.turn(events, s, after, "hello", "the notice and the turn")
	if len(want) < 3 || !strings.Contains(want[0].Data, "a notice") {
		t.Fatalf("transcript after the greeting: %+v; want the notice, the message and a reply", want)
	}
	if n < 1 {
		t.Errorf("a stream behind its turn read the transcript %d times; want a read", n)
	}
	// Caught up again, the next turn is handed over whole.
	if _, n := e.turn(events, s, lastID(want), "Fuzhou", "the next turn"); n != 0 {
		t.Errorf("the next turn: %d reads; want none", n)
	}
}

// Lines this instance did not write reach the stream by a read: an agent's reply (its
// notification names no line) and another instance's turn (it names its last line, but
// nothing was handed here). A turn taken here after them is handed over whole.
func TestWidgetStreamGetsLinesWrittenElsewhere(t *testing.T) {
	e := newStreamEnv(t)
	s := e.session()
	greeting := e.transcript(s.ConversationID, 0)
	events := e.open(s, 0)
	e.receive(events, greeting, "the stream's first read")
	after := lastID(greeting)
	conv := s.ConversationID
	e.writeElsewhere(conv, "agent", "an agent's reply", func(int64) string { return fmt.Sprint(conv) })
	e.writeElsewhere(conv, "bot", "another instance's reply", func(id int64) string { return store.ConversationPayload(conv, id) })
	want := e.transcript(conv, after)
	if len(want) != 2 {
		t.Fatalf("written elsewhere: %+v", want)
	}
	e.receive(events, want, "lines written elsewhere")
	after = lastID(want)
	e.quiet(events, 200*time.Millisecond, "after the lines written elsewhere")
	if _, n := e.turn(events, s, after, "hello", "the turn after them"); n != 0 {
		t.Errorf("a turn after lines written elsewhere: %d reads; want none", n)
	}
}

// A turn whose transaction fails as it commits sends nothing to the stream, though the
// stream reads (a commit whose answer was lost may have happened, and then no
// notification tells of it), and the next turn follows on from the last line committed,
// handed over whole.
func TestWidgetFailedTurnHandsNothing(t *testing.T) {
	e := newStreamEnv(t)
	s := e.session()
	greeting := e.transcript(s.ConversationID, 0)
	events := e.open(s, 0)
	e.receive(events, greeting, "the stream's first read")
	after := lastID(greeting)
	if _, err := e.db.ExecContext(e.ctx, `
CREATE FUNCTION refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.text = 'refused' THEN RAISE EXCEPTION 'refused at commit'; END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT ON messages
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_at_commit()`); err != nil {
		t.Fatal(err)
	}
	before := e.transcriptReads()
	if code := e.call("POST", "/messages", s.Token, map[string]string{"text": "refused"}, nil); code != 500 {
		t.Fatalf("a message whose turn cannot commit: %d, want 500", code)
	}
	e.quiet(events, 300*time.Millisecond, "a turn that did not commit")
	if n := e.transcriptReads() - before; n < 1 {
		t.Errorf("a turn whose commit failed: the stream read %d times; want a read", n)
	}
	if got := e.transcript(s.ConversationID, after); len(got) != 0 {
		t.Fatalf("a turn that did not commit left %+v", got)
	}
	if _, n := e.turn(events, s, after, "hello", "the next turn"); n != 0 {
		t.Errorf("the turn after a failed one: %d reads; want none", n)
	}
}
