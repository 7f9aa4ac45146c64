package web

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"xingqu/store"
	"xingqu/store/storetest"
)

// A database the listener cannot reach must not stall the streams that share the hub, nor
// the shutdown that ends it.
func TestHubWithUnreachableListenerDatabase(t *testing.T) {
	db, err := store.Open(context.Background(), storetest.URL(t), store.PoolConfig{MaxOpen: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	// Port 1 refuses connections: pq keeps retrying and a LISTEN waits for a connection.
	l := store.NewListener("postgres://xingqu@127.0.0.1:1/xingqu?sslmode=disable&connect_timeout=1", log)
	s := New(db, nil, Config{Listener: l}, log)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sb, unsubscribe := s.Subscribe(7)
		s.web.hub.publish(7, anyMessage, false)
		select {
		case <-sb.ch:
		default:
			t.Error("a publish did not wake its subscriber")
		}
		unsubscribe()
		_, unsubscribeAll := s.Subscribe(0)
		unsubscribeAll()
		s.Close()
		l.Close()
	}()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("subscribe, publish or Close blocked on a listener that cannot connect")
	}
}

// turnLines is a turn of conversation 1 that wrote messages from..to after message after.
func turnLines(after, from, to int64) store.TurnLines {
	t := store.TurnLines{ConversationID: 1, After: after}
	for id := from; id <= to; id++ {
		t.Messages = append(t.Messages, store.Message{ID: id, ConversationID: 1})
	}
	return t
}

// manyTurns is n turns of two lines each, one after the other, after message 10.
func manyTurns(n int) []store.TurnLines {
	var ts []store.TurnLines
	for i := int64(0); i < int64(n); i++ {
		ts = append(ts, turnLines(10+2*i, 11+2*i, 12+2*i))
	}
	return ts
}

// A stream that has shown every message up to 10 shows the turns handed to it that
// follow on, in order, and reads for anything it cannot be sure of.
func TestSubscriberCatchUp(t *testing.T) {
	cases := []struct {
		name   string
		handed []store.TurnLines
		heard  int64 // a notification naming this message; 0 for none
		resync bool
		want   []int64
		read   bool
	}{
		{name: "a turn that follows on", handed: []store.TurnLines{turnLines(10, 11, 12)}, want: []int64{11, 12}},
		{name: "its notification heard too", handed: []store.TurnLines{turnLines(10, 11, 12)}, heard: 12, want: []int64{11, 12}},
		{name: "two turns handed out of order", handed: []store.TurnLines{turnLines(12, 13, 14), turnLines(10, 11, 12)}, want: []int64{11, 12, 13, 14}},
		{name: "a turn after a gap", handed: []store.TurnLines{turnLines(11, 12, 13)}, read: true},
		{name: "a turn and one after a gap", handed: []store.TurnLines{turnLines(10, 11, 12), turnLines(13, 14, 15)}, want: []int64{11, 12}, read: true},
		{name: "a turn shown already", handed: []store.TurnLines{turnLines(8, 9, 10)}},
		{name: "a turn partly shown", handed: []store.TurnLines{turnLines(9, 10, 11)}, read: true},
		{name: "a later message notified", handed: []store.TurnLines{turnLines(10, 11, 12)}, heard: 13, want: []int64{11, 12}, read: true},
		{name: "a notification naming no message", heard: anyMessage, read: true},
		{name: "a notification of a message shown", heard: 10},
		{name: "the listener reconnected", handed: []store.TurnLines{turnLines(10, 11, 12)}, resync: true, want: []int64{11, 12}, read: true},
		{name: "more turns than are kept", handed: manyTurns(maxHanded + 1), read: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sb := newSubscriber()
			for _, h := range c.handed {
				sb.hand(h)
			}
			if c.heard != 0 {
				sb.wake(1, c.heard, false)
			}
			if c.resync {
				sb.wake(0, 0, true)
			}
			ms, read := sb.catchUp(1, 10)
			var got []int64
			for _, m := range ms {
				got = append(got, m.ID)
			}
			if !slices.Equal(got, c.want) || read != c.read {
				t.Errorf("got %v, read %v; want %v, read %v", got, read, c.want, c.read)
			}
			if ms, read := sb.catchUp(1, 10); len(ms) != 0 || read {
				t.Errorf("a second take gave %d messages, read %v; want nothing", len(ms), read)
			}
		})
	}
}

// woken reports whether sb was woken, and takes the wake-up.
func woken(sb *Subscriber) bool {
	select {
	case <-sb.ch:
		return true
	default:
		return false
	}
}

// A turn's notification heard before the turn is handed over waits for it, and then
// needs no read. A turn undone sends no notification though it may have committed (its
// commit's answer lost): its conversation's streams and the agents' streams read.
func TestHubHoldsNotificationOfTurnCommitting(t *testing.T) {
	var h hub
	sb, agents := newSubscriber(), newSubscriber()
	h.byConv = map[int64]map[*Subscriber]struct{}{1: {sb: {}}}
	h.all = map[*Subscriber]struct{}{agents: {}}

	turn := turnLines(10, 11, 12)
	h.Committing(turn)
	h.publish(1, 12, false)
	if woken(sb) {
		t.Fatal("the notification of a turn committing woke the stream before the turn was handed")
	}
	if !woken(agents) {
		t.Fatal("the notification did not wake the agents' stream")
	}
	h.Committed(turn)
	if !woken(sb) {
		t.Fatal("a committed turn did not wake the stream")
	}
	if ms, read := sb.catchUp(1, 10); len(ms) != 2 || read {
		t.Fatalf("committed turn: %d messages, read %v; want 2 and no read", len(ms), read)
	}
	if len(h.committing) != 0 {
		t.Fatalf("a turn handed over is still noted: %v", h.committing)
	}

	// Undone, never heard (none is sent): the streams read, in case it committed.
	turn = turnLines(12, 13, 14)
	h.Committing(turn)
	h.Undone(turn)
	if !woken(sb) {
		t.Fatal("an undone turn did not wake the stream")
	}
	if ms, read := sb.catchUp(1, 12); len(ms) != 0 || !read {
		t.Fatalf("undone turn: %d messages, read %v; want none and a read", len(ms), read)
	}
	if !woken(agents) {
		t.Fatal("an undone turn did not wake the agents' stream")
	}
	if ids, _ := agents.Take(); len(ids) != 1 || ids[0] != 1 {
		t.Fatalf("agents' stream told of %v, want conversation 1", ids)
	}

	// Heard, then undone (a notification naming the same line): still a read, once.
	turn = turnLines(12, 15, 16)
	h.Committing(turn)
	h.publish(1, 16, false)
	h.Undone(turn)
	if !woken(sb) {
		t.Fatal("an undone turn whose notification was heard did not wake the stream")
	}
	if ms, read := sb.catchUp(1, 12); len(ms) != 0 || !read {
		t.Fatalf("undone turn heard: %d messages, read %v; want none and a read", len(ms), read)
	}
	// Another notification of the conversation is not held.
	h.publish(1, 17, false)
	if !woken(sb) {
		t.Fatal("a notification of another change did not wake the stream")
	}
	if len(h.committing) != 0 {
		t.Fatalf("turns ended are still noted: %v", h.committing)
	}
}
