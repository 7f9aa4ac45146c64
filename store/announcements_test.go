package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"xingqu/store"
	"xingqu/store/storetest"
)

func announce(t *testing.T, db *store.DB, typ string, starts time.Time, ends *time.Time) store.Announcement {
	t.Helper()
	a := store.Announcement{Type: typ, Title: "标题 " + typ, Body: "正文", TitleEN: "Title " + typ, StartsAt: starts, CreatedBy: "ada"}
	if ends != nil {
		a.EndsAt = sql.NullTime{Time: *ends, Valid: true}
	}
	out, err := store.CreateAnnouncement(context.Background(), db, a)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func annIDs(as []store.Announcement) []int64 {
	out := []int64{}
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}

// An announcement is published when made; lists show the open ones soonest first, the
// finished ones (not cancelled) newest first, and all of them in pages by id; closing
// is once only, completing ends the window then, cancelling takes back its unsent
// notices and no one else's.
func TestAnnouncementLifeCycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	now := time.Now().Truncate(time.Microsecond)
	hourLater, dayAgo := now.Add(time.Hour), now.Add(-24*time.Hour)

	maint := announce(t, db, store.AnnMaintenance, now.Add(-time.Hour), &hourLater)
	past := announce(t, db, store.AnnFeature, now.Add(-48*time.Hour), &dayAgo)
	down := announce(t, db, store.AnnDowntime, now.Add(time.Hour), nil)
	feat := announce(t, db, store.AnnFeature, now.Add(-30*time.Minute), nil)

	got, err := store.GetAnnouncement(ctx, db, maint.ID)
	if err != nil || got.Status != store.AnnPublished || got.Title != "标题 maintenance" || got.TitleEN != "Title maintenance" ||
		!got.StartsAt.Equal(now.Add(-time.Hour)) || !got.EndsAt.Time.Equal(hourLater) || got.ClosedAt.Valid || !got.Current(now) {
		t.Fatalf("get = %+v, %v", got, err)
	}
	if _, err := store.GetAnnouncement(ctx, db, feat.ID+100); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing announcement: %v", err)
	}

	open, err := store.OpenAnnouncements(ctx, db, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{maint.ID, feat.ID, down.ID}; !reflect.DeepEqual(annIDs(open), want) {
		t.Errorf("open = %v, want %v (soonest first, the finished one left out)", annIDs(open), want)
	}

	// Notices of feat: one unsent, one sent; one unsent of another announcement.
	unsent := enqueue(t, db, store.NewOutbox{ChatID: "1", DedupeKey: store.AnnouncementDedupeKey(feat.ID, "start", 1)})
	sent := enqueue(t, db, store.NewOutbox{ChatID: "2", DedupeKey: store.AnnouncementDedupeKey(feat.ID, "start", 2)})
	store.ClaimOutbox(ctx, db, sent)
	store.MarkOutboxSent(ctx, db, sent, 1)
	others := enqueue(t, db, store.NewOutbox{ChatID: "1", DedupeKey: store.AnnouncementDedupeKey(maint.ID, "start", 1)})
	bystander := enqueue(t, db, store.NewOutbox{ChatID: "1", DedupeKey: fmt.Sprintf("x:ann:%d:start:1", feat.ID)})

	c, err := store.CloseAnnouncement(ctx, db, feat.ID, store.AnnCancelled, now)
	if err != nil || c.Status != store.AnnCancelled || !c.ClosedAt.Time.Equal(now) || c.Withdrawn != 1 || c.EndsAt.Valid {
		t.Fatalf("cancel = %+v, %v", c, err)
	}
	if n := count(t, db, `SELECT count(*) FROM outbox WHERE id = $1`, unsent); n != 0 {
		t.Error("the cancelled announcement's unsent notice is still queued")
	}
	if n := count(t, db, `SELECT count(*) FROM outbox WHERE id IN ($1, $2, $3)`, sent, others, bystander); n != 3 {
		t.Error("cancelling took back a sent notice or another announcement's")
	}
	if _, err := store.CloseAnnouncement(ctx, db, feat.ID, store.AnnCompleted, now); !errors.Is(err, store.ErrClosed) {
		t.Errorf("closing twice: %v, want ErrClosed", err)
	}
	if _, err := store.CloseAnnouncement(ctx, db, feat.ID+100, store.AnnCompleted, now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("closing a missing announcement: %v, want ErrNotFound", err)
	}

	// Completed early: the window ends now, and nothing of its outbox is touched.
	c, err = store.CloseAnnouncement(ctx, db, maint.ID, store.AnnCompleted, now)
	if err != nil || c.Status != store.AnnCompleted || !c.EndsAt.Time.Equal(now) || c.Withdrawn != 0 || c.Current(now.Add(time.Second)) {
		t.Fatalf("complete = %+v, %v", c, err)
	}
	if n := count(t, db, `SELECT count(*) FROM outbox WHERE id = $1`, others); n != 1 {
		t.Error("completing took back a notice")
	}
	if open, _ := store.OpenAnnouncements(ctx, db, now); !reflect.DeepEqual(annIDs(open), []int64{down.ID}) {
		t.Errorf("open after closing two = %v, want [%d]", annIDs(open), down.ID)
	}

	for _, tc := range []struct {
		types []string
		limit int
		want  []int64
	}{
		{[]string{store.AnnFeature, store.AnnMaintenance, store.AnnDowntime}, 10, []int64{maint.ID, past.ID}},
		{[]string{store.AnnFeature}, 10, []int64{past.ID}},
		{[]string{store.AnnFeature, store.AnnMaintenance}, 1, []int64{maint.ID}},
		{[]string{store.AnnSecurity}, 10, []int64{}},
	} {
		as, err := store.PastAnnouncements(ctx, db, tc.types, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(annIDs(as), tc.want) {
			t.Errorf("past %v limit %d = %v, want %v", tc.types, tc.limit, annIDs(as), tc.want)
		}
	}

	for _, tc := range []struct {
		status string
		before int64
		limit  int
		want   []int64
	}{
		{"", 0, 10, []int64{feat.ID, down.ID, past.ID, maint.ID}},
		{"", 0, 2, []int64{feat.ID, down.ID}},
		{"", down.ID, 10, []int64{past.ID, maint.ID}},
		{store.AnnPublished, 0, 10, []int64{down.ID, past.ID}},
		{store.AnnCancelled, 0, 10, []int64{feat.ID}},
		{store.AnnCompleted, maint.ID, 10, []int64{}},
	} {
		as, err := store.ListAnnouncements(ctx, db, tc.status, tc.before, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(annIDs(as), tc.want) {
			t.Errorf("list status %q before %d limit %d = %v, want %v", tc.status, tc.before, tc.limit, annIDs(as), tc.want)
		}
	}

	err = db.InTx(ctx, func(tx *sqlx.Tx) error {
		for id, want := range map[int64]string{down.ID: store.AnnPublished, feat.ID: store.AnnCancelled} {
			if s, err := store.LockPublished(ctx, tx, id); err != nil || s != want {
				t.Errorf("LockPublished(%d) = %q, %v; want %q", id, s, err, want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A cancellation waits for a notice worker's transaction holding LockPublished, and
// then takes back the notices that transaction wrote.
func TestCloseAnnouncementWaitsForWorker(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	a := announce(t, db, store.AnnMaintenance, time.Now().Add(time.Hour), nil)

	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if s, err := store.LockPublished(ctx, tx, a.ID); err != nil || s != store.AnnPublished {
		t.Fatalf("lock: %q %v", s, err)
	}
	done := make(chan store.Announcement, 1)
	go func() {
		var c store.Announcement
		err := db.InTx(ctx, func(tx *sqlx.Tx) error {
			var err error
			c, err = store.CloseAnnouncement(ctx, tx, a.ID, store.AnnCancelled, time.Now())
			return err
		})
		if err != nil {
			t.Error(err)
		}
		done <- c
	}()
	time.Sleep(100 * time.Millisecond)
	if _, err := store.EnqueueOutbox(ctx, tx, store.NewOutbox{ChatID: "1", Method: "sendMessage", Params: map[string]string{"text": "notice"},
		DedupeKey: store.AnnouncementDedupeKey(a.ID, "start", 1)}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
		t.Fatal("the cancellation did not wait for the worker's transaction")
	default:
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	c := <-done
	if c.Status != store.AnnCancelled || c.Withdrawn != 1 {
		t.Errorf("cancelled = %+v; want the worker's notice withdrawn", c)
	}
	if n := count(t, db, `SELECT count(*) FROM outbox`); n != 0 {
		t.Errorf("%d notices left after the cancellation", n)
	}
}

// Progress updates are stored as given and listed newest first for the announcements
// asked for.
func TestAnnouncementUpdates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	a := announce(t, db, store.AnnDowntime, time.Now(), nil)
	b := announce(t, db, store.AnnDowntime, time.Now(), nil)
	c := announce(t, db, store.AnnDowntime, time.Now(), nil)
	at := time.Now().Truncate(time.Microsecond)
	add := func(ann int64, body string) store.Update {
		t.Helper()
		u, err := store.AddUpdate(ctx, db, store.Update{AnnouncementID: ann, Body: body, BodyEN: body + " (en)", CreatedBy: "ada", CreatedAt: at})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	u1, u2, u3 := add(a.ID, "一"), add(b.ID, "二"), add(a.ID, "三")
	add(c.ID, "四")
	got, err := store.GetUpdate(ctx, db, u2.ID)
	if err != nil || got.Body != "二" || got.BodyEN != "二 (en)" || got.AnnouncementID != b.ID || got.CreatedBy != "ada" || !got.CreatedAt.Equal(at) {
		t.Fatalf("get = %+v, %v", got, err)
	}
	if _, err := store.GetUpdate(ctx, db, u3.ID+100); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing update: %v", err)
	}
	us, err := store.Updates(ctx, db, []int64{a.ID, b.ID})
	if err != nil || len(us) != 3 || us[0].ID != u3.ID || us[1].ID != u2.ID || us[2].ID != u1.ID {
		t.Errorf("updates = %+v, %v; want u3, u2, u1", us, err)
	}
	if us, err := store.Updates(ctx, db, nil); us != nil || err != nil {
		t.Errorf("updates of none = %v, %v", us, err)
	}
}

// The maintenance switch starts off, and reads back as it was turned; HeldMessages
// counts the messages held during it and not yet answered.
func TestMaintenance(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	m, err := store.GetMaintenance(ctx, db)
	if err != nil || m.On {
		t.Fatalf("initial = %+v, %v", m, err)
	}
	until := time.Now().Add(time.Hour).Truncate(time.Microsecond)
	set, err := store.SetMaintenance(ctx, db, store.Maintenance{On: true, Until: sql.NullTime{Time: until, Valid: true}, Message: "维护中", MessageEN: "Down for maintenance", UpdatedBy: "ada"})
	if err != nil || !set.On || set.Message != "维护中" || set.MessageEN != "Down for maintenance" || set.UpdatedBy != "ada" {
		t.Fatalf("set = %+v, %v", set, err)
	}
	m, err = store.GetMaintenance(ctx, db)
	if err != nil || !m.On || !m.Until.Time.Equal(until) || m.Message != "维护中" || m.MessageEN != "Down for maintenance" {
		t.Fatalf("read back = %+v, %v", m, err)
	}
	if m, _ := store.SetMaintenance(ctx, db, store.Maintenance{UpdatedBy: "mei"}); m.On || m.Until.Valid || m.Message != "" || m.UpdatedBy != "mei" {
		t.Errorf("turned off = %+v", m)
	}

	conv := conversationFor(t, db, "ana")
	h1, h2 := receive(t, db, conv, "h1"), receive(t, db, conv, "h2")
	receive(t, db, conv, "not held")
	inTx(t, db, func(tx *sqlx.Tx) error {
		if err := store.HoldInbox(ctx, tx, h1); err != nil {
			return err
		}
		return store.HoldInbox(ctx, tx, h2)
	})
	if n, err := store.HeldMessages(ctx, db); n != 2 || err != nil {
		t.Errorf("held = %d, %v; want 2", n, err)
	}
	inTx(t, db, func(tx *sqlx.Tx) error { return store.MarkHandled(ctx, tx, h1) })
	if n, _ := store.HeldMessages(ctx, db); n != 1 {
		t.Errorf("held after one was answered = %d, want 1", n)
	}
}

// Subscribers are the reachable Telegram travellers subscribed to the type, in pages by
// id; with a phase, only those who were sent it (and not those whose notice failed).
func TestSubscribers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	mk := func(channel, ext string, types string, reachable bool) int64 {
		t.Helper()
		tr, err := store.EnsureTraveller(ctx, db, channel, ext, ext, "zh", "Asia/Shanghai")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO subscriptions (traveller_id, types) VALUES ($1, $2::text[])`, tr.ID, types); err != nil {
			t.Fatal(err)
		}
		if err := store.SetReachable(ctx, db, channel, ext, reachable); err != nil {
			t.Fatal(err)
		}
		return tr.ID
	}
	all := "{feature,performance,security,ui,maintenance,downtime}"
	t1 := mk("telegram", "11", all, true)
	mk("telegram", "12", "{feature}", true)
	mk("telegram", "13", all, false)
	mk("web", "14", all, true)
	t5 := mk("telegram", "15", all, true)
	ann := announce(t, db, store.AnnMaintenance, time.Now(), nil)

	subs := func(phase string, after int64, limit int) []int64 {
		t.Helper()
		ss, err := store.Subscribers(ctx, db, store.AnnMaintenance, ann.ID, phase, after, limit)
		if err != nil {
			t.Fatal(err)
		}
		out := []int64{}
		for _, s := range ss {
			out = append(out, s.TravellerID)
		}
		return out
	}
	ss, err := store.Subscribers(ctx, db, store.AnnMaintenance, ann.ID, "", 0, 10)
	if err != nil || len(ss) != 2 || ss[0] != (store.Subscriber{TravellerID: t1, ChatID: "11", Lang: "zh", TimeZone: "Asia/Shanghai"}) || ss[1].TravellerID != t5 {
		t.Fatalf("subscribers = %+v, %v; want %d and %d", ss, err, t1, t5)
	}
	if got := subs("", t1, 10); !reflect.DeepEqual(got, []int64{t5}) {
		t.Errorf("after %d = %v", t1, got)
	}
	if got := subs("", 0, 1); !reflect.DeepEqual(got, []int64{t1}) {
		t.Errorf("limit 1 = %v", got)
	}

	failed := enqueue(t, db, store.NewOutbox{ChatID: "11", DedupeKey: store.AnnouncementDedupeKey(ann.ID, "start", t1)})
	store.ClaimOutbox(ctx, db, failed)
	store.FailOutbox(ctx, db, failed, store.OutboxFailed, "400")
	enqueue(t, db, store.NewOutbox{ChatID: "15", DedupeKey: store.AnnouncementDedupeKey(ann.ID, "start", t5)})
	if got := subs("start", 0, 10); !reflect.DeepEqual(got, []int64{t5}) {
		t.Errorf("sent the start phase = %v, want [%d]", got, t5)
	}
	if got := subs("end", 0, 10); len(got) != 0 {
		t.Errorf("sent the end phase = %v, want none", got)
	}
}
