package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"xingqu/dialog"
	"xingqu/pipeline"
	"xingqu/providers/geo"
	"xingqu/providers/offline"
	"xingqu/store"
	"xingqu/store/storetest"
)

func TestMain(m *testing.M) {
	switch os.Getenv("XQ_TG_CHILD") {
	case "sender":
		childSender()
		return
	case "poller":
		childPoller()
		return
	case "broadcaster":
		childBroadcaster()
		return
	}
	geo.Warm()
	storetest.Main(m)
}

var testNow = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

const testToken = "123456:TEST-token-never-logged"

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newPipeline(db *store.DB) *pipeline.Pipeline {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	p := &pipeline.Pipeline{DB: db, Engine: &dialog.Engine{Now: func() time.Time { return testNow }, DefaultLoc: sh, Places: geo.Places{}}, Log: quietLog()}
	return p
}

type env struct {
	t    *testing.T
	db   *store.DB
	url  string
	fake *fakeAPI
	pipe *pipeline.Pipeline
	ch   *Channel
	stop func()
}

// fastConfig keeps functional tests quick: a 50 ms chat gap, enforced by the fake too.
func fastConfig(fake *fakeAPI, instance, mode string) Config {
	return Config{
		Token: testToken, Endpoint: fake.endpoint(instance), Mode: mode, WebhookSecret: "s3cret-token",
		PublicURL: "https://xingqu.example", Rate: 30,
		PollTimeout: time.Second, LeaderRetry: 200 * time.Millisecond,
		Sender: Sender{ChatGap: 50 * time.Millisecond, GroupGap: 150 * time.Millisecond, TakeoverWait: time.Millisecond, Poll: 20 * time.Millisecond},
	}
}

func newEnv(t *testing.T, mode string, tweak func(*Config, *pipeline.Pipeline)) *env {
	t.Helper()
	return newEnvFake(t, newFakeAPI(t), mode, tweak)
}

// newEnvFake is newEnv with a fake the test has set up before the channel first calls it.
func newEnvFake(t *testing.T, fake *fakeAPI, mode string, tweak func(*Config, *pipeline.Pipeline)) *env {
	t.Helper()
	url := storetest.URL(t)
	db, err := store.Open(context.Background(), url, store.PoolConfig{MaxOpen: 10})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	fake.chatGap = 50 * time.Millisecond
	pipe := newPipeline(db)
	cfg := fastConfig(fake, "a", mode)
	cfg.Listener = listener(t, url)
	if tweak != nil {
		tweak(&cfg, pipe)
	}
	ch, stop := runChannel(t, cfg, db, pipe)
	return &env{t: t, db: db, url: url, fake: fake, pipe: pipe, ch: ch, stop: stop}
}

// runChannel runs a channel until stop, which fails the test if the channel does not
// return within 20 s of its context ending.
func runChannel(t *testing.T, cfg Config, db *store.DB, pipe *pipeline.Pipeline) (*Channel, func()) {
	t.Helper()
	ch := New(cfg, db, pipe, nil, quietLog(), nil)
	pipe.Outbox = ch
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { ch.Run(ctx); close(done) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				t.Errorf("the channel did not stop within 20 s of its context ending")
			}
		})
	}
	t.Cleanup(stop)
	return ch, stop
}

func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// settle waits until every update is processed, every message handled and every
// outbox row out of the queue.
func (e *env) settle() {
	e.t.Helper()
	waitFor(e.t, "the bot to settle", 20*time.Second, func() bool {
		var n int
		e.db.GetContext(context.Background(), &n, `
SELECT (SELECT count(*) FROM telegram_updates WHERE processed_at IS NULL)
     + (SELECT count(*) FROM inbox WHERE handled_at IS NULL)
     + (SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending'))`)
		return n == 0
	})
}

// say pushes an update (polling) and waits for the bot to settle.
func (e *env) say(u map[string]any) {
	e.t.Helper()
	e.fake.push(u)
	waitFor(e.t, "the update to be stored", 10*time.Second, func() bool {
		var n int
		e.db.GetContext(context.Background(), &n, `SELECT count(*) FROM telegram_updates WHERE update_id = $1`, u["update_id"])
		return n == 1
	})
	e.settle()
}

