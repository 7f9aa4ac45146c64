package httpapi

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"xingqu/dialog"
	"xingqu/notices"
	"xingqu/store"
)

// Every type's lead time, at its boundary, with and without shortNotice, against a fixed
// clock: what is refused, what is published, and when each notice goes out.
func TestNoticeScheduleByTypeAndLeadTime(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 6, 2, 0, 0, 0, time.UTC)
	const h = time.Hour
	type sched struct {
		phase string
		at    time.Duration // after now
		auto  bool
	}
	cases := []struct {
		name                string
		typ                 string
		urgent, fault, shrt bool
		startsIn, length    time.Duration // length 0: no end given
		refused             string        // the message's words when refused on startsAt
		short               bool          // published as shorter notice than usual
		shortDays           int
		want                []sched
	}{
		{name: "feature 7 days ahead", typ: "feature", startsIn: 7 * day, length: 2 * h,
			want: []sched{{notices.PhasePublished, 0, false}, {notices.PhaseStarted, 7 * day, false}, {notices.PhaseCompleted, 7*day + 2*h, true}}},
		{name: "feature 6 days ahead", typ: "feature", startsIn: 6 * day, length: 2 * h, refused: "7 days ahead"},
		{name: "feature 4 days ahead at short notice", typ: "feature", shrt: true, startsIn: 4 * day, length: 2 * h, short: true, shortDays: 7,
			want: []sched{{notices.PhasePublished, 0, false}, {notices.PhaseStarted, 4 * day, false}, {notices.PhaseCompleted, 4*day + 2*h, true}}},
		{name: "shortNotice on a window far enough ahead is not short", typ: "feature", shrt: true, startsIn: 9 * day, length: h,
			want: []sched{{notices.PhasePublished, 0, false}, {notices.PhaseStarted, 9 * day, false}, {notices.PhaseCompleted, 9*day + h, true}}},
		{name: "ui 7 days ahead", typ: "ui", startsIn: 7 * day, length: h,
			want: []sched{{notices.PhasePublished, 0, false}, {notices.PhaseStarted, 7 * day, false}, {notices.PhaseCompleted, 7*day + h, true}}},
		{name: "ui 6 days 23 hours ahead", typ: "ui", startsIn: 7*day - h, length: h, refused: "7 days ahead"},
		{name: "ui tomorrow at short notice", typ: "ui", shrt: true, startsIn: day, length: h, short: true, shortDays: 7,
			want: []sched{{notices.PhasePublished, 0, false}, {notices.PhaseStarted, day, false}, {notices.PhaseCompleted, day + h, true}}},
		{name: "performance 3 days ahead", typ: "performance", startsIn: 3 * day, length: 2 * h,
			want: []sched{{notices.PhasePublished, 0, false}, {notices.PhaseStarted, 3 * day, false}, {notices.PhaseCompleted, 3*day + 2*h, true}}},
		{name: "performance 2 days ahead", typ: "performance", startsIn: 2 * day, length: 2 * h, refused: "3 days ahead"},
		{name: "performance 2 days ahead at short notice", typ: "performance", shrt: true, startsIn: 2 * day, length: 2 * h, short: true, shortDays: 3,
			want: []sched{{notices.PhasePublished, 0, false}, {notices.PhaseStarted, 2 * day, false}, {notices.PhaseCompleted, 2*day + 2*h, true}}},
		{name: "security 1 day ahead", typ: "security", startsIn: day, length: h,
			want: []sched{{notices.PhasePublished, 0, false}, {notices.PhaseStarted, day, false}, {notices.PhaseCompleted, day + h, true}}},
		{name: "security in 2 hours", typ: "security", startsIn: 2 * h, length: h, refused: `"urgent": true`},
		{name: "urgent security now, announced once", typ: "security", urgent: true, length: h,
			want: []sched{{notices.PhasePublished, 0, false}, {notices.PhaseCompleted, h, true}}},
		{name: "security in 2 hours at short notice", typ: "security", shrt: true, startsIn: 2 * h, length: h, short: true, shortDays: 1,
			want: []sched{{notices.PhasePublished, 0, false}, {notices.PhaseStarted, 2 * h, false}, {notices.PhaseCompleted, 3 * h, true}}},
		{name: "maintenance 1 day ahead", typ: "maintenance", startsIn: day, length: 2 * h,
			want: []sched{{notices.PhasePublished, 0, false}, {notices.PhaseStarted, day, false}, {notices.PhaseCompleted, day + 2*h, true}}},
		{name: "maintenance in 1 hour", typ: "maintenance", startsIn: h, length: 2 * h, refused: "1 day ahead"},
		{name: "emergency maintenance in 1 hour", typ: "maintenance", urgent: true, startsIn: h, length: 2 * h,
			want: []sched{{notices.PhasePublished, 0, false}, {notices.PhaseStarted, h, false}, {notices.PhaseCompleted, 3 * h, true}}},
		{name: "planned downtime 7 days ahead", typ: "downtime", startsIn: 7 * day, length: 2 * h,
			want: []sched{{notices.PhasePublished, 0, false}, {notices.PhaseStarted, 7 * day, false}, {notices.PhaseCompleted, 7*day + 2*h, true}}},
		{name: "planned downtime 3 days ahead", typ: "downtime", startsIn: 3 * day, length: 2 * h, refused: "planned downtime is announced at least 7 days ahead"},
		{name: "planned downtime 3 days ahead at short notice", typ: "downtime", shrt: true, startsIn: 3 * day, length: 2 * h, short: true, shortDays: 7,
			want: []sched{{notices.PhasePublished, 0, false}, {notices.PhaseStarted, 3 * day, false}, {notices.PhaseCompleted, 3*day + 2*h, true}}},
		{name: "emergency downtime 1 day ahead", typ: "downtime", urgent: true, startsIn: day, length: 2 * h,
			want: []sched{{notices.PhasePublished, 0, false}, {notices.PhaseStarted, day, false}, {notices.PhaseCompleted, day + 2*h, true}}},
		{name: "emergency downtime in 2 hours", typ: "downtime", urgent: true, startsIn: 2 * h, length: 2 * h, refused: "emergency downtime"},
		{name: "fault downtime now, end unknown: no automatic completion", typ: "downtime", fault: true,
			want: []sched{{notices.PhasePublished, 0, false}}},
		{name: "fault downtime now, expected end", typ: "downtime", fault: true, length: 3 * h,
			want: []sched{{notices.PhasePublished, 0, false}, {notices.PhaseCompleted, 3 * h, true}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := AnnouncementRequest{Type: c.typ, Urgent: c.urgent, Fault: c.fault, ShortNotice: c.shrt,
				Title: notices.Text{ZH: "标题", EN: "Title"}, Body: notices.Text{ZH: "内容"}, Impact: notices.Text{ZH: "影响", EN: "Impact"}, Notes: notices.Text{ZH: "建议", EN: "Advice"}}
			if c.startsIn > 0 || !(c.urgent || c.fault) {
				req.StartsAt = now.Add(c.startsIn).Format(time.RFC3339)
			}
			if c.length > 0 {
				req.EndsAt = now.Add(c.startsIn + c.length).Format(time.RFC3339)
			}
			a, errs := req.announcement(now)
			if c.refused != "" {
				if len(errs) != 1 || errs[0].Field != "startsAt" || !strings.Contains(errs[0].Message, c.refused) || !strings.Contains(errs[0].Message, `"shortNotice": true`) {
					t.Fatalf("got %+v, want startsAt refused saying %q and how to send it anyway", errs, c.refused)
				}
				return
			}
			if len(errs) > 0 {
				t.Fatalf("refused: %+v", errs)
			}
			if a.ShortNotice != c.short {
				t.Errorf("short notice: got %v, want %v", a.ShortNotice, c.short)
			}
			var got []sched
			for _, n := range noticeSchedule(a, now) {
				at := time.Duration(0)
				if !n.RunAt.IsZero() {
					at = n.RunAt.Sub(now)
				}
				got = append(got, sched{n.Phase, at, n.Auto})
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("schedule: got %v, want %v", got, c.want)
			}
			// The notice says it comes at shorter notice, in each language, only when it does.
			zh := notices.NoticeText(dialog.LangZH, a, notices.PhasePublished, time.UTC)
			en := notices.NoticeText(dialog.LangEN, a, notices.PhasePublished, time.UTC)
			wantZH, wantEN := fmt.Sprintf("通常（提前%d天）", c.shortDays), fmt.Sprintf("shorter notice than usual (normally %d days ahead)", c.shortDays)
			if strings.Contains(zh, wantZH) != c.short || strings.Contains(en, wantEN) != c.short || strings.Contains(en, "shorter notice") != c.short {
				t.Errorf("short-notice line wrong (short=%v):\n%s\n%s", c.short, zh, en)
			}
			if !strings.Contains(zh, "标题") || !strings.Contains(en, "Title") || !strings.Contains(en, "What: 内容") || !strings.Contains(en, "What to do: Advice") {
				t.Errorf("texts not in the reader's language, or the one language given not used for both:\n%s\n%s", zh, en)
			}
			if started := notices.NoticeText(dialog.LangEN, a, notices.PhaseStarted, time.UTC); strings.Contains(started, "shorter notice") {
				t.Errorf("the start notice repeats the short-notice apology:\n%s", started)
			}
		})
	}
}

