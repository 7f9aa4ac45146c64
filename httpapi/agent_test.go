package httpapi

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"xingqu/api"
	"xingqu/auth"
	"xingqu/channel/web"
)

type queue struct {
	Conversations []QueueItem `json:"conversations"`
}

func TestAgentQueueTakeoverReplyHandback(t *testing.T) {
	e := newWebEnv(t)
	e.addUser("amy", "correct horse battery", auth.RoleAgent)
	e.addUser("ben", "correct horse battery", auth.RoleAgent)
	amy := e.login("amy", "correct horse battery").AccessToken
	ben := e.login("ben", "correct horse battery").AccessToken

	agentEvents := openStream(t, e.ts.URL+"/api/agent/events", amy, "")
	human, sos := e.session("zh"), e.session("en")
	e.say(human.Token, "成都，12月20日到24日")
	waitFor(t, 5*time.Second, "first turn", func() bool { return len(e.history(human.Token, "").Messages) >= 3 })
	e.say(human.Token, "转人工")
	// Agents hear the moment a conversation starts waiting.
	deadline := time.After(3 * time.Second)
	for waiting := false; !waiting; {
		select {
		case ev := <-agentEvents:
			var c struct {
				ID     int64  `json:"id"`
				Status string `json:"status"`
			}
			json.Unmarshal(ev.Data, &c)
			waiting = ev.Event == "conversation" && c.ID == human.ConversationID && c.Status == "waiting"
		case <-deadline:
			t.Fatal("no agent event when the conversation started waiting")
		}
	}
	time.Sleep(10 * time.Millisecond)
	e.say(sos.Token, "help, I lost my passport")
	var q queue
	waitFor(t, 5*time.Second, "two waiting", func() bool {
		e.do("GET", "/api/agent/conversations?status=waiting", amy, nil, &q)
		return len(q.Conversations) == 2
	})
	if q.Conversations[0].ID != sos.ConversationID || !q.Conversations[0].Emergency || q.Conversations[1].ID != human.ConversationID {
		t.Fatalf("emergency should come first, then by waiting time: %+v", q.Conversations)
	}
	first := q.Conversations[1]
	if first.Channel != "web" || first.Status != "waiting" || first.WaitingSince == nil || first.LastMessage == nil || first.State == "" {
		t.Errorf("queue item fields: %+v", first)
	}
	var ae api.Error
	if code := e.do("GET", "/api/agent/conversations?status=nonsense", amy, nil, &ae); code != 400 || ae.Field != "status" {
		t.Errorf("bad status filter: %d %+v", code, ae)
	}

	conv := fmt.Sprintf("/api/agent/conversations/%d", human.ConversationID)
	if code := e.do("POST", conv+"/messages", amy, map[string]string{"text": "hi"}, nil); code != 409 {
		t.Errorf("reply before takeover: %d, want 409", code)
	}
	if code := e.do("POST", conv+"/takeover", amy, nil, nil); code != 200 {
		t.Fatalf("takeover: %d", code)
	}
	var held map[string]string
	if code := e.do("POST", conv+"/takeover", ben, nil, &held); code != 409 || held["agent"] != "amy" || !strings.Contains(held["message"], "amy") {
		t.Fatalf("second agent's takeover: %d %v, want 409 naming amy", code, held)
	}
	if code := e.do("POST", conv+"/messages", ben, map[string]string{"text": "me too"}, nil); code != 409 {
		t.Errorf("reply by an agent who does not hold it: %d, want 409", code)
	}
	if code := e.do("POST", conv+"/messages", amy, map[string]string{"text": "您好，我是客服小艾"}, nil); code != 201 {
		t.Fatalf("reply: %d", code)
	}
	h := e.history(human.Token, "")
	if !hasRole(h.Messages, "agent", "小艾") || !hasRole(h.Messages, "system", "") {
		t.Fatalf("traveller's transcript lacks the agent's reply or the joined notice: %+v", h.Messages)
	}
	// The traveller sees who answers: the agent's name is on the agent's message.
	for _, m := range h.Messages {
		if m.Role == "agent" && m.Author != "amy" {
			t.Errorf("agent message author %q, want amy", m.Author)
		}
	}
	// While the agent has it the bot is silent and the message reaches the console.
	n := len(h.Messages)
	e.say(human.Token, "我想改成5天")
	var view ConversationView
	waitFor(t, 5*time.Second, "the traveller's message in the console", func() bool {
		e.do("GET", conv, amy, nil, &view)
		return hasRole(view.Messages, "traveller", "5天")
	})
	time.Sleep(200 * time.Millisecond)
	if got := e.history(human.Token, "").Messages; len(got) != n+1 {
		t.Errorf("the bot answered while an agent held the conversation: %+v", got[n:])
	}
	if view.Status != "human" || view.Agent == nil || *view.Agent != "amy" {
		t.Errorf("view status/agent: %s %v", view.Status, view.Agent)
	}
	var slots map[string]any
	json.Unmarshal(view.Slots, &slots)
	if slots["destination"] != "成都" || slots["startDate"] != "2026-12-20" || slots["endDate"] != "2026-12-24" {
		t.Errorf("slots: %v", slots)
	}
	if view.Plans == nil || view.Feedback == nil || view.Emergencies == nil {
		t.Errorf("plans, feedback and emergencies must be lists: %+v", view)
	}
	if code := e.do("POST", conv+"/handback", ben, nil, nil); code != 409 {
		t.Errorf("hand back by an agent who does not hold it: %d, want 409", code)
	}
	if code := e.do("POST", conv+"/handback", amy, nil, nil); code != 200 {
		t.Fatalf("handback: %d", code)
	}
	waitFor(t, 3*time.Second, "the handback notice", func() bool {
		return hasRole(e.history(human.Token, "").Messages, "bot", "客服已结束对话")
	})
	e.say(human.Token, "3000")
	waitFor(t, 5*time.Second, "the bot answering again", func() bool {
		ms := e.history(human.Token, "").Messages
		for i := len(ms) - 1; i >= 0; i-- {
			if ms[i].Role == "traveller" {
				return ms[i].Text == "3000" && i < len(ms)-1 && ms[len(ms)-1].Role == "bot"
			}
		}
		return false
	})
	var sosView ConversationView
	e.do("GET", fmt.Sprintf("/api/agent/conversations/%d", sos.ConversationID), ben, nil, &sosView)
	if len(sosView.Emergencies) != 1 || !strings.Contains(sosView.Emergencies[0].Text, "passport") {
		t.Errorf("emergencies: %+v", sosView.Emergencies)
	}
	if code := e.do("GET", "/api/agent/conversations/99999", amy, nil, nil); code != 404 {
		t.Errorf("unknown conversation: %d", code)
	}
	var mine queue
	e.do("GET", "/api/agent/conversations?status=mine", amy, nil, &mine)
	if len(mine.Conversations) != 0 {
		t.Errorf("mine after handback: %+v", mine.Conversations)
	}
}