// lastWithButtons is the latest message to chat that carries a keyboard.
func (e *env) lastWithButtons(chat string) fakeReq {
	e.t.Helper()
	ms := e.fake.sent("sendMessage", chat)
	for i := len(ms) - 1; i >= 0; i-- {
		if ms[i].Params.Get("reply_markup") != "" {
			return ms[i]
		}
	}
	e.t.Fatalf("no message with buttons sent to %s:\n%s", chat, texts(ms))
	return fakeReq{}
}

func (e *env) conversation(chat string) int64 {
	var id int64
	if err := e.db.GetContext(context.Background(), &id, `
SELECT c.id FROM conversations c JOIN travellers t ON t.id = c.traveller_id
WHERE t.channel = 'telegram' AND t.external_id = $1 ORDER BY c.id DESC LIMIT 1`, chat); err != nil {
		e.t.Fatal(err)
	}
	return id
}

// completePlan runs the queued planning job with the offline planner, as the planner
// worker will.
func (e *env) completePlan(chat string) {
	e.t.Helper()
	ctx := context.Background()
	convID := e.conversation(chat)
	jobs, err := store.Jobs(ctx, e.db, convID)
	if err != nil || len(jobs) == 0 {
		e.t.Fatalf("no planning job: %v", err)
	}
	var job pipeline.PlanJob
	json.Unmarshal(jobs[len(jobs)-1].Payload, &job)
	p := offline.Plan(job.Trip, job.Lang, testNow)
	p.Version = job.PlanRequest
	if err := e.pipe.Event(ctx, convID, dialog.Inbound{Event: dialog.EventPlanReady, Plan: &p, PlanRequest: job.PlanRequest}); err != nil {
		e.t.Fatal(err)
	}
	e.settle()
}

// checkAllValid asserts every message the fake received is one Telegram accepts.
func (e *env) checkAllValid() {
	e.t.Helper()
	for _, r := range e.fake.requests() {
		if r.Method == "sendMessage" || r.Method == "editMessageText" {
			if err := checkTelegramHTML(r.Params.Get("text")); err != nil {
				e.t.Errorf("%s text rejected: %v\n%s", r.Method, err, r.Params.Get("text"))
			}
		}
		if mk := r.Params.Get("reply_markup"); mk != "" {
			var m inlineMarkup
			if err := json.Unmarshal([]byte(mk), &m); err != nil {
				e.t.Errorf("reply_markup %q: %v", mk, err)
			}
			for _, row := range m.InlineKeyboard {
				for _, b := range row {
					if len(b.CallbackData) == 0 || len(b.CallbackData) > MaxCallbackData {
						e.t.Errorf("callback_data %q is %d bytes", b.CallbackData, len(b.CallbackData))
					}
				}
			}
		}
	}
}

func texts(rs []fakeReq) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.Params.Get("text"))
		b.WriteString("\n---\n")
	}
	return b.String()
}

