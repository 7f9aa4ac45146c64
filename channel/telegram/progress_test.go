package telegram

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"xingqu/pipeline"
	"xingqu/store"
	"xingqu/store/storetest"
)

// toPlanning walks a Telegram traveller to the point where a plan is being written, and
// returns the conversation and the plan request it awaits.
func (e *env) toPlanning(chat int64, uid int) (convID int64, request int) {
	e.t.Helper()
	e.say(textUpdate(uid, chat, "zh-hans", "/start"))
	e.say(textUpdate(uid+1, chat, "zh-hans", "福州, 12月25日到12月30日, 每人2000, 带孩子"))
	e.say(textUpdate(uid+2, chat, "zh-hans", "喜欢海边和闽菜"))
	e.say(textUpdate(uid+3, chat, "zh-hans", "好的"))
	convID = e.conversation(fmt.Sprint(chat))
	conv, err := store.GetConversation(context.Background(), e.db, convID)
	if err != nil {
		e.t.Fatal(err)
	}
	if conv.Memo.PlanRequest == 0 {
		e.t.Fatalf("conversation %d is not planning (state %s)", convID, conv.State)
	}
	return convID, conv.Memo.PlanRequest
}

func (e *env) notifyProgress(pr pipeline.Progress) {
	e.t.Helper()
	b, _ := json.Marshal(pr)
	if _, err := e.db.ExecContext(context.Background(), `SELECT pg_notify($1, $2)`, store.ProgressChannel, string(b)); err != nil {
		e.t.Fatal(err)
	}
}

// progressRequests are the requests (any outcome) that sent or changed the progress
// message of a chat, in order, and that message's id.
func (e *env) progressRequests(chat string) (mid string, rs []fakeReq) {
	for _, r := range e.fake.requests() {
		if r.Params.Get("chat_id") != chat {
			continue
		}
		switch {
		case r.Method == "sendMessage" && strings.Contains(r.Params.Get("text"), "正在撰写行程"):
			mid = fmt.Sprint(r.messageID())
			rs = append(rs, r)
		case mid != "" && r.Params.Get("message_id") == mid:
			rs = append(rs, r)
		}
	}
	return mid, rs
}

// checkPaced fails when two requests on the progress message are less than a second apart.
func checkPaced(t *testing.T, rs []fakeReq) {
	t.Helper()
	for i := 1; i < len(rs); i++ {
		if gap := rs[i].At.Sub(rs[i-1].At); gap < time.Second {
			t.Errorf("%s %v after %s: want at least 1s", rs[i].Method, gap, rs[i-1].Method)
		}
	}
}

// publish sends progress for a plan about every 150 ms for d (the planner sends it at most
// once a second; faster here, so that only the channel's own pacing keeps edits apart),
// and returns the last preview.
func (e *env) publish(convID int64, request int, d time.Duration, also func(i int)) string {
	var preview string
	for i := 0; time.Duration(i)*150*time.Millisecond < d; i++ {
		preview = fmt.Sprintf("== 豪华尊享游 <b>&amp;\n2026-12-25\n  鼓山 第%d站", i)
		e.notifyProgress(pipeline.Progress{ConversationID: convID, PlanRequest: request, Provider: "fake", Chars: 100 * (i + 1), Preview: preview})
		if also != nil {
			also(i)
		}
		time.Sleep(150 * time.Millisecond)
	}
	return preview
}

