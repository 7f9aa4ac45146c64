package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"xingqu/dialog"
	"xingqu/store"
	"xingqu/store/storetest"
)

func plan(source string, start dialog.Date, days int) dialog.Plan {
	end := start.AddDays(days - 1)
	return dialog.Plan{Source: source, Trip: dialog.TripRequest{Destination: "Lisbon", StartDate: &start, EndDate: &end},
		Options: []dialog.Option{
			{Tier: dialog.TierEconomical, Title: "经济", Currency: "EUR"},
			{Tier: dialog.TierLuxury, Title: "豪华", Currency: "EUR"},
		}}
}

func addPlan(t *testing.T, db *store.DB, conv int64, p dialog.Plan) int {
	t.Helper()
	var v int
	inTx(t, db, func(tx *sqlx.Tx) error {
		var err error
		v, err = store.AddPlan(context.Background(), tx, conv, p)
		return err
	})
	return v
}

func choose(t *testing.T, db *store.DB, conv int64, tier dialog.Tier) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), `UPDATE conversations SET data = jsonb_set(COALESCE(data, '{}'), '{chosen}', to_jsonb($2::text)) WHERE id = $1`, conv, string(tier)); err != nil {
		t.Fatal(err)
	}
}

// A conversation's plan versions are numbered 1, 2, … per conversation and read back as
// stored, in order or by number; the chosen option reads "" until one is chosen.
func TestPlanVersions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	a := conversationFor(t, db, "ana")
	b := conversationFor(t, db, "bo")
	start := dialog.NewDate(2030, time.May, 1)

	for i, want := range []struct {
		conv    int64
		source  string
		version int
	}{{a, "openai", 1}, {a, "offline", 2}, {b, "openai", 1}, {a, "openai", 3}} {
		if v := addPlan(t, db, want.conv, plan(want.source, start, 3)); v != want.version {
			t.Fatalf("plan %d: version %d, want %d", i, v, want.version)
		}
	}
	ps, err := store.Plans(ctx, db, a)
	if err != nil || len(ps) != 3 {
		t.Fatalf("plans = %d, %v", len(ps), err)
	}
	for i, p := range ps {
		if p.Version != i+1 || p.Trip.Destination != "Lisbon" || len(p.Options) != 2 || *p.Trip.StartDate != start {
			t.Errorf("plan %d = %+v", i, p)
		}
	}
	if ps[1].Source != "offline" {
		t.Errorf("plan 2 source = %q", ps[1].Source)
	}
	if ps, err := store.Plans(ctx, db, a+b+100); err != nil || len(ps) != 0 {
		t.Errorf("plans of a conversation without any = %v, %v", ps, err)
	}

	p, err := store.PlanAt(ctx, db, a, 2)
	if err != nil || p.Version != 2 || p.Source != "offline" {
		t.Errorf("PlanAt(2) = %+v, %v", p, err)
	}
	if _, err := store.PlanAt(ctx, db, a, 4); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PlanAt(4) = %v, want ErrNotFound", err)
	}
	if p, err := store.PlanAt(ctx, db, b, 1); err != nil || p.Version != 1 {
		t.Errorf("b's PlanAt(1) = %+v, %v", p, err)
	}

	if c, err := store.ChosenOption(ctx, db, a); c != "" || err != nil {
		t.Errorf("chosen before a choice = %q, %v", c, err)
	}
	choose(t, db, a, dialog.TierLuxury)
	if c, err := store.ChosenOption(ctx, db, a); c != dialog.TierLuxury || err != nil {
		t.Errorf("chosen = %q, %v", c, err)
	}
	if _, err := store.ChosenOption(ctx, db, a+b+100); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("chosen of a missing conversation: %v", err)
	}
}

