package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"xingqu/store"
	"xingqu/store/storetest"
)

// traveller makes a traveller with one conversation holding messages, a case, feedback,
// an outbox row and a widget session, last seen idle ago.
func traveller(t *testing.T, db *store.DB, channel, ext string, idle time.Duration) int64 {
	t.Helper()
	ctx := context.Background()
	tr, err := store.EnsureTraveller(ctx, db, channel, ext, "name", "en", "")
	if err != nil {
		t.Fatal(err)
	}
	conv, err := store.CurrentConversation(ctx, db, tr.ID, "en")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []struct {
		q    string
		args []any
	}{
		{`INSERT INTO messages (conversation_id, role, text) SELECT $1, 'traveller', 'my passport number is X' FROM generate_series(1, 3)`, []any{conv}},
		{`INSERT INTO emergencies (conversation_id, text) VALUES ($1, 'lost passport')`, []any{conv}},
		{`INSERT INTO feedback (conversation_id, rating, comment) VALUES ($1, 4, 'good')`, []any{conv}},
		{`INSERT INTO outbox (channel, traveller_id, conversation_id, chat_id, method, state) VALUES ('telegram', $1, $2, 'c', 'sendMessage', 'sent')`, []any{tr.ID, conv}},
		{`INSERT INTO widget_sessions (id, token_hash, traveller_id, conversation_id, expires_at) VALUES (gen_random_uuid(), sha256($1::bytea), $2, $3, now() + interval '1 day')`, []any{ext, tr.ID, conv}},
		{`UPDATE travellers SET last_seen_at = now() - $2 * interval '1 second', created_at = '2025-03-10' WHERE id = $1`, []any{tr.ID, int64(idle.Seconds())}},
	} {
		if _, err := db.ExecContext(ctx, s.q, s.args...); err != nil {
			t.Fatalf("%v\n%s", err, s.q)
		}
	}
	return tr.ID
}

func count(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.GetContext(context.Background(), &n, q, args...); err != nil {
		t.Fatal(err)
	}
	return n
}

// leftOf counts the rows anywhere that still hold a traveller's data.
func leftOf(t *testing.T, db *store.DB, id int64) int {
	return count(t, db, `SELECT (SELECT count(*) FROM travellers WHERE id = $1)
     + (SELECT count(*) FROM conversations WHERE traveller_id = $1)
     + (SELECT count(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.traveller_id = $1)
     + (SELECT count(*) FROM outbox WHERE traveller_id = $1)
     + (SELECT count(*) FROM widget_sessions WHERE traveller_id = $1)`, id)
}

func TestRetireInactiveTravellers(t *testing.T) {
	db := storetest.New(t)
	ctx := context.Background()
	old := traveller(t, db, "web", "old", 400*24*time.Hour)
	recent := traveller(t, db, "web", "recent", 10*24*time.Hour)
	emergencies, feedback := count(t, db, `SELECT count(*) FROM emergencies`), count(t, db, `SELECT count(*) FROM feedback`)
	r, err := store.RetireAllInactive(ctx, db, 365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if r.Travellers != 1 || r.Conversations != 1 || r.Messages != 3 {
		t.Errorf("retired %+v, want 1 traveller, 1 conversation, 3 messages", r)
	}
	if n := leftOf(t, db, old); n != 0 {
		t.Errorf("%d rows of the inactive traveller left", n)
	}
	if n := leftOf(t, db, recent); n != 7 {
		t.Errorf("%d rows of the active traveller left, want all 7", n)
	}
	if e, f := count(t, db, `SELECT count(*) FROM emergencies`), count(t, db, `SELECT count(*) FROM feedback`); e != emergencies-1 || f != feedback-1 {
		t.Errorf("cases %d, feedback %d after: want one each fewer than %d, %d", e, f, emergencies, feedback)
	}
	var totals struct {
		Travellers, Conversations, Messages, Emergencies, Feedback, Ratings, RatingSum int
	}
	if err := db.QueryRowxContext(ctx, `SELECT travellers, conversations, messages, emergencies, feedback, ratings, rating_sum
FROM retired_totals WHERE month = '2025-03-01' AND channel = 'web'`).Scan(&totals.Travellers, &totals.Conversations, &totals.Messages,
		&totals.Emergencies, &totals.Feedback, &totals.Ratings, &totals.RatingSum); err != nil {
		t.Fatal(err)
	}
	if totals.Travellers != 1 || totals.Conversations != 1 || totals.Messages != 3 || totals.Emergencies != 1 || totals.Feedback != 1 || totals.Ratings != 1 || totals.RatingSum != 4 {
		t.Errorf("aggregate counts kept: %+v", totals)
	}
	// Writing again keeps a traveller.
	if _, err := store.EnsureTraveller(ctx, db, "web", "recent", "", "", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := store.RetireAllInactive(ctx, db, 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	if n := leftOf(t, db, recent); n != 7 {
		t.Errorf("a traveller who just wrote was retired: %d rows left", n)
	}
}

func TestForgetTraveller(t *testing.T) {
	db := storetest.New(t)
	ctx := context.Background()
	id := traveller(t, db, "telegram", "4242", time.Hour)
	other := traveller(t, db, "telegram", "4343", time.Hour)
	for _, s := range []string{
		`INSERT INTO telegram_updates (update_id, chat_id, payload) VALUES (1, '4242', '{"text":"my passport"}'), (2, '4343', '{}')`,
		`INSERT INTO outbox (channel, chat_id, method, state) VALUES ('telegram', '4242', 'sendMessage', 'sent')`,
	} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := store.ForgetTraveller(ctx, db, "telegram", "4242"); err != nil {
		t.Fatal(err)
	}
	if n := leftOf(t, db, id) + count(t, db, `SELECT count(*) FROM telegram_updates WHERE chat_id = '4242'`) +
		count(t, db, `SELECT count(*) FROM outbox WHERE chat_id = '4242'`); n != 0 {
		t.Errorf("%d rows of the forgotten traveller left", n)
	}
	if n := leftOf(t, db, other); n != 7 {
		t.Errorf("another traveller lost data: %d rows left, want 7", n)
	}
	if _, err := store.ForgetTraveller(ctx, db, "telegram", "4242"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("forgetting twice: %v, want ErrNotFound", err)
	}
}
