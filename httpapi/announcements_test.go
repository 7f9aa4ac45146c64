package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/lib/pq"

	"xingqu/auth"
	"xingqu/dialog"
	"xingqu/notices"
	"xingqu/store"
)

// noticeEnv is a server with an admin and an agent logged in.
func noticeEnv(t *testing.T, opts ...func(*Config)) (e *webEnv, admin, agent string) {
	t.Helper()
	e = newWebEnv(t, opts...)
	e.addUser("admin1", "correct horse battery staple", auth.RoleAdmin)
	e.addUser("agent1", "correct horse battery staple", auth.RoleAgent)
	return e, e.login("admin1", "correct horse battery staple").AccessToken, e.login("agent1", "correct horse battery staple").AccessToken
}

func ahead(d time.Duration) string { return time.Now().Add(d).UTC().Format(time.RFC3339) }

const day = 24 * time.Hour

// announce posts an announcement and returns the status and the decoded answer.
func (e *webEnv) announce(tok string, body map[string]any) (int, map[string]any) {
	e.t.Helper()
	req := map[string]any{"type": "feature", "title": "行程导出 PDF", "body": "行程可以导出为 PDF。",
		"impact": "服务暂停约1小时", "notes": "请提前完成重要操作", "startsAt": ahead(8 * day), "endsAt": ahead(8*day + time.Hour)}
	for k, v := range body {
		if v == nil {
			delete(req, k)
		} else {
			req[k] = v
		}
	}
	var out map[string]any
	code := e.do("POST", "/api/admin/announcements", tok, req, &out)
	return code, out
}

func idOf(t *testing.T, m map[string]any) int64 {
	t.Helper()
	id, ok := m["id"].(float64)
	if !ok || id <= 0 {
		t.Fatalf("no id in %v", m)
	}
	return int64(id)
}

func TestAdminRoutesRefuseAgents(t *testing.T) {
	t.Parallel()
	e, admin, agent := noticeEnv(t)
	code, a := e.announce(admin, nil)
	if code != 201 {
		t.Fatalf("admin create: got %d %v, want 201", code, a)
	}
	id := idOf(t, a)
	routes := []struct{ method, path string }{
		{"POST", "/api/admin/announcements"},
		{"GET", fmt.Sprintf("/api/admin/announcements/%d", id)},
		{"POST", fmt.Sprintf("/api/admin/announcements/%d/cancel", id)},
		{"POST", fmt.Sprintf("/api/admin/announcements/%d/complete", id)},
		{"POST", "/api/admin/maintenance"},
	}
	for _, r := range routes {
		if code := e.do(r.method, r.path, agent, `{"on": true}`, nil); code != http.StatusForbidden {
			t.Errorf("agent %s %s: got %d, want 403", r.method, r.path, code)
		}
		if code := e.do(r.method, r.path, "", `{"on": true}`, nil); code != http.StatusUnauthorized {
			t.Errorf("anonymous %s %s: got %d, want 401", r.method, r.path, code)
		}
	}
	var got AnnouncementView
	if code := e.do("GET", fmt.Sprintf("/api/admin/announcements/%d", id), admin, nil, &got); code != 200 || got.Status != "published" || got.Phase != "upcoming" {
		t.Fatalf("the agents changed it: %d %+v", code, got)
	}
}