// Plans saved at the same moment for one conversation, each with the conversation
// locked as AddPlan requires, get distinct consecutive versions.
func TestAddPlanLocked(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	conv := conversationFor(t, db, "ana")
	var wg sync.WaitGroup
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := db.InTx(ctx, func(tx *sqlx.Tx) error {
				if _, _, err := store.LockConversation(ctx, tx, conv); err != nil {
					return err
				}
				_, err := store.AddPlan(ctx, tx, conv, plan("openai", dialog.NewDate(2030, 1, 1), 2))
				return err
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := count(t, db, `SELECT count(DISTINCT version) FROM plans WHERE conversation_id = $1 AND version BETWEEN 1 AND 5`, conv); n != 5 {
		t.Errorf("%d distinct versions 1..5, want 5", n)
	}
}

// A recommendation is stored with its request and owner and found by its id, never by a
// conversation's plan; its edits take the next versions, and the newest is its latest.
func TestRecommendations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	start := dialog.NewDate(2030, time.June, 10)
	req := map[string]any{"destination": "Lisbon", "days": 3}
	if err := store.AddRecommendation(ctx, db, "req-1", "partner", req, plan("openai", start, 3)); err != nil {
		t.Fatal(err)
	}
	r, err := store.GetRecommendation(ctx, db, "req-1")
	if err != nil || r.RequestID != "req-1" || r.Owner != "partner" || r.CreatedAt.IsZero() {
		t.Fatalf("get = %+v, %v", r, err)
	}
	var gotReq map[string]any
	var gotPlan dialog.Plan
	if err := json.Unmarshal(r.Request, &gotReq); err != nil || gotReq["destination"] != "Lisbon" {
		t.Errorf("request = %s, %v", r.Request, err)
	}
	if err := json.Unmarshal(r.Plan, &gotPlan); err != nil || gotPlan.Source != "openai" || len(gotPlan.Options) != 2 {
		t.Errorf("plan = %s, %v", r.Plan, err)
	}
	if _, err := store.GetRecommendation(ctx, db, "req-2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing recommendation: %v", err)
	}
	// A conversation's plan carrying a request id is not a recommendation.
	conv := conversationFor(t, db, "ana")
	if _, err := db.ExecContext(ctx, `INSERT INTO plans (conversation_id, version, request_id, plan) VALUES ($1, 1, 'req-conv', '{}')`, conv); err != nil {
		t.Fatal(err)
	}
	if _, err := store.GetRecommendation(ctx, db, "req-conv"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a conversation's plan found as a recommendation: %v", err)
	}

	latest, err := store.LatestRecommendationPlan(ctx, db, "req-1")
	if err != nil || latest.Version != 1 || latest.Source != "openai" {
		t.Fatalf("latest before edits = %+v, %v", latest, err)
	}
	for want := 2; want <= 3; want++ {
		var v int
		inTx(t, db, func(tx *sqlx.Tx) error {
			var err error
			v, err = store.AddRecommendationEdit(ctx, tx, "req-1", plan("edit", start.AddDays(want), 3))
			return err
		})
		if v != want {
			t.Fatalf("edit: version %d, want %d", v, want)
		}
	}
	latest, err = store.LatestRecommendationPlan(ctx, db, "req-1")
	if err != nil || latest.Version != 3 || latest.Source != "edit" || *latest.Trip.StartDate != start.AddDays(3) {
		t.Errorf("latest after two edits = %+v, %v", latest, err)
	}
	// The original is unchanged; the edits keep its owner and request.
	if r2, _ := store.GetRecommendation(ctx, db, "req-1"); string(r2.Plan) != string(r.Plan) {
		t.Errorf("the recommendation's plan changed with its edits")
	}
	if n := count(t, db, `SELECT count(*) FROM plans WHERE edit_of = 'req-1' AND owner = 'partner' AND request->>'destination' = 'Lisbon'`); n != 2 {
		t.Errorf("%d edits carry the owner and request, want 2", n)
	}
	err = db.InTx(ctx, func(tx *sqlx.Tx) error {
		_, err := store.AddRecommendationEdit(ctx, tx, "req-2", plan("edit", start, 3))
		return err
	})
	if err == nil {
		t.Error("an edit of a missing recommendation was stored")
	}
	if _, err := store.LatestRecommendationPlan(ctx, db, "req-2"); err == nil {
		t.Error("latest plan of a missing recommendation: no error")
	}
}

