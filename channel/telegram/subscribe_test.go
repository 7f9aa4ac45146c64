package telegram

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"xingqu/notices"
	"xingqu/store"
)

// subscription is the kinds of notice a chat's traveller is subscribed to; nil: none.
func (e *env) subscription(chat string) []string {
	e.t.Helper()
	var types pq.StringArray
	err := e.db.GetContext(context.Background(), &types, `
SELECT s.types FROM subscriptions s JOIN travellers t ON t.id = s.traveller_id
WHERE t.channel = 'telegram' AND t.external_id = $1`, chat)
	if err == sql.ErrNoRows {
		return nil
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return types
}

// announceNow publishes an announcement of typ starting now and runs its notice jobs.
func (e *env) announceNow(typ, title string) {
	e.t.Helper()
	ctx := context.Background()
	now := time.Now()
	a := store.Announcement{Type: typ, Title: title, Body: "body", Impact: "impact", Urgent: true, StartsAt: now,
		EndsAt: sql.NullTime{Time: now.Add(time.Hour), Valid: true}}
	a, err := store.CreateAnnouncement(ctx, e.db, a)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := store.EnqueueJob(ctx, e.db, notices.JobNotice, 0, notices.NoticeJob{AnnouncementID: a.ID, Phase: notices.PhasePublished}, now); err != nil {
		e.t.Fatal(err)
	}
	w := &notices.NoticeWorker{DB: e.db, Log: quietLog()}
	for {
		job, err := store.ClaimJob(ctx, e.db, []string{notices.JobNotice}, time.Minute)
		if err != nil {
			e.t.Fatal(err)
		}
		if job == nil {
			break
		}
		if err := w.Process(ctx, job); err != nil {
			e.t.Fatal(err)
		}
	}
	e.settle()
}

// /subscribe in Telegram, as travellers use it: the toggles (all on), one pressed off,
// kinds given as arguments, /unsubscribe; then notices of two kinds reach exactly the
// chats subscribed to each.
func TestSubscribeTogglesAndArguments(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ModePolling, nil)
	uid := 100
	next := func() int { uid++; return uid }

	// Chat 3001 (Chinese): /subscribe mid-form, then the feature toggle pressed off.
	e.say(textUpdate(next(), 3001, "zh", "想去成都"))
	e.say(textUpdate(next(), 3001, "zh", "/subscribe"))
	if got := e.subscription("3001"); !slices.Equal(got, []string{"feature", "performance", "security", "ui", "maintenance", "downtime"}) {
		t.Fatalf("after /subscribe: %v", got)
	}
	m := e.lastWithButtons("3001")
	sent := e.fake.sent("sendMessage", "3001")
	if last := sent[len(sent)-1].Params.Get("text"); !strings.Contains(last, "什么时候出发") {
		t.Errorf("the form's question is not asked again after /subscribe: %q", last)
	}
	if !strings.Contains(m.Params.Get("text"), "系统维护") || !slices.Contains(m.buttons(), "a:notices:feature") || len(m.buttons()) != 7 {
		t.Fatalf("toggles: %q %v", m.Params.Get("text"), m.buttons())
	}
	if !strings.Contains(m.Params.Get("reply_markup"), "✅ 功能更新") {
		t.Fatalf("toggles are not shown on: %s", m.Params.Get("reply_markup"))
	}
	e.say(callbackUpdate(next(), 3001, "zh", m, "a:notices:feature"))
	if got := e.subscription("3001"); !slices.Equal(got, []string{"performance", "security", "ui", "maintenance", "downtime"}) {
		t.Fatalf("after the feature toggle: %v", got)
	}
	if mk := e.lastWithButtons("3001").Params.Get("reply_markup"); !strings.Contains(mk, "⬜ 功能更新") || !strings.Contains(mk, "✅ 系统维护") {
		t.Fatalf("toggles after the press: %s", mk)
	}

	// Chat 3002 (English): kinds as arguments.
	e.say(textUpdate(next(), 3002, "en", "/subscribe maintenance downtime"))
	if got := e.subscription("3002"); !slices.Equal(got, []string{"maintenance", "downtime"}) {
		t.Fatalf("/subscribe maintenance downtime: %v", got)
	}
	if text := e.lastWithButtons("3002").Params.Get("text"); !strings.Contains(text, "Maintenance, Downtime") {
		t.Fatalf("reply: %q", text)
	}

	// The chat blocked the bot (the sender drops its subscription), then came back: the
	// toggles /subscribe shows are what it gets again.
	if _, err := e.db.ExecContext(context.Background(), `DELETE FROM subscriptions WHERE traveller_id =
		(SELECT id FROM travellers WHERE channel = 'telegram' AND external_id = '3002')`); err != nil {
		t.Fatal(err)
	}
	e.say(textUpdate(next(), 3002, "en", "/subscribe"))
	if got := e.subscription("3002"); !slices.Equal(got, []string{"maintenance", "downtime"}) {
		t.Fatalf("/subscribe after the subscription was dropped: %v", got)
	}

	// Chat 3003: subscribes, then unsubscribes from everything.
	e.say(textUpdate(next(), 3003, "en", "/subscribe"))
	e.say(textUpdate(next(), 3003, "en", "/unsubscribe"))
	if got := e.subscription("3003"); got != nil {
		t.Fatalf("after /unsubscribe: %v", got)
	}

	// Chat 3004: feature updates only.
	e.say(textUpdate(next(), 3004, "en", "/subscribe feature"))

	before := map[string]int{}
	for _, c := range []string{"3001", "3002", "3003", "3004"} {
		before[c] = len(e.fake.sent("sendMessage", c))
	}
	e.announceNow("maintenance", "Database maintenance")
	e.announceNow("feature", "Live repair progress")
	for chat, want := range map[string][]string{
		"3001": {"Database maintenance"}, "3002": {"Database maintenance"}, "3003": nil, "3004": {"Live repair progress"},
	} {
		var got []string
		for _, r := range e.fake.sent("sendMessage", chat)[before[chat]:] {
			got = append(got, strings.SplitN(r.Params.Get("text"), "\n", 3)[1])
		}
		if !slices.Equal(got, want) {
			t.Errorf("chat %s received %v, want %v", chat, got, want)
		}
	}
	e.checkAllValid()

}
