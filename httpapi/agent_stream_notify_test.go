package httpapi

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"xingqu/auth"
	"xingqu/store"
)

// An agents' stream hears every turn, on the instance that took it and on another one
// (a pool, notifier and listener of its own), by the notification the turn's instance
// sends after the commit. The agents' streams poll only once a minute: this is how they
// hear at once.
func TestAgentStreamsHearTurns(t *testing.T) {
	a := newWebEnv(t)
	db, err := store.Open(context.Background(), a.url, store.PoolConfig{MaxOpen: 5})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	b := newWebEnvOn(t, db, a.url)
	a.addUser("amy", "correct horse battery", auth.RoleAgent)
	amy := a.login("amy", "correct horse battery").AccessToken
	here := openStream(t, a.ts.URL+"/api/agent/events", amy, "")
	there := openStream(t, b.ts.URL+"/api/agent/events", amy, "")

	// drain takes what the streams heard before: each turn's event must be its own.
	drain := func() {
		for _, stream := range []<-chan sseEvent{here, there} {
			for quiet := false; !quiet; {
				select {
				case <-stream:
				case <-time.After(300 * time.Millisecond):
					quiet = true
				}
			}
		}
	}
	ws := a.session("en")
	for _, text := range []string{"hello", "Fuzhou"} {
		drain()
		a.say(ws.Token, text)
		for name, stream := range map[string]<-chan sseEvent{"the turn's instance": here, "another instance": there} {
			deadline := time.After(5 * time.Second)
			for heard := false; !heard; {
				select {
				case ev, ok := <-stream:
					if !ok {
						t.Fatalf("%s: the agents' stream ended", name)
					}
					var c struct {
						ID int64 `json:"id"`
					}
					json.Unmarshal(ev.Data, &c)
					heard = ev.Event == "conversation" && c.ID == ws.ConversationID
				case <-deadline:
					t.Fatalf("%s: the agents' stream did not hear the turn of %q", name, text)
				}
			}
		}
	}
	if st, _ := db.Notifier().Sent(); st != 0 {
		t.Errorf("the other instance, which took no turn, sent %d notification statements", st)
	}
}

// An agents' stream tells the console to read its queue again now and then, whatever it
// heard: a notification lost between a commit and its send is caught up.
func TestAgentStreamPolls(t *testing.T) {
	was := agentStreamPoll
	agentStreamPoll = 200 * time.Millisecond
	t.Cleanup(func() { agentStreamPoll = was })
	a := newWebEnv(t)
	a.addUser("amy", "correct horse battery", auth.RoleAgent)
	amy := a.login("amy", "correct horse battery").AccessToken
	stream := openStream(t, a.ts.URL+"/api/agent/events", amy, "")
	deadline := time.After(5 * time.Second)
	for resyncs := 0; resyncs < 2; {
		select {
		case ev, ok := <-stream:
			if !ok {
				t.Fatal("the agents' stream ended")
			}
			if ev.Event == "resync" {
				resyncs++
			}
		case <-deadline:
			t.Fatalf("no resync from an idle agents' stream in 5 s, polling every %v", agentStreamPoll)
		}
	}
}
