package httpapi

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"xingqu/auth"
	"xingqu/dialog"
	"xingqu/pipeline"
	"xingqu/store"
)

// lastBotWords is what the traveller was told after their latest message, or since.
func lastBotWords(t *testing.T, db *store.DB, convID int64) string {
	t.Helper()
	ms := transcript(t, db, convID)
	var out []string
	for i := len(ms) - 1; i >= 0 && ms[i].Role != "traveller"; i-- {
		out = append([]string{ms[i].Text}, out...)
	}
	return strings.Join(out, "\n")
}

func inQueue(t *testing.T, db *store.DB, convID int64) bool {
	t.Helper()
	rows, err := store.AgentQueue(context.Background(), db, store.QueueWaiting, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.ID == convID {
			return true
		}
	}
	return false
}

// A case's life: opened by an emergency, acknowledged, noted, taken on, the traveller
// safe (still open, still queued), resolved by the agent. The traveller is told each
// change, and "/case" answers at every step.
func TestCaseLifeCycleToldToTheTraveller(t *testing.T) {
	t.Parallel()
	e := newWebEnv(t)
	ctx := context.Background()
	e.addUser("mei", "pw-mei-123456", auth.RoleAgent)
	tok := e.login("mei", "pw-mei-123456").AccessToken
	p := e.pipe
	n := 0
	tell := func(text string) (int64, string) {
		t.Helper()
		n++
		convID, _, err := p.Handle(ctx, pipeline.Inbound{Channel: "web", ExternalID: "w1", InboundID: fmt.Sprint("m", n), Text: text, LangHint: "en"})
		if err != nil {
			t.Fatal(err)
		}
		return convID, lastBotWords(t, e.db, convID)
	}
	ask := func(want ...string) {
		t.Helper()
		_, got := tell("/case")
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("/case answered %q, want %q in it", got, w)
			}
		}
	}

	convID, _ := tell("my passport was stolen")
	var queue struct{ Cases []CaseItem }
	if code := e.do("GET", "/api/agent/cases", "", nil, nil); code != 401 {
		t.Errorf("cases without a token: %d, want 401", code)
	}
	if code := e.do("GET", "/api/agent/cases", tok, nil, &queue); code != 200 || len(queue.Cases) != 1 {
		t.Fatalf("case queue: %d %+v", code, queue)
	}
	c := queue.Cases[0]
	if c.ConversationID != convID || c.Kind != "emergency" || c.Priority != "urgent" || c.Category != "documents" || c.Status != "open" {
		t.Fatalf("case %+v", c)
	}
	num := fmt.Sprintf("#%d", c.ID)
	ask(num, "agents have been alerted")

	steps := []struct {
		change, text string
		told         []string
		status       string
		asked        []string
	}{
		{"acknowledge", "", []string{"mei has picked up your case (" + num + ")"}, "acknowledged", []string{"mei has seen it"}},
		{"notes", "The consulate opens at 9; bring a police report.", []string{"Update on your case (" + num + ") from mei: The consulate opens at 9"}, "acknowledged", []string{"Latest: The consulate opens at 9"}},
		{"assign", "", []string{"Your case (" + num + ") is now with mei"}, "in_progress", []string{"mei is working on it"}},
	}
	for _, st := range steps {
		var got CaseItem
		body := map[string]string{"text": st.text}
		if code := e.do("POST", fmt.Sprintf("/api/agent/cases/%d/%s", c.ID, st.change), tok, body, &got); code != 200 {
			t.Fatalf("%s: status %d", st.change, code)
		}
		if got.Status != st.status || got.Agent != "mei" {
			t.Errorf("%s: case %+v, want status %s held by mei", st.change, got, st.status)
		}
		told := lastBotWords(t, e.db, convID)
		for _, w := range st.told {
			if !strings.Contains(told, w) {
				t.Errorf("%s: traveller told %q, want %q", st.change, told, w)
			}
		}
		ask(st.asked...)
	}

	_, said := tell("I'm safe now")
	if !strings.Contains(said, "Glad you're safe") {
		t.Errorf("safe answered %q", said)
	}
	after, err := store.GetCase(ctx, e.db, c.ID)
	if err != nil || after.Status != store.CaseInProgress || !after.SafeAt.Valid {
		t.Fatalf("after \"I'm safe now\": %+v %v; want in progress with safe_at", after, err)
	}
	if !inQueue(t, e.db, convID) {
		t.Error("\"I'm safe now\" dropped the conversation from the agents' queue")
	}
	ask("mei is working on it", "You told us you are safe")

	var resolved CaseItem
	if code := e.do("POST", fmt.Sprintf("/api/agent/cases/%d/resolve", c.ID), tok, map[string]string{"text": "New passport issued."}, &resolved); code != 200 || resolved.Status != "resolved" {
		t.Fatalf("resolve: %d %+v", code, resolved)
	}
	if told := lastBotWords(t, e.db, convID); !strings.Contains(told, "mei has closed your case ("+num+")") || !strings.Contains(told, "New passport issued.") {
		t.Errorf("resolved: traveller told %q", told)
	}
	if inQueue(t, e.db, convID) {
		t.Error("resolved, still waiting in the queue")
	}
	ask(num, "resolved")
	if code := e.do("POST", fmt.Sprintf("/api/agent/cases/%d/notes", c.ID), tok, map[string]string{"text": "late"}, nil); code != 409 {
		t.Errorf("note on a resolved case: %d, want 409", code)
	}

	conv, err := store.GetConversation(ctx, e.db, convID)
	if err != nil || conv.State == dialog.StateEmergency || conv.Status != dialog.StatusBot {
		t.Errorf("after resolving: state %s status %s", conv.State, conv.Status)
	}

	// A request for a person, taken over: the agent holds the case, which is acknowledged.
	tell("/human")
	if code := e.do("POST", fmt.Sprintf("/api/agent/conversations/%d/takeover", convID), tok, nil, nil); code != 200 {
		t.Fatalf("takeover: %d", code)
	}
	human, err := store.OpenCaseOf(ctx, e.db, convID)
	if err != nil || human.Kind != store.CaseHuman || human.Status != store.CaseAcknowledged || !human.AgentID.Valid {
		t.Errorf("after the takeover: %+v %v, want an acknowledged request held by the agent", human, err)
	}
}