// A whole trip planned by typing: greeting, slots in one message, preferences,
// confirmation, "typing" while planning, the plan card, and its day-by-day detail.
func TestTripPlannedByText(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ModePolling, nil)
	const chat = "1001"
	e.say(textUpdate(1, 1001, "zh-hans", "/start@xingqu_test_bot"))
	// The greeting and its question go out as one message.
	if got := e.fake.sent("sendMessage", chat); len(got) != 1 || !strings.Contains(got[0].Params.Get("text"), "行趣") {
		t.Fatalf("greeting: %s", texts(got))
	}
	e.say(textUpdate(2, 1001, "zh-hans", "福州, 12月25日到12月30日, 每人2000, 带孩子"))
	e.say(textUpdate(3, 1001, "zh-hans", "喜欢海边和闽菜"))
	e.say(textUpdate(4, 1001, "zh-hans", "好的"))
	if n := len(e.fake.sent("sendChatAction", chat)); n != 1 {
		t.Fatalf("%d typing actions while planning, want 1", n)
	}
	e.completePlan(chat)
	card := e.lastWithButtons(chat)
	var details []string
	for _, d := range card.buttons() {
		if strings.HasPrefix(d, cbDetail) {
			details = append(details, d)
		}
	}
	if len(details) == 0 {
		ms := e.fake.sent("sendMessage", chat)
		for _, m := range ms {
			for _, d := range m.buttons() {
				if strings.HasPrefix(d, cbDetail) {
					card = m
					details = append(details, d)
				}
			}
		}
	}
	if len(details) != 3 || !strings.Contains(card.Params.Get("text"), "福州") {
		t.Fatalf("plan card with 3 detail buttons expected, got %v:\n%s", details, card.Params.Get("text"))
	}
	before := len(e.fake.sent("sendMessage", chat))
	e.say(callbackUpdate(5, 1001, "zh-hans", card, details[1]))
	after := e.fake.sent("sendMessage", chat)
	if len(after) <= before || !strings.Contains(after[len(after)-1].Params.Get("text"), "2026-12-25") {
		t.Fatalf("day-by-day detail not sent:\n%s", texts(after[before:]))
	}
	if n := len(e.fake.sent("answerCallbackQuery", "")); n != 1 {
		t.Fatalf("%d callback answers, want 1", n)
	}
	edits := e.fake.sent("editMessageReplyMarkup", chat)
	if len(edits) != 1 || strings.Contains(edits[0].Params.Get("reply_markup"), details[1]) ||
		!strings.Contains(edits[0].Params.Get("reply_markup"), details[0]) {
		t.Fatalf("the pressed detail button should be gone and the others kept: %+v", edits)
	}
	e.checkAllValid()
	if strings.Contains(fmt.Sprint(e.fake.requests()), testToken) {
		t.Fatal("token leaked into request params")
	}
}

// The same trip by pressing buttons; each press is answered and its keyboard removed,
// and pressing the old button again does not answer the question twice.
func TestTripPlannedByButtons(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ModePolling, nil)
	const chat = "1002"
	uid := 10
	next := func() int { uid++; return uid }
	e.say(textUpdate(next(), 1002, "en", "/start"))
	e.say(textUpdate(next(), 1002, "en", "Lisbon, Dec 25 to Dec 30, budget 2000 per person"))
	press := func(prefix string) fakeReq {
		t.Helper()
		m := e.lastWithButtons(chat)
		for _, d := range m.buttons() {
			if strings.HasPrefix(d, prefix) {
				e.say(callbackUpdate(next(), 1002, "en", m, d))
				return m
			}
		}
		t.Fatalf("no %q button in %v (%s)", prefix, m.buttons(), m.Params.Get("text"))
		return m
	}
	needs := press("a:need:none")
	press("a:pref:nature")
	press("a:plan")
	if n := len(e.fake.sent("sendChatAction", chat)); n != 1 {
		t.Fatalf("%d typing actions, want 1", n)
	}
	// A second press of the first keyboard (pressed before its removal arrived).
	sentBefore := len(e.fake.sent("sendMessage", chat))
	e.say(callbackUpdate(next(), 1002, "en", needs, "a:need:kids"))
	if got := e.fake.sent("sendMessage", chat)[sentBefore:]; len(got) != 1 || strings.Contains(got[0].Params.Get("text"), "special needs") {
		t.Logf("late press answered with: %s", texts(got))
	}
	e.completePlan(chat)
	var card fakeReq
	for _, m := range e.fake.sent("sendMessage", chat) {
		for _, d := range m.buttons() {
			if strings.HasPrefix(d, cbDetail) {
				card = m
			}
		}
	}
	if card.Method == "" {
		t.Fatal("no plan card")
	}
	e.say(callbackUpdate(next(), 1002, "en", card, card.buttons()[0]))
	if n, m := len(e.fake.sent("answerCallbackQuery", "")), 5; n != m {
		t.Fatalf("%d callback answers, want %d (one per press)", n, m)
	}
	for _, ed := range e.fake.sent("editMessageReplyMarkup", chat)[:3] {
		if ed.Params.Get("reply_markup") != `{"inline_keyboard":[]}` {
			t.Fatalf("keyboard not removed after a choice: %s", ed.Params.Get("reply_markup"))
		}
	}
	var state string
	e.db.GetContext(context.Background(), &state, `SELECT state FROM conversations WHERE id = $1`, e.conversation(chat))
	if state != dialog.StatePlanned {
		t.Fatalf("state %q, want planned", state)
	}
	e.checkAllValid()
}