func TestAnnouncementLeadTimes(t *testing.T) {
	t.Parallel()
	e, admin, _ := noticeEnv(t)
	now := func(d time.Duration) map[string]any {
		return map[string]any{"startsAt": ahead(d), "endsAt": ahead(d + 2*time.Hour)}
	}
	with := func(m map[string]any, kv ...any) map[string]any {
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	cases := []struct {
		name  string
		body  map[string]any
		code  int
		field string
		rule  string // words the refusal must say
	}{
		{"feature 6 days ahead", with(now(6*day), "type", "feature"), 400, "startsAt", "7 days ahead"},
		{"feature 7 days ahead", with(now(7*day), "type", "feature"), 201, "", ""},
		{"ui 3 days ahead", with(now(3*day), "type", "ui"), 400, "startsAt", "7 days ahead"},
		{"performance 2 days ahead", with(now(2*day), "type", "performance"), 400, "startsAt", "3 days ahead"},
		{"performance 3 days ahead", with(now(3*day+time.Hour), "type", "performance"), 201, "", ""},
		{"security in 2 hours", with(now(2*time.Hour), "type", "security"), 400, "startsAt", `"urgent": true`},
		{"urgent security now", with(now(0), "type", "security", "urgent", true), 201, "", ""},
		{"security 1 day ahead", with(now(day+time.Hour), "type", "security"), 201, "", ""},
		{"maintenance in 1 hour", with(now(time.Hour), "type", "maintenance"), 400, "startsAt", "1 day ahead"},
		{"planned downtime 3 days ahead", with(now(3*day), "type", "downtime"), 400, "startsAt", "planned downtime is announced at least 7 days ahead"},
		{"planned downtime 8 days ahead", with(now(8*day), "type", "downtime"), 201, "", ""},
		{"emergency downtime 2 days ahead", with(now(2*day), "type", "downtime", "urgent", true), 201, "", ""},
		{"emergency downtime in 2 hours", with(now(2*time.Hour), "type", "downtime", "urgent", true), 400, "startsAt", "emergency downtime"},
		{"fault downtime now, end unknown", with(map[string]any{}, "type", "downtime", "fault", true, "startsAt", nil, "endsAt", nil), 201, "", ""},
		{"fault on a feature", with(now(8*day), "type", "feature", "fault", true), 400, "fault", "downtime caused by a fault only"},
		{"unknown type", with(now(8*day), "type", "party"), 400, "type", "feature, performance"},
		{"no title", with(now(8*day), "title", ""), 400, "title", "required"},
		{"no impact", with(now(8*day), "impact", nil), 400, "impact", "required"},
		{"no notes", with(now(8*day), "notes", "  "), 400, "notes", "required"},
		{"ends before it starts", with(now(8*day), "endsAt", ahead(7*day)), 400, "endsAt", "after startsAt"},
		{"no end", with(now(8*day), "endsAt", nil), 400, "endsAt", "required"},
		{"not a time", with(now(8*day), "startsAt", "next week"), 400, "startsAt", "RFC 3339"},
		{"long title", with(now(8*day), "title", strings.Repeat("长", 121)), 400, "title", "at most 120"},
	}
	for _, c := range cases {
		code, out := e.announce(admin, c.body)
		if code != c.code {
			t.Errorf("%s: got %d %v, want %d", c.name, code, out, c.code)
			continue
		}
		if c.code != 400 {
			continue
		}
		msg, _ := out["message"].(string)
		if out["error_code"] != "E-400" || out["field"] != c.field || !strings.Contains(msg, c.rule) {
			t.Errorf("%s: got %v, want field %q and a message saying %q", c.name, out, c.field, c.rule)
		}
	}
}

func TestAnnouncementCancelCompleteAndPublicViews(t *testing.T) {
	t.Parallel()
	e, admin, _ := noticeEnv(t)
	_, planned := e.announce(admin, map[string]any{"type": "downtime", "title": "数据库迁移", "startsAt": ahead(8 * day), "endsAt": ahead(8*day + 2*time.Hour)})
	_, shipped := e.announce(admin, map[string]any{"type": "feature", "urgent": false, "title": `<script>alert("x")</script>新功能`,
		"body": `<img src=x onerror=alert(1)>`})
	_, fault := e.announce(admin, map[string]any{"type": "downtime", "fault": true, "title": "支付故障", "startsAt": nil, "endsAt": nil})
	pid, sid, fid := idOf(t, planned), idOf(t, shipped), idOf(t, fault)

	path := func(id int64, op string) string { return fmt.Sprintf("/api/admin/announcements/%d/%s", id, op) }
	var v AnnouncementView
	if code := e.do("POST", path(pid, "complete"), admin, nil, nil); code != 409 {
		t.Errorf("complete before the start: got %d, want 409", code)
	}
	if code := e.do("POST", path(pid, "cancel"), admin, nil, &v); code != 200 || v.Status != "cancelled" {
		t.Errorf("cancel: got %d %+v", code, v)
	}
	if code := e.do("POST", path(pid, "cancel"), admin, nil, nil); code != 409 {
		t.Errorf("cancel twice: got %d, want 409", code)
	}
	if code := e.do("POST", path(pid, "complete"), admin, nil, nil); code != 409 {
		t.Errorf("complete a cancelled one: got %d, want 409", code)
	}
	if code := e.do("POST", path(999999, "cancel"), admin, nil, nil); code != 404 {
		t.Errorf("cancel unknown: got %d, want 404", code)
	}
	if code := e.do("GET", "/api/admin/announcements/999999", admin, nil, nil); code != 404 {
		t.Errorf("get unknown: got %d, want 404", code)
	}

	// The public list: the fault is current and holds the service; the cancelled one is gone.
	var pub AnnouncementsResponse
	if code := e.do("GET", "/api/announcements", "", nil, &pub); code != 200 {
		t.Fatalf("public list: %d", code)
	}
	phases := map[int64]string{}
	for _, a := range pub.Announcements {
		phases[a.ID] = a.Phase
	}
	if want := map[int64]string{sid: "upcoming", fid: "current"}; fmt.Sprint(phases) != fmt.Sprint(want) {
		t.Errorf("public list phases: got %v, want %v", phases, want)
	}
	if !pub.Maintenance.On || pub.Maintenance.Message != "支付故障" || pub.Maintenance.Until != nil {
		t.Errorf("maintenance during the fault: got %+v", pub.Maintenance)
	}
	if code := e.do("POST", path(fid, "complete"), admin, nil, &v); code != 200 || v.Status != "completed" || v.EndsAt == nil {
		t.Errorf("complete the fault: got %d %+v", code, v)
	}
	pub = AnnouncementsResponse{}
	e.do("GET", "/api/announcements", "", nil, &pub)
	if pub.Maintenance.On || len(pub.Announcements) != 1 {
		t.Errorf("after completing the fault: got %+v, want one upcoming notice and no maintenance", pub)
	}

	// The changelog lists the feature once it is done, every text escaped.
	if _, err := e.db.Exec(`UPDATE announcements SET starts_at = now() - interval '2 hours', ends_at = now() - interval '1 hour' WHERE id = $1`, sid); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(e.ts.URL + "/changelog")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(b)
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Fatalf("changelog: %d %v", resp.StatusCode, resp.Header)
	}
	if !strings.Contains(page, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;新功能") || !strings.Contains(page, "&lt;img src=x onerror=alert(1)&gt;") {
		t.Errorf("changelog does not show the escaped feature:\n%s", page)
	}
	if strings.Contains(page, "<script>") || strings.Contains(page, "<img") || strings.Contains(page, "数据库迁移") || strings.Contains(page, "支付故障") {
		t.Errorf("changelog shows raw markup, a cancelled notice or downtime:\n%s", page)
	}
}