// testClock is a clock tests move by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// clockEnv is a server, its notice board and a notice worker on one hand-moved clock.
type clockEnv struct {
	*webEnv
	admin string
	clock *testClock
	start time.Time
	w     *notices.NoticeWorker
}

func newClockEnv(t *testing.T) *clockEnv {
	start := time.Now().Truncate(time.Minute)
	clock := &testClock{t: start}
	e, admin, _ := noticeEnv(t, func(c *Config) { c.Now = clock.Now })
	c := &clockEnv{webEnv: e, admin: admin, clock: clock, start: start}
	e.srv.announcements.notices().Now = c.clock.Now
	c.w = &notices.NoticeWorker{DB: e.db, Batch: 1, Now: c.clock.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	return c
}

// at moves the clock to start+d and runs every notice job due by then, in order.
func (c *clockEnv) at(d time.Duration) {
	c.t.Helper()
	now := c.start.Add(d)
	c.clock.Set(now)
	for {
		var jobs []store.Job
		if err := c.db.Select(&jobs, `SELECT id, kind, conversation_id, payload, attempts FROM jobs
WHERE kind = $1 AND done_at IS NULL AND run_at <= $2 ORDER BY run_at, id`, notices.JobNotice, now); err != nil {
			c.t.Fatal(err)
		}
		if len(jobs) == 0 {
			break
		}
		for _, j := range jobs {
			if err := c.w.Process(context.Background(), &j); err != nil {
				c.t.Fatal(err)
			}
		}
	}
	c.srv.announcements.notices().Invalidate()
}

func (c *clockEnv) create(body map[string]any) int64 {
	c.t.Helper()
	code, out := c.announce(c.admin, body)
	if code != 201 {
		c.t.Fatalf("create: %d %v", code, out)
	}
	return idOf(c.t, out)
}

// phases lists an announcement's outbox rows as phase:traveller, in the order written.
func (c *clockEnv) phases(id int64) []string {
	var out []string
	for _, r := range noticeRows(c.t, c.db, id) {
		out = append(out, strings.TrimPrefix(r.Key, fmt.Sprintf("ann:%d:", id)))
	}
	return out
}

func (c *clockEnv) view(id int64) AnnouncementView {
	c.t.Helper()
	var v AnnouncementView
	if code := c.do("GET", fmt.Sprintf("/api/admin/announcements/%d", id), c.admin, nil, &v); code != 200 {
		c.t.Fatalf("get %d: %d", id, code)
	}
	return v
}

func at(start time.Time, d time.Duration) string { return start.Add(d).UTC().Format(time.RFC3339) }

// A planned maintenance from publication to its automatic completion, with a progress
// update while it runs, every step at a time the test sets.
func TestNoticeLifecycleOnAClock(t *testing.T) {
	t.Parallel()
	c := newClockEnv(t)
	zh := subscribe(t, c.db, "201", "zh", "maintenance")
	en := subscribe(t, c.db, "202", "en", "maintenance", "feature")
	subscribe(t, c.db, "203", "zh", "feature") // another type: hears nothing of this one
	id := c.create(map[string]any{"type": "maintenance", "title": map[string]string{"zh": "数据库升级", "en": "Database upgrade"},
		"body": map[string]string{"zh": "升级数据库", "en": "Upgrading the database"}, "startsAt": at(c.start, 2*day), "endsAt": at(c.start, 2*day+2*time.Hour)})
	key := func(phase string, tr store.Traveller) string { return fmt.Sprintf("%s:%d", phase, tr.ID) }

	c.at(0)
	if got, want := c.phases(id), []string{key("published", zh), key("published", en)}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("at publication: got %v, want %v", got, want)
	}
	for _, r := range noticeRows(t, c.db, id) {
		if r.TravellerID == en.ID && !strings.Contains(r.Text, "Database upgrade") || r.TravellerID == zh.ID && !strings.Contains(r.Text, "数据库升级") {
			t.Errorf("notice not in its reader's language: %s", r.Text)
		}
	}
	// Nothing is due until the window starts; an update on work not yet running is refused.
	c.at(2*day - time.Minute)
	if n := len(c.phases(id)); n != 2 {
		t.Errorf("before the start: %d rows, want 2", n)
	}
	upd := fmt.Sprintf("/api/admin/announcements/%d/updates", id)
	if code := c.do("POST", upd, c.admin, map[string]any{"body": "进展"}, nil); code != 409 {
		t.Errorf("update before the start: got %d, want 409", code)
	}
	if code := c.do("POST", fmt.Sprintf("/api/admin/announcements/%d/complete", id), c.admin, nil, nil); code != 409 {
		t.Errorf("complete before the start: got %d, want 409", code)
	}
	c.at(2 * day)
	if got := c.phases(id); len(got) != 4 || got[2] != key("started", zh) || got[3] != key("started", en) {
		t.Fatalf("at the start: got %v", got)
	}

	// A progress update while it runs: sent to the type's subscribers in their language,
	// shown by /status and in /api/announcements.
	c.clock.Set(c.start.Add(2*day + 30*time.Minute))
	var uv UpdateView
	if code := c.do("POST", upd, c.admin, map[string]any{"body": map[string]string{"zh": "已完成一半", "en": "Half done"}}, &uv); code != 201 || uv.Translations.EN != "Half done" {
		t.Fatalf("update: %d %+v", code, uv)
	}
	if code := c.do("POST", upd, c.admin, map[string]any{"body": map[string]string{"zh": " "}}, nil); code != 400 {
		t.Errorf("empty update: got %d, want 400", code)
	}
	c.at(2*day + 30*time.Minute)
	texts := map[int64]string{}
	for _, r := range noticeRows(t, c.db, id) {
		if strings.HasPrefix(strings.TrimPrefix(r.Key, fmt.Sprintf("ann:%d:", id)), "update-") {
			texts[r.TravellerID] = r.Text
		}
	}
	if len(texts) != 2 || !strings.Contains(texts[zh.ID], "已完成一半") || !strings.Contains(texts[en.ID], "Half done") || !strings.Contains(texts[en.ID], "Progress update") {
		t.Errorf("update notices: %v", texts)
	}
	status := strings.Join(c.srv.announcements.notices().Notices(dialog.LangEN), "\n")
	if !strings.Contains(status, "Database upgrade") || !strings.Contains(status, "Half done") {
		t.Errorf("/status does not show the progress:\n%s", status)
	}
	var pub AnnouncementsResponse
	c.do("GET", "/api/announcements?lang=en", "", nil, &pub)
	if len(pub.Announcements) != 1 || pub.Announcements[0].Title != "Database upgrade" || len(pub.Announcements[0].Updates) != 1 || pub.Announcements[0].Updates[0].Body != "Half done" {
		t.Errorf("public view: %+v", pub.Announcements)
	}

	// The end passes with nobody completing it: it completes itself and says so, once.
	c.at(2*day + 2*time.Hour)
	if v := c.view(id); v.Status != store.AnnCompleted || v.Phase != "past" {
		t.Errorf("after the end: status %s phase %s, want completed and past", v.Status, v.Phase)
	}
	got := c.phases(id)
	if n := len(got); n != 8 || got[6] != key("completed", zh) || got[7] != key("completed", en) {
		t.Errorf("after the end: got %v", got)
	}
	c.at(3 * day)
	if n := len(c.phases(id)); n != 8 {
		t.Errorf("a day later: %d rows, want 8", n)
	}
	if code := c.do("POST", upd, c.admin, map[string]any{"body": "太晚了"}, nil); code != 409 {
		t.Errorf("update on completed work: got %d, want 409", code)
	}
}