type fakeGeo struct{}

func (fakeGeo) Reverse(ctx context.Context, lat, lon float64, lang string) (dialog.Place, error) {
	return dialog.Place{Name: "Lisbon", CountryCode: "PT", Lat: lat, Lon: lon}, nil
}

// A shared location becomes the destination, named by the geocoder.
func TestLocationShared(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ModePolling, nil)
	e.ch.geo = fakeGeo{}
	e.say(textUpdate(1, 2001, "en", "/start"))
	e.say(messageUpdate(2, 2001, "en", map[string]any{"location": map[string]any{"latitude": 38.72, "longitude": -9.14}}))
	var slots []byte
	e.db.GetContext(context.Background(), &slots, `SELECT slots FROM conversations WHERE id = $1`, e.conversation("2001"))
	if !strings.Contains(string(slots), "Lisbon") || !strings.Contains(string(slots), "38.72") {
		t.Fatalf("slots after a location: %s", slots)
	}
	var outcome string
	e.db.GetContext(context.Background(), &outcome, `SELECT outcome FROM telegram_updates WHERE update_id = 2`)
	if outcome != "location" {
		t.Fatalf("outcome %q", outcome)
	}
	e.checkAllValid()
}

// Stickers, photos and voice get a polite answer; group chatter, channel posts and
// membership changes are recorded; nothing crashes or disappears.
func TestOtherUpdateKinds(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ModePolling, nil)
	e.say(messageUpdate(1, 3001, "zh", map[string]any{"sticker": map[string]any{"file_id": "s", "file_unique_id": "s", "width": 1, "height": 1}}))
	e.say(messageUpdate(2, 3001, "en", map[string]any{"photo": []any{map[string]any{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}}}))
	e.say(messageUpdate(3, 3001, "en", map[string]any{"voice": map[string]any{"file_id": "v", "file_unique_id": "v", "duration": 1}}))
	group := map[string]any{"id": -500, "type": "group", "title": "friends"}
	e.say(map[string]any{"update_id": 4, "message": map[string]any{"message_id": 4, "date": 1, "chat": group, "from": user(3002, "en"), "text": "hello all"}})
	e.say(map[string]any{"update_id": 5, "message": map[string]any{"message_id": 5, "date": 1, "chat": group, "from": user(3002, "en"), "text": "/start@xingqu_test_bot"}})
	e.say(map[string]any{"update_id": 6, "channel_post": map[string]any{"message_id": 6, "date": 1, "chat": map[string]any{"id": -600, "type": "channel"}, "text": "news"}})
	e.say(map[string]any{"update_id": 7, "edited_message": map[string]any{"message_id": 1, "date": 1, "edit_date": 2, "chat": privateChat(3001), "from": user(3001, "en"), "text": "Lisbon"}})
	member := func(uid int, status string) map[string]any {
		return map[string]any{"update_id": uid, "my_chat_member": map[string]any{"chat": privateChat(3001), "from": user(3001, "en"), "date": 1,
			"old_chat_member": map[string]any{"user": user(777, ""), "status": "member"},
			"new_chat_member": map[string]any{"user": user(777, ""), "status": status}}}
	}
	e.say(member(8, "kicked"))
	var reachable bool
	e.db.GetContext(context.Background(), &reachable, `SELECT reachable FROM travellers WHERE external_id = '3001'`)
	if reachable {
		t.Fatal("blocking the bot should make the traveller unreachable")
	}
	e.say(member(9, "member"))
	e.db.GetContext(context.Background(), &reachable, `SELECT reachable FROM travellers WHERE external_id = '3001'`)
	if !reachable {
		t.Fatal("unblocking should make the traveller reachable")
	}
	replies := e.fake.sent("sendMessage", "3001")
	if len(replies) < 4 || !strings.Contains(replies[0].Params.Get("text"), "贴纸") || !strings.Contains(replies[1].Params.Get("text"), "photos") ||
		!strings.Contains(replies[2].Params.Get("text"), "voice") {
		t.Fatalf("sticker/photo/voice answers:\n%s", texts(replies))
	}
	if g := e.fake.sent("sendMessage", "-500"); len(g) != 1 {
		t.Fatalf("group: %d answers, want 1 (to the command only)", len(g))
	}
	var outcomes []string
	e.db.SelectContext(context.Background(), &outcomes, `SELECT outcome FROM telegram_updates ORDER BY update_id`)
	want := []string{"answered: sticker", "answered: photo", "answered: voice", "ignored: group message", "answered: group", "ignored: channel post", "edited", "blocked", "unblocked"}
	if strings.Join(outcomes, "|") != strings.Join(want, "|") {
		t.Fatalf("outcomes\n%q\nwant\n%q", outcomes, want)
	}
	e.checkAllValid()
}