// subscribe makes a Telegram traveller subscribed to types.
func subscribe(t *testing.T, db *store.DB, chat, lang string, types ...string) store.Traveller {
	t.Helper()
	tr, err := store.EnsureTraveller(context.Background(), db, "telegram", chat, "t"+chat, lang, "Europe/Lisbon")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO subscriptions (traveller_id, types) VALUES ($1, $2)`, tr.ID, pq.Array(types)); err != nil {
		t.Fatal(err)
	}
	return tr
}

type noticeRow struct {
	TravellerID int64  `db:"traveller_id"`
	Key         string `db:"dedupe_key"`
	Text        string `db:"text"`
	State       string `db:"state"`
	ID          int64  `db:"id"`
}

func noticeRows(t *testing.T, db *store.DB, annID int64) []noticeRow {
	t.Helper()
	var rs []noticeRow
	if err := db.Select(&rs, `SELECT id, traveller_id, dedupe_key, params->>'text' AS text, state FROM outbox WHERE dedupe_key LIKE $1 ORDER BY id`, fmt.Sprintf("ann:%d:%%", annID)); err != nil {
		t.Fatal(err)
	}
	return rs
}

// runNoticeJobs runs every due notice job, each twice, the second time at once from two
// workers: what a worker killed after writing its rows, and a lease that ran out while
// another worker took the job, both look like.
func runNoticeJobs(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	w := &notices.NoticeWorker{DB: db, Batch: 1, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for {
		job, err := store.ClaimJob(ctx, db, []string{notices.JobNotice}, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if job == nil {
			return
		}
		if err := w.Process(ctx, job); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`UPDATE jobs SET done_at = NULL WHERE id = $1`, job.ID); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() {
				if err := w.Process(ctx, job); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
}

func TestAnnouncementDeliveryOncePerSubscriber(t *testing.T) {
	t.Parallel()
	e, admin, _ := noticeEnv(t)
	ctx := context.Background()
	all := []string{"feature", "performance", "security", "ui", "maintenance", "downtime"}
	ana := subscribe(t, e.db, "101", "en", all...)
	bo := subscribe(t, e.db, "102", "zh", all...)
	subscribe(t, e.db, "103", "zh", "feature") // another type: never sent this one
	code, out := e.announce(admin, map[string]any{"type": "security", "urgent": true, "title": "Login hardening",
		"startsAt": ahead(2 * time.Hour), "endsAt": ahead(3 * time.Hour)})
	if code != 201 {
		t.Fatalf("create: %d %v", code, out)
	}
	id := idOf(t, out)
	runNoticeJobs(t, e.db)

	rows := noticeRows(t, e.db, id)
	got := map[int64]int{}
	for _, r := range rows {
		got[r.TravellerID]++
	}
	if want := map[int64]int{ana.ID: 1, bo.ID: 1}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("published notice rows per traveller: got %v, want %v", got, want)
	}
	for _, r := range rows {
		want := []string{"Login hardening", "When: ", "What: ", "Impact: 服务暂停约1小时", "What to do: 请提前完成重要操作", "WET"}
		if r.TravellerID == bo.ID {
			want = []string{"Login hardening", "时间：", "内容：", "影响：", "建议：请提前完成重要操作"}
		}
		for _, w := range want {
			if !strings.Contains(r.Text, w) {
				t.Errorf("traveller %d's notice lacks %q:\n%s", r.TravellerID, w, r.Text)
			}
		}
	}

	// The sender delivers Ana's and finds Bo has blocked the bot.
	for _, r := range rows {
		if r.TravellerID == ana.ID {
			if _, ok, err := store.ClaimOutbox(ctx, e.db, r.ID); !ok || err != nil {
				t.Fatal(ok, err)
			}
			if err := store.MarkOutboxSent(ctx, e.db, r.ID, 7); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := store.BlockRecipient(ctx, e.db, "telegram", "102", "Forbidden: bot was blocked by the user"); err != nil {
		t.Fatal(err)
	}
	var v AnnouncementView
	if code := e.do("GET", fmt.Sprintf("/api/admin/announcements/%d", id), admin, nil, &v); code != 200 || v.Delivery == nil {
		t.Fatalf("get: %d %+v", code, v)
	}
	if want := (store.Deliveries{Total: 2, Sent: 1, Blocked: 1}); *v.Delivery != want {
		t.Errorf("deliveries: got %+v, want %+v", *v.Delivery, want)
	}

	// The window starts, then the work is completed: Ana hears both, Bo (unsubscribed by
	// the block) neither, and nobody anything twice.
	if _, err := e.db.Exec(`UPDATE jobs SET run_at = now() WHERE kind = $1 AND done_at IS NULL AND payload->>'phase' = 'started'`, notices.JobNotice); err != nil {
		t.Fatal(err)
	}
	runNoticeJobs(t, e.db)
	if _, err := e.db.Exec(`UPDATE announcements SET starts_at = now() - interval '1 minute' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	if code := e.do("POST", fmt.Sprintf("/api/admin/announcements/%d/complete", id), admin, nil, nil); code != 200 {
		t.Fatalf("complete: %d", code)
	}
	runNoticeJobs(t, e.db)
	var keys []string
	for _, r := range noticeRows(t, e.db, id) {
		keys = append(keys, strings.TrimPrefix(r.Key, fmt.Sprintf("ann:%d:", id)))
		if strings.HasSuffix(r.Key, ":completed:"+fmt.Sprint(ana.ID)) && !strings.Contains(r.Text, "Completed") {
			t.Errorf("completion notice: %s", r.Text)
		}
	}
	want := []string{fmt.Sprintf("published:%d", ana.ID), fmt.Sprintf("published:%d", bo.ID), fmt.Sprintf("started:%d", ana.ID), fmt.Sprintf("completed:%d", ana.ID)}
	if strings.Join(keys, " ") != strings.Join(want, " ") {
		t.Errorf("notice rows: got %v, want %v", keys, want)
	}
	if code := e.do("GET", fmt.Sprintf("/api/admin/announcements/%d", id), admin, nil, &v); code != 200 || v.Delivery.Total != 4 || v.Delivery.Pending != 2 {
		t.Errorf("deliveries after completion: %+v", v.Delivery)
	}
}

