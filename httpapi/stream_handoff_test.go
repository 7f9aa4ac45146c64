package httpapi

import (
	"fmt"
	"testing"
	"time"
)

// Turns taken by two instances of one conversation reach a stream on one of them, every
// line once and in order: the turns taken there are handed to it, the others read.
func TestWidgetStreamGetsTurnsOfBothInstancesOnce(t *testing.T) {
	a := newWebEnv(t)
	b := newWebEnvOn(t, a.db, a.url)
	ws := a.session("en")
	cursor := a.history(ws.Token, "").Cursor
	stream := openStream(t, a.ts.URL+"/api/widget/events", ws.Token, cursor)
	var got []int64
	for i, text := range []string{"hello", "Fuzhou", "Dec 25 to Dec 28", "2 people", "no budget", "nothing special"} {
		e := a
		if i%2 == 1 {
			e = b
		}
		e.say(ws.Token, text)
		// Each turn's lines, the traveller's first, before the next message.
		ev, m := nextMessage(t, stream, 5*time.Second)
		if ev.Event != "message" || m.Role != "traveller" || m.Text != text {
			t.Fatalf("message %d: got %s %+v; want the traveller's %q", i+1, ev.Event, m, text)
		}
		got = append(got, m.ID)
		for {
			want := a.history(ws.Token, cursor).Messages
			if len(got) == len(want) && want[len(want)-1].Role != "traveller" {
				break
			}
			ev, m := nextMessage(t, stream, 5*time.Second)
			if ev.Event != "message" || ev.ID != fmt.Sprint(m.ID) {
				t.Fatalf("message %d: got %s %q", i+1, ev.Event, ev.ID)
			}
			got = append(got, m.ID)
		}
	}
	quiet(t, stream, 300*time.Millisecond, "after the last turn")
	want := a.history(ws.Token, cursor).Messages
	if len(got) != len(want) {
		t.Fatalf("the stream sent %d lines, the transcript has %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i].ID {
			t.Fatalf("the stream sent %v; the transcript is %+v", got, want)
		}
	}
}