// A redelivered update (same update_id, by webhook retry or a poll after a crash) is
// answered once.
func TestRedeliveredUpdateAnsweredOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ModeWebhook, nil)
	h := e.ch.Webhook()
	u, _ := json.Marshal(textUpdate(42, 4001, "en", "/start"))
	for range 3 {
		req := httptest.NewRequest("POST", "/telegram/webhook", bytes.NewReader(u))
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "s3cret-token")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			t.Fatalf("webhook answered %d", w.Code)
		}
	}
	e.settle()
	time.Sleep(200 * time.Millisecond)
	e.settle()
	var stored int
	e.db.GetContext(context.Background(), &stored, `SELECT count(*) FROM inbox`)
	// /start is answered with a greeting and a question, in one message, once.
	if n := len(e.fake.sent("sendMessage", "4001")); n != 1 || stored != 1 {
		t.Fatalf("%d answers to one update delivered three times:\n%s", n, texts(e.fake.sent("sendMessage", "4001")))
	}
}

// Webhook: a missing or wrong secret is refused with 401 and nothing is stored; the
// setWebhook call carries the secret.
func TestWebhookSecret(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ModeWebhook, nil)
	h := e.ch.Webhook()
	u, _ := json.Marshal(textUpdate(50, 5001, "en", "hello"))
	for _, secret := range []string{"", "wrong", "s3cret-token-but-longer", "S3CRET-TOKEN"} {
		req := httptest.NewRequest("POST", "/telegram/webhook", bytes.NewReader(u))
		if secret != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusUnauthorized {
			t.Fatalf("secret %q: %d, want 401", secret, w.Code)
		}
	}
	var n int
	e.db.GetContext(context.Background(), &n, `SELECT (SELECT count(*) FROM telegram_updates) + (SELECT count(*) FROM inbox) + (SELECT count(*) FROM travellers)`)
	if n != 0 {
		t.Fatalf("%d rows stored from refused requests", n)
	}
	waitFor(t, "setWebhook", 5*time.Second, func() bool { return len(e.fake.sent("setWebhook", "")) > 0 })
	sw := e.fake.sent("setWebhook", "")[0]
	if sw.Params.Get("secret_token") != "s3cret-token" || sw.Params.Get("url") != "https://xingqu.example/telegram/webhook" {
		t.Fatalf("setWebhook params %v", sw.Params)
	}
	// The commands are set after the webhook, by the same start-up: wait for all three
	// rather than count them the moment the webhook is seen.
	waitFor(t, "setMyCommands for zh, en and default", 5*time.Second, func() bool { return len(e.fake.sent("setMyCommands", "")) == 3 })
}

// slowExtractor stands in for a language model that takes 30 s.
type slowExtractor struct{ release chan struct{} }

func (s slowExtractor) Extract(ctx context.Context, text string, pc dialog.ParseContext, lang string) (*dialog.Extraction, error) {
	select {
	case <-s.release:
	case <-ctx.Done():
	case <-time.After(30 * time.Second):
	}
	return nil, context.DeadlineExceeded
}

