package store_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"xingqu/store"
	"xingqu/store/storetest"
)

func TestFeedbackSummary(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	conv := conversationFor(t, db, "fa")
	admin := agentAccount(t, db, "boss")
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	day := func(d, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, shanghai) }
	add := func(at time.Time, f store.NewFeedback) int64 {
		f.ConversationID = conv
		id, err := store.RecordFeedback(ctx, db, f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `UPDATE feedback SET created_at = $2 WHERE id = $1`, id, at); err != nil {
			t.Fatal(err)
		}
		return id
	}
	// Nov 1: 5 and 4 (satisfied), Nov 2: nothing, Nov 3: 1 with a complaint (high) and 3,
	// plus a comment without a rating; Nov 3 at 01:00 Shanghai is still Nov 2 in UTC.
	add(day(1, 10), store.NewFeedback{Rating: 5, Comment: "great plan", Category: "praise", Priority: "low"})
	add(day(1, 23), store.NewFeedback{Rating: 4, Comment: "add hotels?", Category: "suggestion", Priority: "low"})
	high := add(day(3, 1), store.NewFeedback{Rating: 1, Comment: "too slow", Opening: "this bot is useless", Category: "complaint", Priority: "high"})
	add(day(3, 12), store.NewFeedback{Rating: 3, Category: "suggestion", Priority: "low"})
	add(day(3, 13), store.NewFeedback{Comment: "how do I change dates?", Category: "question", Priority: "normal"})
	handled := add(day(3, 14), store.NewFeedback{Rating: 2, Comment: "wrong dates", Category: "bug", Priority: "high"})
	add(day(9, 12), store.NewFeedback{Rating: 5, Category: "praise", Priority: "low"}) // outside the period
	oldHigh := add(day(9, 12).AddDate(0, -2, 0), store.NewFeedback{Rating: 1, Comment: "lost my plan", Category: "bug", Priority: "high"})

	if _, err := store.HandleFeedback(ctx, db, handled, admin, "Fixed, sorry!"); err != nil {
		t.Fatal(err)
	}
	if _, err := store.HandleFeedback(ctx, db, handled, admin, "again"); !errors.Is(err, store.ErrFeedbackHandled) {
		t.Errorf("handling twice: %v", err)
	}
	if _, err := store.HandleFeedback(ctx, db, 999999, admin, "x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("handling a missing item: %v", err)
	}

	r, err := store.FeedbackSummary(ctx, db, store.FeedbackQuery{From: day(1, 0), To: day(4, 0), TimeZone: "Asia/Shanghai"})
	if err != nil {
		t.Fatal(err)
	}
	if r.From != "2026-11-01" || r.To != "2026-11-04" || r.Total != 6 || r.Rated != 5 {
		t.Fatalf("period %s..%s total %d rated %d", r.From, r.To, r.Total, r.Rated)
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	if !near(r.CSAT, 15.0/5) || !near(r.SatisfiedShare, 2.0/5) {
		t.Errorf("csat %v satisfied %v, want 3 and 0.4", r.CSAT, r.SatisfiedShare)
	}
	wantRatings := map[string]int{"1": 1, "2": 1, "3": 1, "4": 1, "5": 1}
	for k, v := range wantRatings {
		if r.Ratings[k] != v {
			t.Errorf("ratings = %v", r.Ratings)
			break
		}
	}
	if r.Categories["suggestion"] != 2 || r.Categories["complaint"] != 1 || r.Categories["bug"] != 1 || r.Priorities["high"] != 2 || r.Priorities["low"] != 3 {
		t.Errorf("categories %v priorities %v", r.Categories, r.Priorities)
	}
	want := []store.FeedbackDay{
		{Day: "2026-11-01", Ratings: 2, CSAT: 4.5, SatisfiedShare: 1},
		{Day: "2026-11-02", Ratings: 0},
		{Day: "2026-11-03", Ratings: 3, CSAT: 2, SatisfiedShare: 0},
	}
	if len(r.Daily) != len(want) {
		t.Fatalf("daily = %+v", r.Daily)
	}
	for i, d := range want {
		g := r.Daily[i]
		if g.Day != d.Day || g.Ratings != d.Ratings || !near(g.CSAT, d.CSAT) || !near(g.SatisfiedShare, d.SatisfiedShare) {
			t.Errorf("day %d = %+v, want %+v", i, g, d)
		}
	}
	// Open high-priority items come whenever they were given, oldest first; handled ones drop out.
	if len(r.OpenHigh) != 2 || r.OpenHigh[0].ID != oldHigh || r.OpenHigh[1].ID != high {
		t.Fatalf("open high = %+v", r.OpenHigh)
	}
	if it := r.OpenHigh[1]; it.Opening != "this bot is useless" || it.Comment != "too slow" || *it.Rating != 1 || it.Status != store.FeedbackOpen {
		t.Errorf("open high item = %+v", it)
	}
	if len(r.Items) != 6 || r.Items[0].ID != handled || r.Items[0].Reply != "Fixed, sorry!" || r.Items[0].HandledAt == nil {
		t.Fatalf("items = %+v", r.Items)
	}
	if r.Items[1].Rating != nil {
		t.Errorf("an item without a rating has rating %v", *r.Items[1].Rating)
	}

	empty, err := store.FeedbackSummary(ctx, db, store.FeedbackQuery{From: day(20, 0), To: day(22, 0), TimeZone: "Asia/Shanghai"})
	if err != nil || empty.Total != 0 || len(empty.Daily) != 2 || empty.Items == nil || len(empty.OpenHigh) != 2 {
		t.Errorf("empty period: %+v %v", empty, err)
	}
	if _, err := store.FeedbackSummary(ctx, db, store.FeedbackQuery{From: day(1, 0), To: day(2, 0), TimeZone: "Mars/Olympus"}); err == nil {
		t.Error("unknown time zone accepted")
	}
}