// TestTwoInstancesOneDatabase: a widget stream held by instance A receives, within a
// second, an agent reply posted through instance B.
func TestTwoInstancesOneDatabase(t *testing.T) {
	a := newWebEnv(t)
	b := newWebEnvOn(t, a.db, a.url)
	a.addUser("zoe", "correct horse battery", auth.RoleAgent)
	ws := a.session("en")
	a.say(ws.Token, "I need a human")
	waitFor(t, 5*time.Second, "waiting", func() bool { return hasRole(a.history(ws.Token, "").Messages, "bot", "human") })
	tok := b.login("zoe", "correct horse battery").AccessToken
	conv := fmt.Sprintf("/api/agent/conversations/%d", ws.ConversationID)
	if code := b.do("POST", conv+"/takeover", tok, nil, nil); code != 200 {
		t.Fatalf("takeover on B: %d", code)
	}
	events := openStream(t, a.ts.URL+"/api/widget/events", ws.Token, a.history(ws.Token, "").Cursor)
	time.Sleep(100 * time.Millisecond) // the stream is subscribed before the reply is sent
	sent := time.Now()
	if code := b.do("POST", conv+"/messages", tok, map[string]string{"text": "Hello from instance B"}, nil); code != 201 {
		t.Fatalf("reply on B: %d", code)
	}
	_, m := nextMessage(t, events, time.Second)
	if m.Role != "agent" || m.Text != "Hello from instance B" {
		t.Fatalf("instance A's stream got %+v", m)
	}
	t.Logf("agent reply reached the other instance's stream in %v", time.Since(sent))
}