// The webhook answers within a second even while the turn behind it waits 30 s on a
// language model: updates are stored, answered, then processed.
func TestWebhookAnswersFastWhileLLMIsSlow(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	defer close(release)
	e := newEnv(t, ModeWebhook, func(c *Config, p *pipeline.Pipeline) { p.Extractor = slowExtractor{release} })
	srv := httptest.NewServer(e.ch.Webhook())
	defer srv.Close()
	for i, text := range []string{"xyzzy plugh frobnicate", "qwerty asdf zxcv", "lorem ipsum dolor"} {
		u, _ := json.Marshal(textUpdate(60+i, 6001, "en", text))
		req, _ := http.NewRequest("POST", srv.URL, bytes.NewReader(u))
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "s3cret-token")
		start := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if d := time.Since(start); resp.StatusCode != 200 || d > time.Second {
			t.Fatalf("update %d: status %d after %v, want 200 within 1s", i, resp.StatusCode, d)
		}
		time.Sleep(300 * time.Millisecond) // the first turn is now blocked on the extractor
	}
	var stored int
	e.db.GetContext(context.Background(), &stored, `SELECT count(*) FROM inbox`)
	if stored != 3 {
		t.Fatalf("%d messages stored, want 3", stored)
	}
}

// Telegram unreachable at start: the webhook still stores updates, and the channel keeps
// retrying, answering once Telegram is back.
func TestTelegramUnreachableAtStart(t *testing.T) {
	t.Parallel()
	var fake *fakeAPI
	e := newEnv(t, ModeWebhook, func(c *Config, p *pipeline.Pipeline) {})
	fake = e.fake
	e.stop()
	fake.mu.Lock()
	fake.down = true
	fake.reqs = nil
	fake.mu.Unlock()
	ch := New(fastConfig(fake, "a", ModeWebhook), e.db, e.pipe, nil, quietLog(), nil)
	e.pipe.Outbox = ch
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { ch.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	u, _ := json.Marshal(textUpdate(70, 7001, "en", "/start"))
	req := httptest.NewRequest("POST", "/telegram/webhook", bytes.NewReader(u))
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "s3cret-token")
	w := httptest.NewRecorder()
	ch.Webhook().ServeHTTP(w, req)
	if w.Code != 200 {
		t.Fatalf("webhook answered %d while Telegram is down", w.Code)
	}
	time.Sleep(1500 * time.Millisecond)
	if n := len(fake.sent("sendMessage", "")); n != 0 {
		t.Fatalf("%d messages sent while down", n)
	}
	fake.mu.Lock()
	fake.down = false
	fake.mu.Unlock()
	waitFor(t, "the reply once Telegram is back", 15*time.Second, func() bool { return len(fake.sent("sendMessage", "7001")) == 1 })
}

// A setWebhook that keeps failing (a wrong public URL, say) must not stop messages
// already queued from going out.
func TestQueuedMessagesSentWhileSetWebhookFails(t *testing.T) {
	t.Parallel()
	fake := newFakeAPI(t)
	fake.refuse["setWebhook"] = http.StatusBadRequest
	e := newEnvFake(t, fake, ModeWebhook, nil)
	enqueue(t, e.db, "8201", "queued before the webhook was set")
	waitDelivered(t, e.db, 10*time.Second)
	if n := len(fake.sent("sendMessage", "8201")); n != 1 {
		t.Fatalf("%d messages delivered, want 1", n)
	}
	if n := len(fake.sent("setMyCommands", "")); n != 3 {
		t.Fatalf("setMyCommands called %d times, want 3 (zh, en, default)", n)
	}
}

// An update whose processing fails every time is set aside after a few attempts, with
// its reason, and the chat's next update is processed.
func TestFailingUpdateDoesNotBlockItsChat(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ModePolling, nil)
	// The database itself refuses the message, as it would a value it cannot store.
	_, err := e.db.ExecContext(context.Background(), `
CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.payload->>'text' = 'poison' THEN RAISE EXCEPTION 'poisoned message'; END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER refuse_poison BEFORE INSERT ON inbox FOR EACH ROW EXECUTE FUNCTION refuse_poison();`)
	if err != nil {
		t.Fatal(err)
	}
	e.fake.push(textUpdate(1, 8301, "en", "poison"))
	e.fake.push(textUpdate(2, 8301, "en", "/start"))
	waitFor(t, "the update after the failing one", 20*time.Second, func() bool { return len(e.fake.sent("sendMessage", "8301")) > 0 })
	var outcome string
	var attempts int
	e.db.QueryRowContext(context.Background(), `SELECT outcome, attempts FROM telegram_updates WHERE update_id = 1`).Scan(&outcome, &attempts)
	if !strings.HasPrefix(outcome, "failed: ") || !strings.Contains(outcome, "poisoned message") || attempts != 3 {
		t.Fatalf("failing update: outcome %q after %d attempts, want failed: <reason> after 3", outcome, attempts)
	}
}