func TestMaintenanceHoldsMessagesButNotEmergencies(t *testing.T) {
	t.Parallel()
	e, admin, _ := noticeEnv(t)
	until := time.Now().Add(time.Hour).Truncate(time.Second)
	var mv MaintenanceView
	if code := e.do("POST", "/api/admin/maintenance", admin, map[string]any{"on": true, "until": until.Format(time.RFC3339), "message": "数据库升级"}, &mv); code != 200 || !mv.On || mv.Until == nil || !mv.Until.Equal(until) {
		t.Fatalf("maintenance on: %d %+v", code, mv)
	}
	if code := e.do("POST", "/api/admin/maintenance", admin, map[string]any{"until": "soon"}, nil); code != 400 {
		t.Errorf("maintenance without on and a bad until: got %d, want 400", code)
	}

	s1 := e.session("zh")
	e.say(s1.Token, "你好，我想去福州")
	waitFor(t, 5*time.Second, "the maintenance notice", func() bool {
		return hasRole(e.history(s1.Token, "").Messages, "system", "数据库升级")
	})
	h := e.history(s1.Token, "").Messages
	loc, _ := time.LoadLocation("Asia/Shanghai")
	if !hasRole(h, "system", until.In(loc).Format("2006-01-02 15:04")) || !hasRole(h, "traveller", "你好，我想去福州") {
		t.Errorf("the notice lacks the expected end, or the message is not shown: %+v", h)
	}
	botsBefore := 0
	for _, m := range h {
		if m.Role == "bot" {
			botsBefore++
		}
	}

	// An emergency during the window still reaches the agents' queue.
	s2 := e.session("zh")
	e.say(s2.Token, "紧急！我的护照丢了")
	waitFor(t, 5*time.Second, "the emergency turn", func() bool {
		var n int
		e.db.Get(&n, `SELECT count(*) FROM emergencies WHERE conversation_id = $1`, s2.ConversationID)
		return n == 1
	})
	conv, err := store.GetConversation(context.Background(), e.db, s2.ConversationID)
	if err != nil || conv.Status != dialog.StatusWaiting {
		t.Errorf("emergency conversation: status %q %v, want waiting", conv.Status, err)
	}

	// The window ends: the sweeper answers the held message, once.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e.pipe.SweepAge = 100 * time.Millisecond
	go e.pipe.Sweep(ctx, 100*time.Millisecond)
	time.Sleep(400 * time.Millisecond)
	if n := len(e.history(s1.Token, "").Messages); n != len(h) {
		t.Fatalf("during maintenance the sweeper changed the transcript: %d messages, want %d", n, len(h))
	}
	if code := e.do("POST", "/api/admin/maintenance", admin, map[string]any{"on": false}, &mv); code != 200 || mv.On {
		t.Fatalf("maintenance off: %d %+v", code, mv)
	}
	waitFor(t, 5*time.Second, "the answer after the window", func() bool {
		n := 0
		for _, m := range e.history(s1.Token, "").Messages {
			if m.Role == "bot" {
				n++
			}
		}
		return n > botsBefore
	})
	var travellerMsgs, pending int
	e.db.Get(&travellerMsgs, `SELECT count(*) FROM messages WHERE conversation_id = $1 AND role = 'traveller'`, s1.ConversationID)
	e.db.Get(&pending, `SELECT count(*) FROM inbox WHERE conversation_id = $1 AND handled_at IS NULL`, s1.ConversationID)
	if travellerMsgs != 1 || pending != 0 {
		t.Errorf("after the window: %d traveller messages (want 1), %d pending (want 0)", travellerMsgs, pending)
	}
}

