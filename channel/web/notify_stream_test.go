package web

import (
	"fmt"
	"testing"
	"time"
)

// A turn reaches the stream open on another instance (another pool, notifier, listener
// and hub) through its notification, sent by the instance that took it after the commit:
// well before the stream's poll, every line once and in order.
func TestTurnReachesStreamOfAnotherInstance(t *testing.T) {
	a := newStreamEnv(t)
	b := newStreamEnvOn(t, a.url)
	s := a.session()
	greeting := a.transcript(s.ConversationID, 0)
	events := b.open(s, 0)
	b.receive(events, greeting, "the stream's first read")
	after := lastID(greeting)
	for i, text := range []string{"hello", "Fuzhou"} {
		before := b.transcriptReads()
		a.say(s, text)
		want := a.transcript(s.ConversationID, after)
		if len(want) < 2 {
			t.Fatalf("turn %d wrote %d lines; want the message and a reply", i+1, len(want))
		}
		// receive waits 5 s at most for each line: a third of the poll.
		b.receive(events, want, fmt.Sprintf("turn %d, taken on the other instance", i+1))
		b.quiet(events, 300*time.Millisecond, fmt.Sprintf("after turn %d", i+1))
		if n := b.transcriptReads() - before - 1; n < 1 {
			t.Errorf("turn %d: the stream read %d times; want a read on the notification", i+1, n)
		}
		after = lastID(want)
	}
	if st, _ := a.db.Notifier().Sent(); st < 2 {
		t.Errorf("the instance that took the turns sent %d notification statements; want one a turn at least", st)
	}
	if st, _ := b.db.Notifier().Sent(); st != 0 {
		t.Errorf("the instance of the stream, which took no turn, sent %d notification statements", st)
	}
}