// A plan being written is one message, sent at the first progress and edited in place at
// most once a second with the newest preview, escaped; the plan card deletes it. Progress
// of a request not awaited, or of another conversation, shows nothing.
func TestPlanProgressEditsOneMessage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ModePolling, nil)
	const chat, other = "8001", "8002"
	convID, req := e.toPlanning(8001, 1)
	e.say(textUpdate(20, 8002, "zh-hans", "/start"))
	otherConv := e.conversation(other)

	last := e.publish(convID, req, 3300*time.Millisecond, func(i int) {
		stale := pipeline.Progress{ConversationID: convID, PlanRequest: req + 1, Chars: 9999, Preview: "STALE"}
		if i%2 == 1 {
			stale = pipeline.Progress{ConversationID: otherConv, PlanRequest: 1, Chars: 9999, Preview: "STALE other"}
		}
		e.notifyProgress(stale)
	})
	waitFor(t, "the newest preview", 5*time.Second, func() bool {
		_, rs := e.progressRequests(chat)
		return len(rs) > 0 && strings.Contains(rs[len(rs)-1].Params.Get("text"), Escape(last))
	})
	e.settle()

	mid, rs := e.progressRequests(chat)
	if mid == "" || rs[0].Method != "sendMessage" {
		t.Fatalf("no progress message: %s", texts(e.fake.sent("", chat)))
	}
	sends := 0
	for _, r := range e.fake.sent("sendMessage", chat) {
		if strings.Contains(r.Params.Get("text"), "正在撰写") {
			sends++
		}
	}
	edits := e.fake.sent("editMessageText", chat)
	if sends != 1 || len(edits) < 2 || len(rs) != 1+len(edits) {
		t.Fatalf("%d progress messages and %d edits (%d on it), want 1 message and edits of it:\n%s", sends, len(edits), len(rs)-1, texts(rs))
	}
	checkPaced(t, rs)
	final := rs[len(rs)-1].Params.Get("text")
	if !strings.HasPrefix(final, "<b>✍️ 正在撰写行程…</b>\n\n") || !strings.Contains(final, "&lt;b&gt;&amp;amp;") || strings.Contains(final, "<b>&amp;\n") {
		t.Fatalf("preview not escaped under the heading:\n%s", final)
	}
	for _, r := range e.fake.requests() {
		if strings.Contains(r.Params.Get("text"), "STALE") {
			t.Fatalf("stale or foreign progress shown: %s %s", r.Params.Get("chat_id"), r.Params.Get("text"))
		}
	}
	if e.fake.count429() != 0 {
		t.Fatalf("%d requests refused with 429", e.fake.count429())
	}

	// An edit to the same text, which Telegram refuses as "not modified", is delivered.
	var first int64
	e.db.GetContext(context.Background(), &first, `SELECT id FROM outbox WHERE dedupe_key = $1`, progressKey(convID, req))
	same, err := store.EnqueueOutbox(context.Background(), e.db, store.NewOutbox{ChatID: chat, Method: "editMessageText", EditOf: first,
		Params: map[string]string{"chat_id": chat, "text": final, "parse_mode": "HTML"}})
	if err != nil {
		t.Fatal(err)
	}
	e.settle()
	var state string
	e.db.GetContext(context.Background(), &state, `SELECT state FROM outbox WHERE id = $1`, same)
	if _, rs := e.progressRequests(chat); state != store.OutboxSent || rs[len(rs)-1].Status != 400 {
		t.Fatalf("an unchanged edit: row %s, answered %d", state, rs[len(rs)-1].Status)
	}

	e.completePlan(chat)
	card := e.lastWithButtons(chat)
	_, rs = e.progressRequests(chat)
	end := rs[len(rs)-1]
	if end.Method != "deleteMessage" || end.Status != 200 || !end.At.After(card.At) {
		t.Fatalf("the progress message should be deleted after the card, got %s (%d) last", end.Method, end.Status)
	}
	// Late progress of the delivered plan changes nothing.
	e.notifyProgress(pipeline.Progress{ConversationID: convID, PlanRequest: req, Chars: 1 << 20, Preview: "late"})
	time.Sleep(1500 * time.Millisecond)
	e.settle()
	if _, after := e.progressRequests(chat); len(after) != len(rs) {
		t.Fatalf("progress after the plan was delivered: %s", texts(after[len(rs):]))
	}
	if rs := e.fake.sent("", other); len(rs) != 1 {
		t.Fatalf("the other chat got %d requests, want its greeting:\n%s", len(rs), texts(rs))
	}
	e.checkAllValid()
}

// Two instances hear the same progress and both act on it: the traveller still sees one
// message, edited no more than once a second and never twice with the same text.
func TestPlanProgressTwoInstances(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ModePolling, nil)
	cfg := fastConfig(e.fake, "b", ModePolling)
	cfg.Listener = listener(t, e.url)
	b := New(cfg, e.db, e.pipe, nil, quietLog(), nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { b.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	const chat = "8101"
	convID, req := e.toPlanning(8101, 1)
	last := e.publish(convID, req, 3300*time.Millisecond, nil)
	waitFor(t, "the newest preview", 5*time.Second, func() bool {
		_, rs := e.progressRequests(chat)
		return len(rs) > 0 && strings.Contains(rs[len(rs)-1].Params.Get("text"), Escape(last))
	})
	e.settle()
	e.completePlan(chat)

	_, rs := e.progressRequests(chat)
	if len(rs) < 4 || rs[0].Method != "sendMessage" || rs[len(rs)-1].Method != "deleteMessage" {
		t.Fatalf("want a message, edits, a deletion; got:\n%s", texts(rs))
	}
	checkPaced(t, rs[:len(rs)-1]) // the deletion follows the card at the chat's own pace
	seen := map[string]bool{}
	for _, r := range rs {
		if r.Status != 200 {
			t.Errorf("%s answered %d", r.Method, r.Status)
		}
		if txt := r.Params.Get("text"); r.Method != "deleteMessage" && seen[txt] {
			t.Errorf("the same text shown twice:\n%s", txt)
		} else {
			seen[txt] = true
		}
	}
	if n := len(e.fake.sent("deleteMessage", chat)); n != 1 {
		t.Errorf("%d deletions, want 1", n)
	}
	// Both instances did hear and act on the progress, so the single message is the
	// database's doing, not one instance missing the notifications.
	for name, ch := range map[string]*Channel{"a": e.ch, "b": b} {
		n := 0.0
		for _, outcome := range []string{"written", "dedupe", "waited", "current"} {
			var m dto.Metric
			ch.metrics.progress.WithLabelValues(outcome).Write(&m)
			n += m.GetCounter().GetValue()
		}
		if n == 0 {
			t.Errorf("instance %s never handled progress", name)
		}
	}
	e.checkAllValid()
}

// A database that cannot be reached for plan progress does not keep the channel from
// shutting down.
func TestShutdownWithProgressDatabaseUnreachable(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	fake := newFakeAPI(t)
	cfg := fastConfig(fake, "a", ModePolling)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	cfg.Listener = listener(t, "postgres://xq@"+addr+"/xq?sslmode=disable&connect_timeout=1")
	_, stop := runChannel(t, cfg, db, newPipeline(db))
	waitFor(t, "the channel to lead", 10*time.Second, func() bool { return len(fake.sent("getUpdates", "")) > 0 })
	stop()
}

// listener is a process's notification listener on url, as serve makes one, closed when
// the test ends.
func listener(t *testing.T, url string) *store.Listener {
	t.Helper()
	l := store.NewListener(url, quietLog())
	t.Cleanup(l.Close)
	return l
}