// PlanOfVersion finds the plan of a version as shown in the conversation's transcript,
// the newest card of that version.
func TestPlanOfVersion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	conv := conversationFor(t, db, "ana")
	other := conversationFor(t, db, "bo")
	for _, s := range []struct {
		conv int64
		body string
	}{
		{conv, `{"kind": "plan", "plan": {"version": 1, "source": "first"}}`},
		{conv, `{"kind": "plan", "plan": {"version": 2, "source": "second"}}`},
		{conv, `{"kind": "plan", "plan": {"version": 1, "source": "first, shown again"}}`},
		{other, `{"kind": "plan", "plan": {"version": 3, "source": "other"}}`},
	} {
		if _, err := db.ExecContext(ctx, `INSERT INTO messages (conversation_id, role, text, body) VALUES ($1, 'bot', '', $2::jsonb)`, s.conv, s.body); err != nil {
			t.Fatal(err)
		}
	}
	source := func(b json.RawMessage) string {
		var p struct{ Source string }
		json.Unmarshal(b, &p)
		return p.Source
	}
	if b, err := store.PlanOfVersion(ctx, db, conv, 1); err != nil || source(b) != "first, shown again" {
		t.Errorf("version 1 = %s, %v", b, err)
	}
	if b, err := store.PlanOfVersion(ctx, db, conv, 2); err != nil || source(b) != "second" {
		t.Errorf("version 2 = %s, %v", b, err)
	}
	if _, err := store.PlanOfVersion(ctx, db, conv, 3); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another conversation's version: %v, want ErrNotFound", err)
	}
}

// PlanTrips returns the latest plan of each conversation whose traveller wants weather
// warnings, with the chosen option, when its trip starts within the days ahead or is
// under way.
func TestPlanTrips(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	today := dialog.NewDate(2030, time.March, 10)
	soon := conversationFor(t, db, "soon")       // starts in 3 days, luxury chosen
	ongoing := conversationFor(t, db, "ongoing") // under way
	later := conversationFor(t, db, "later")     // starts in 20 days
	over := conversationFor(t, db, "over")       // ended
	optOut := conversationFor(t, db, "optout")   // does not want warnings
	moved := conversationFor(t, db, "moved")     // an old version was soon, the latest is later

	addPlan(t, db, soon, plan("p", today.AddDays(3), 4))
	choose(t, db, soon, dialog.TierLuxury)
	addPlan(t, db, ongoing, plan("p", today.AddDays(-1), 4))
	addPlan(t, db, later, plan("p", today.AddDays(20), 4))
	addPlan(t, db, over, plan("p", today.AddDays(-10), 3))
	addPlan(t, db, optOut, plan("p", today.AddDays(1), 3))
	if _, err := db.ExecContext(ctx, `UPDATE travellers SET weather_alerts = false WHERE id = (SELECT traveller_id FROM conversations WHERE id = $1)`, optOut); err != nil {
		t.Fatal(err)
	}
	addPlan(t, db, moved, plan("p", today.AddDays(2), 3))
	addPlan(t, db, moved, plan("p", today.AddDays(30), 3))

	ws, err := store.PlanTrips(ctx, db, today, dialog.AlertWindowDays)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]store.WatchedTrip{}
	for _, w := range ws {
		got[w.ConversationID] = w
	}
	if len(got) != 2 {
		t.Fatalf("watched %d trips (%+v), want soon and ongoing", len(got), ws)
	}
	s, ok := got[soon]
	if !ok || s.Version != 1 || s.Chosen == nil || s.Chosen.Tier != dialog.TierLuxury || s.Start() != today.AddDays(3) || s.Lang != "en" {
		t.Errorf("soon = %+v", s)
	}
	if o, ok := got[ongoing]; !ok || o.Chosen != nil || o.End() != today.AddDays(2) {
		t.Errorf("ongoing = %+v", o)
	}
}