// TestAgentTranscriptPaged: a long conversation is read 200 messages at a time, newest
// first, each page oldest first, older pages through the cursor.
func TestAgentTranscriptPaged(t *testing.T) {
	e := newWebEnv(t)
	e.addUser("pam", "correct horse battery", auth.RoleAgent)
	tok := e.login("pam", "correct horse battery").AccessToken
	ws := e.session("en")
	const total = 451 // with the greeting the session starts with
	long := strings.Repeat("路", api.MaxMessageLen)
	if _, err := e.db.Exec(`INSERT INTO messages (conversation_id, role, text)
SELECT $1, 'traveller', $2 || n FROM generate_series(1, $3) n`, ws.ConversationID, long, total-1); err != nil {
		t.Fatal(err)
	}
	conv := fmt.Sprintf("/api/agent/conversations/%d", ws.ConversationID)
	var first struct {
		ConversationView
		Cursor string `json:"cursor"`
	}
	if code := e.do("GET", conv, tok, nil, &first); code != 200 {
		t.Fatalf("view: %d", code)
	}
	t.Logf("first page of %d messages of %d characters: %d KB", total, api.MaxMessageLen, len(mustJSON(first))>>10)
	if len(first.Messages) != 200 || !strings.HasSuffix(first.Messages[199].Text, fmt.Sprint(total-1)) || first.Cursor == "" {
		t.Fatalf("first page: %d messages, last %.20q, cursor %q: want the latest 200 and a cursor",
			len(first.Messages), first.Messages[len(first.Messages)-1].Text, first.Cursor)
	}
	seen := map[int64]bool{}
	ids := func(ms []web.WireMessage) {
		for i, m := range ms {
			if seen[m.ID] || i > 0 && ms[i-1].ID >= m.ID {
				t.Fatalf("message %d repeated or out of order", m.ID)
			}
			seen[m.ID] = true
		}
	}
	ids(first.Messages)
	cursor, pages, oldest := first.Cursor, []int{len(first.Messages)}, first.Messages[0].ID
	for cursor != "" {
		var page struct {
			Messages []web.WireMessage `json:"messages"`
			Cursor   string            `json:"cursor"`
		}
		if code := e.do("GET", conv+"?before="+cursor, tok, nil, &page); code != 200 {
			t.Fatalf("older page: %d", code)
		}
		if len(page.Messages) == 0 || page.Messages[len(page.Messages)-1].ID >= oldest {
			t.Fatalf("page before %d: %d messages, the last newer than the page after", oldest, len(page.Messages))
		}
		ids(page.Messages)
		oldest = page.Messages[0].ID
		pages, cursor = append(pages, len(page.Messages)), page.Cursor
	}
	if len(seen) != total || fmt.Sprint(pages) != "[200 200 51]" {
		t.Errorf("pages %v, %d messages in all, want [200 200 51] and %d", pages, len(seen), total)
	}
	var ae api.Error
	if code := e.do("GET", conv+"?before=x", tok, nil, &ae); code != 400 || ae.Field != "before" {
		t.Errorf("bad cursor: %d %+v, want 400 naming before", code, ae)
	}
}