// A downtime announcement's window holds messages like the switch does, and /status
// lists the notices from the same cache.
func TestDowntimeWindowAndStatus(t *testing.T) {
	t.Parallel()
	e, admin, _ := noticeEnv(t)
	code, up := e.announce(admin, map[string]any{"type": "ui", "title": "新版聊天界面"})
	if code != 201 {
		t.Fatal(code, up)
	}
	s := e.session("zh")
	e.say(s.Token, "/status")
	waitFor(t, 5*time.Second, "/status listing the notice", func() bool {
		return hasRole(e.history(s.Token, "").Messages, "bot", "新版聊天界面")
	})

	code, fault := e.announce(admin, map[string]any{"type": "downtime", "fault": true, "title": "机房断电", "startsAt": nil, "endsAt": nil})
	if code != 201 {
		t.Fatal(code, fault)
	}
	e.say(s.Token, "帮我规划去厦门")
	waitFor(t, 5*time.Second, "the downtime notice", func() bool {
		return hasRole(e.history(s.Token, "").Messages, "system", "机房断电")
	})
	if !hasRole(e.history(s.Token, "").Messages, "system", "待定") {
		t.Errorf("the notice does not say the end is unknown: %+v", e.history(s.Token, "").Messages)
	}
	if code := e.do("POST", fmt.Sprintf("/api/admin/announcements/%d/complete", idOf(t, fault)), admin, nil, nil); code != 200 {
		t.Fatal(code)
	}
	if _, err := e.pipe.Drain(context.Background(), s.ConversationID); err != nil {
		t.Fatal(err)
	}
	var pending int
	e.db.Get(&pending, `SELECT count(*) FROM inbox WHERE conversation_id = $1 AND handled_at IS NULL`, s.ConversationID)
	if pending != 0 {
		t.Errorf("%d messages still pending after the fault was completed", pending)
	}
}