type nulGeo struct{}

func (nulGeo) Reverse(ctx context.Context, lat, lon float64, lang string) (dialog.Place, error) {
	return dialog.Place{Name: "Lis\x00bon", CountryCode: "PT", Lat: lat, Lon: lon}, nil
}

// A place name with a character PostgreSQL cannot store is cleaned like typed text.
func TestLocationNameCleaned(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ModePolling, nil)
	e.ch.geo = nulGeo{}
	e.say(textUpdate(1, 8401, "en", "/start"))
	e.say(messageUpdate(2, 8401, "en", map[string]any{"location": map[string]any{"latitude": 38.72, "longitude": -9.14}}))
	var outcome string
	e.db.GetContext(context.Background(), &outcome, `SELECT outcome FROM telegram_updates WHERE update_id = 2`)
	var slots []byte
	e.db.GetContext(context.Background(), &slots, `SELECT slots FROM conversations WHERE id = $1`, e.conversation("8401"))
	if outcome != "location" || !strings.Contains(string(slots), "Lisbon") {
		t.Fatalf("outcome %q, slots %s", outcome, slots)
	}
}

// The bot's name, learnt on connecting, is read by update processors that run while
// the channel connects (go test -race catches it otherwise).
func TestGroupMentionWhileConnecting(t *testing.T) {
	t.Parallel()
	fake := newFakeAPI(t)
	fake.slow["getMe"] = 300 * time.Millisecond
	db := storetest.New(t)
	group := map[string]any{"id": -8501, "type": "group", "title": "friends"}
	u, _ := json.Marshal(map[string]any{"update_id": 1, "message": map[string]any{"message_id": 1, "date": 1, "chat": group,
		"from": user(8502, "en"), "text": "@xingqu_test_bot hello"}})
	su := &store.TelegramUpdate{UpdateID: 1, ChatID: "-8501", Payload: u}
	ch, _ := runChannel(t, fastConfig(fake, "a", ModePolling), db, newPipeline(db))
	deadline := time.Now().Add(10 * time.Second)
	for {
		outcome, _, _, err := ch.process(context.Background(), su)
		if err != nil {
			t.Fatal(err)
		}
		if outcome == "answered: group" {
			break // the mention is recognised once the name is known
		}
		if time.Now().After(deadline) {
			t.Fatalf("a mention of the bot is still %q 10 s after starting", outcome)
		}
	}
}

// countingExtractor is a language model that takes a while and counts its calls.
type countingExtractor struct {
	mu    *sync.Mutex
	calls *int
	wait  time.Duration
}

func (c countingExtractor) Extract(ctx context.Context, text string, pc dialog.ParseContext, lang string) (*dialog.Extraction, error) {
	c.mu.Lock()
	*c.calls++
	c.mu.Unlock()
	select {
	case <-ctx.Done():
	case <-time.After(c.wait):
	}
	return nil, context.DeadlineExceeded
}

// A turn waiting on a slow model is not started a second time for the same message.
func TestSlowTurnNotRepeated(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	calls := 0
	e := newEnv(t, ModePolling, func(c *Config, p *pipeline.Pipeline) {
		p.Extractor = countingExtractor{mu: &mu, calls: &calls, wait: 7 * time.Second}
	})
	e.say(textUpdate(1, 8601, "en", "that old capital with all the temples, you know"))
	mu.Lock()
	defer mu.Unlock()
	if calls != 1 {
		t.Fatalf("the model was asked %d times about one message, want 1", calls)
	}
}

// An update carrying a NUL character, which PostgreSQL's jsonb refuses, is stored
// without it instead of holding up every update polled with it.
func TestUpdateWithNULStored(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ModePolling, nil)
	e.say(textUpdate(1, 8801, "en", "/start\x00"))
	if n := len(e.fake.sent("sendMessage", "8801")); n == 0 {
		t.Fatal("the update was not answered")
	}
}