// Completed by hand before its end, an announcement is not completed again at the end.
func TestNoticeCompletedEarlyIsNotCompletedAgain(t *testing.T) {
	t.Parallel()
	c := newClockEnv(t)
	tr := subscribe(t, c.db, "301", "zh", "downtime")
	id := c.create(map[string]any{"type": "downtime", "urgent": true, "startsAt": at(c.start, day), "endsAt": at(c.start, day+4*time.Hour)})
	c.at(day + time.Hour)
	if code := c.do("POST", fmt.Sprintf("/api/admin/announcements/%d/complete", id), c.admin, nil, nil); code != 200 {
		t.Fatal(code)
	}
	v := c.view(id)
	if v.EndsAt == nil || !v.EndsAt.Equal(c.start.Add(day+time.Hour)) {
		t.Errorf("completed early: ends %v, want the completion time", v.EndsAt)
	}
	c.at(day + 5*time.Hour)
	want := []string{fmt.Sprintf("published:%d", tr.ID), fmt.Sprintf("started:%d", tr.ID), fmt.Sprintf("completed:%d", tr.ID)}
	if got := c.phases(id); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// Cancelled before anything went out, nobody hears of it: neither the plan nor its
// cancellation.
func TestNoticeCancelledBeforeDelivery(t *testing.T) {
	t.Parallel()
	c := newClockEnv(t)
	subscribe(t, c.db, "401", "zh", "feature")
	id := c.create(map[string]any{"type": "feature", "startsAt": at(c.start, 8*day), "endsAt": at(c.start, 8*day+time.Hour)})
	if code := c.do("POST", fmt.Sprintf("/api/admin/announcements/%d/cancel", id), c.admin, nil, nil); code != 200 {
		t.Fatal(code)
	}
	c.at(9 * day)
	if got := c.phases(id); len(got) != 0 {
		t.Errorf("cancelled before delivery: got %v, want no notices", got)
	}
	if v := c.view(id); v.Status != store.AnnCancelled || v.Delivery.Total != 0 || v.Delivery.Withdrawn != 0 {
		t.Errorf("view: %+v %+v", v, v.Delivery)
	}
}

// Cancelled while its notices are being written and sent: the rest are not written, those
// written but not sent are taken back, and only who was told hears of the cancellation.
func TestNoticeCancelledDuringDelivery(t *testing.T) {
	t.Parallel()
	c := newClockEnv(t)
	var subs []store.Traveller
	for i := range 4 {
		subs = append(subs, subscribe(t, c.db, fmt.Sprint(501+i), "en", "performance"))
	}
	id := c.create(map[string]any{"type": "performance", "startsAt": at(c.start, 4*day), "endsAt": at(c.start, 4*day+time.Hour)})
	ctx := context.Background()
	batches := 0
	c.w.AfterBatch = func() {
		batches++
		switch batches {
		case 1: // the sender delivers the first
			rows := noticeRows(t, c.db, id)
			if _, ok, err := store.ClaimOutbox(ctx, c.db, rows[0].ID); !ok || err != nil {
				t.Fatal(ok, err)
			}
			if err := store.MarkOutboxSent(ctx, c.db, rows[0].ID, 1); err != nil {
				t.Fatal(err)
			}
		case 2: // the second is written and waiting; the admin cancels
			if code := c.do("POST", fmt.Sprintf("/api/admin/announcements/%d/cancel", id), c.admin, nil, nil); code != 200 {
				t.Errorf("cancel: %d", code)
			}
			c.w.AfterBatch = nil // the correction's batches are not counted
		}
	}
	c.at(0)
	if batches != 2 {
		t.Errorf("the worker wrote %d batches, want it to stop after the cancellation at 2", batches)
	}
	c.at(5 * day)
	want := []string{fmt.Sprintf("published:%d", subs[0].ID), fmt.Sprintf("cancelled:%d", subs[0].ID)}
	if got := c.phases(id); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for _, r := range noticeRows(t, c.db, id) {
		if strings.HasPrefix(r.Key, fmt.Sprintf("ann:%d:cancelled:", id)) && !strings.Contains(r.Text, "Cancelled") {
			t.Errorf("correction: %s", r.Text)
		}
	}
	d := c.view(id).Delivery
	if d.Sent != 1 || d.Pending != 1 || d.Withdrawn != 1 || d.Total != 2 {
		t.Errorf("deliveries: %+v, want 1 sent, 1 pending (the correction), 1 withdrawn", d)
	}
}

// Progress updates are for faults and maintenance under way only.
func TestProgressUpdatesOnlyOnWorkUnderWay(t *testing.T) {
	t.Parallel()
	c := newClockEnv(t)
	subscribe(t, c.db, "601", "en", "downtime")
	fault := c.create(map[string]any{"type": "downtime", "fault": true, "title": "支付故障", "startsAt": nil, "endsAt": nil})
	feature := c.create(map[string]any{"type": "feature", "urgent": false, "startsAt": at(c.start, -time.Minute), "endsAt": at(c.start, time.Hour), "shortNotice": true})
	upd := func(id int64) string { return fmt.Sprintf("/api/admin/announcements/%d/updates", id) }
	if code := c.do("POST", upd(feature), c.admin, map[string]any{"body": "进展"}, nil); code != 409 {
		t.Errorf("update on a feature: got %d, want 409", code)
	}
	if code := c.do("POST", upd(999999), c.admin, map[string]any{"body": "进展"}, nil); code != 404 {
		t.Errorf("update on nothing: got %d, want 404", code)
	}
	c.clock.Set(c.start.Add(10 * time.Minute))
	if code := c.do("POST", upd(fault), c.admin, map[string]any{"body": "已定位故障，正在修复"}, nil); code != 201 {
		t.Fatalf("update on the fault: %d", code)
	}
	c.clock.Set(c.start.Add(20 * time.Minute))
	if code := c.do("POST", upd(fault), c.admin, map[string]any{"body": map[string]string{"zh": "预计十分钟后恢复", "en": "Back in about ten minutes"}}, nil); code != 201 {
		t.Fatalf("second update: %d", code)
	}
	c.at(20 * time.Minute)
	v := c.view(fault)
	if len(v.Updates) != 2 || v.Updates[0].Translations.EN != "Back in about ten minutes" || v.Updates[1].Translations.EN != "已定位故障，正在修复" {
		t.Errorf("updates, newest first, one language used for both: %+v", v.Updates)
	}
	if v.Delivery.Total != 3 { // published and two updates, one subscriber
		t.Errorf("deliveries: %+v, want 3", v.Delivery)
	}
	status := strings.Join(c.srv.announcements.notices().Notices(dialog.LangEN), "\n")
	if !strings.Contains(status, "Back in about ten minutes") || strings.Contains(status, "已定位故障") {
		t.Errorf("/status shows the latest update only:\n%s", status)
	}
}