// The maintenance state as the API shows it.
func TestMaintenanceView(t *testing.T) {
	b, _ := json.Marshal(maintenanceView(notices.Downtime{Active: true, Message: notices.Text{ZH: "m", EN: "m"}}, dialog.LangZH))
	if string(b) != `{"on":true,"until":null,"message":"m"}` {
		t.Errorf("maintenance view: %s", b)
	}
}

// TestBrowserNotices opens the widget in headless Chromium: a current notice pops up once
// per visitor with the focus on its button, and the banner shows while maintenance is on.
func TestBrowserNotices(t *testing.T) {
	bin := chromium(t)
	e, admin, _ := noticeEnv(t)
	code, out := e.announce(admin, map[string]any{"type": "security", "urgent": true, "title": `<img src=x onerror="window.__xss=1">登录加固`,
		"startsAt": nil, "endsAt": ahead(time.Hour)})
	if code != 201 {
		t.Fatal(code, out)
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-background-networking", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, time.Minute)
	defer cancelTimeout()
	defer func() {
		if t.Failed() {
			if buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(80)); err == nil {
				p := t.TempDir() + "/notices.jpg"
				os.WriteFile(p, buf, 0o644)
				t.Logf("screenshot: %s", p)
			}
		}
	}()
	wait := func(what, js string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(15*time.Second), chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(e.ts.URL+"/"), chromedp.Click(chromedp.CSS(".xq-bubble"))); err != nil {
		t.Fatal(err)
	}
	wait("the pop-up with the current notice", `(p => !!p && !p.hidden && p.textContent.includes('<img src=x onerror="window.__xss=1">登录加固')
		&& p.getAttribute('role') === 'dialog' && !!document.getElementById(p.getAttribute('aria-labelledby'))
		&& p.querySelector('.xq-popup-where').textContent.includes('Telegram')
		&& document.activeElement === p.querySelector('button'))(document.querySelector('.xq-popup'))`)
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape)); err != nil {
		t.Fatal(err)
	}
	wait("Escape to close the pop-up and keep the chat open", `document.querySelector('.xq-popup').hidden && !document.querySelector('.xq-panel').hidden`)
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('img[src="x"]').length + (window.__xss ? 1 : 0)`)); n != 0 {
		t.Errorf("the notice's markup was parsed as HTML")
	}
	if b, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('.xq-banner').hidden`)); !b {
		t.Errorf("banner shown with no maintenance")
	}

	// Maintenance starts; the next opening shows the banner and not the seen notice again.
	if code := e.do("POST", "/api/admin/maintenance", admin, map[string]any{"on": true, "until": ahead(2 * time.Hour), "message": "数据库升级"}, nil); code != 200 {
		t.Fatal(code)
	}
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	wait("the maintenance banner", `(b => !b.hidden && b.textContent.includes('数据库升级') && b.getAttribute('role') === 'status')(document.querySelector('.xq-banner'))`)
	time.Sleep(300 * time.Millisecond)
	if hidden, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('.xq-popup').hidden`)); !hidden {
		t.Errorf("the pop-up showed the same notice a second time")
	}

	// A fault's latest progress joins the banner, in the widget's language (the demo page
	// says data-lang="zh"), not the browser's.
	code, fault := e.announce(admin, map[string]any{"type": "downtime", "fault": true, "title": "机房断电", "startsAt": nil, "endsAt": nil})
	if code != 201 {
		t.Fatal(code, fault)
	}
	if code := e.do("POST", fmt.Sprintf("/api/admin/announcements/%d/updates", idOf(t, fault)), admin,
		map[string]any{"body": map[string]string{"zh": "已恢复供电，正在重启", "en": "Power is back, restarting"}}, nil); code != 201 {
		t.Fatal(code)
	}
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	wait("the progress in the banner", `(b => !b.hidden && b.textContent.includes('数据库升级') && b.textContent.includes('已恢复供电，正在重启')
		&& !b.textContent.includes('Power is back'))(document.querySelector('.xq-banner'))`)
}
