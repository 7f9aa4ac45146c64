package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"xingqu/dialog"
	"xingqu/store"
	"xingqu/store/storetest"
)

func receive(t *testing.T, db *store.DB, conv int64, inbound string) int64 {
	t.Helper()
	id, dup, err := store.Receive(context.Background(), db, conv, inbound, map[string]string{"text": inbound})
	if err != nil || dup {
		t.Fatalf("receive %s: dup %v, %v", inbound, dup, err)
	}
	return id
}

func inTx(t *testing.T, db *store.DB, fn func(tx *sqlx.Tx) error) {
	t.Helper()
	if err := db.InTx(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// A conversation's messages are handed out one at a time in arrival order until handled;
// a held message stays pending; the conversations with work are listed oldest first,
// and those whose work has waited too long for the sweeper.
func TestInboxQueue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	a := conversationFor(t, db, "ana")
	b := conversationFor(t, db, "bo")
	idle := conversationFor(t, db, "cy")
	a1 := receive(t, db, a, "a1")
	b1 := receive(t, db, b, "b1")
	a2 := receive(t, db, a, "a2")

	pendingConvs := func(limit int) []int64 {
		t.Helper()
		ids, err := store.PendingConversations(ctx, db, limit)
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	next := func(conv int64) (store.InboxItem, bool) {
		t.Helper()
		it, ok, err := store.NextInbox(ctx, db, conv)
		if err != nil {
			t.Fatal(err)
		}
		return it, ok
	}
	if got := pendingConvs(10); !reflect.DeepEqual(got, []int64{a, b}) {
		t.Fatalf("pending conversations = %v, want %v", got, []int64{a, b})
	}
	if got := pendingConvs(1); !reflect.DeepEqual(got, []int64{a}) {
		t.Fatalf("pending conversations, limit 1 = %v", got)
	}
	if _, ok := next(idle); ok {
		t.Fatal("a conversation without messages has a next one")
	}
	it, ok := next(a)
	if !ok || it.ID != a1 || it.InboundID != "a1" || it.ConversationID != a || it.HeldAt.Valid || string(it.Payload) != `{"text": "a1"}` {
		t.Fatalf("next = %+v, %v; want a1", it, ok)
	}
	its, err := store.PendingInbox(ctx, db, a, 10)
	if err != nil || len(its) != 2 || its[0].ID != a1 || its[1].ID != a2 {
		t.Fatalf("pending inbox = %+v, %v", its, err)
	}
	if its, _ := store.PendingInbox(ctx, db, a, 1); len(its) != 1 || its[0].ID != a1 {
		t.Fatalf("pending inbox, limit 1 = %+v", its)
	}

	// Held for a maintenance notice: still next, now with the time it was held, which a
	// second hold does not move.
	inTx(t, db, func(tx *sqlx.Tx) error { return store.HoldInbox(ctx, tx, a1) })
	held, _ := next(a)
	if held.ID != a1 || !held.HeldAt.Valid {
		t.Fatalf("after hold: next = %+v", held)
	}
	if _, err := db.ExecContext(ctx, `UPDATE inbox SET held_at = held_at - interval '1 hour' WHERE id = $1`, a1); err != nil {
		t.Fatal(err)
	}
	inTx(t, db, func(tx *sqlx.Tx) error { return store.HoldInbox(ctx, tx, a1) })
	if again, _ := next(a); !again.HeldAt.Time.Equal(held.HeldAt.Time.Add(-time.Hour)) {
		t.Errorf("a second hold moved held_at from %v to %v", held.HeldAt.Time.Add(-time.Hour), again.HeldAt.Time)
	}

	for want := 1; want <= 2; want++ {
		if n, err := store.FailedTurn(ctx, db, a1); err != nil || n != want {
			t.Fatalf("failed turn %d: %d, %v", want, n, err)
		}
	}
	if n := count(t, db, `SELECT attempts FROM inbox WHERE id = $1`, a2); n != 0 {
		t.Errorf("FailedTurn counted on another message: %d", n)
	}

	inTx(t, db, func(tx *sqlx.Tx) error { return store.MarkHandled(ctx, tx, a1) })
	if it, _ := next(a); it.ID != a2 {
		t.Fatalf("after a1 handled: next = %+v, want a2", it)
	}
	// Handling rolled back leaves the message pending.
	db.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := store.MarkHandled(ctx, tx, a2); err != nil {
			t.Fatal(err)
		}
		return context.Canceled
	})
	if it, _ := next(a); it.ID != a2 {
		t.Fatalf("after a rolled-back turn: next = %+v, want a2", it)
	}
	inTx(t, db, func(tx *sqlx.Tx) error { return store.MarkHandled(ctx, tx, a2) })
	if _, ok := next(a); ok {
		t.Fatal("all handled, yet a next message")
	}
	if got := pendingConvs(10); !reflect.DeepEqual(got, []int64{b}) {
		t.Fatalf("pending conversations after a's turns = %v, want [%d]", got, b)
	}

	// Only unhandled messages older than the age given are stale.
	if _, err := db.ExecContext(ctx, `UPDATE inbox SET received_at = now() - interval '10 minutes' WHERE id IN ($1, $2)`, a1, b1); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		age  time.Duration
		want []int64
	}{{5 * time.Minute, []int64{b}}, {time.Hour, nil}} {
		got, err := store.StalePending(ctx, db, tc.age, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(tc.want) || (len(got) > 0 && !reflect.DeepEqual(got, tc.want)) {
			t.Errorf("stale after %v = %v, want %v", tc.age, got, tc.want)
		}
	}
}

// A message's reading is claimed by one caller, claimed again only after the claim went
// stale and never once it is made; it is read back as saved, nil included.
func TestReadings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	conv := conversationFor(t, db, "ana")
	m1 := receive(t, db, conv, "m1")
	m2 := receive(t, db, conv, "m2")

	type claim struct{ claimed, done bool }
	claimOf := func(id int64) (claim, *dialog.Extraction) {
		t.Helper()
		c, d, ex, err := store.ClaimReading(ctx, db, id, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return claim{c, d}, ex
	}
	if done, ex, err := store.Reading(ctx, db, m1); done || ex != nil || err != nil {
		t.Fatalf("reading before any claim: %v %v %v", done, ex, err)
	}
	if c, ex := claimOf(m1); c != (claim{true, false}) || ex != nil {
		t.Fatalf("first claim = %+v %v", c, ex)
	}
	if c, _ := claimOf(m1); c != (claim{false, false}) {
		t.Fatalf("claim while another holds it = %+v", c)
	}
	if done, _, _ := store.Reading(ctx, db, m1); done {
		t.Fatal("reading done before it was saved")
	}
	if _, err := db.ExecContext(ctx, `UPDATE inbox_readings SET claimed_at = now() - interval '2 minutes' WHERE inbox_id = $1`, m1); err != nil {
		t.Fatal(err)
	}
	if c, _ := claimOf(m1); c != (claim{true, false}) {
		t.Fatalf("claim after the first went stale = %+v", c)
	}

	want := &dialog.Extraction{Destination: "Lisbon", Days: 3, Exclude: []string{"museums"}}
	if err := store.SaveReading(ctx, db, m1, want); err != nil {
		t.Fatal(err)
	}
	done, ex, err := store.Reading(ctx, db, m1)
	if err != nil || !done || !reflect.DeepEqual(ex, want) {
		t.Fatalf("reading = %v %+v %v; want %+v", done, ex, err, want)
	}
	if _, err := db.ExecContext(ctx, `UPDATE inbox_readings SET claimed_at = now() - interval '2 minutes' WHERE inbox_id = $1`, m1); err != nil {
		t.Fatal(err)
	}
	if c, ex := claimOf(m1); c != (claim{false, true}) || !reflect.DeepEqual(ex, want) {
		t.Fatalf("claim of a made reading = %+v %+v", c, ex)
	}

	// The model had nothing: done, with no reading.
	claimOf(m2)
	if err := store.SaveReading(ctx, db, m2, nil); err != nil {
		t.Fatal(err)
	}
	if done, ex, err := store.Reading(ctx, db, m2); !done || ex != nil || err != nil {
		t.Fatalf("nil reading = %v %+v %v", done, ex, err)
	}
	if c, ex := claimOf(m2); c != (claim{false, true}) || ex != nil {
		t.Fatalf("claim of a nil reading = %+v %+v", c, ex)
	}
}
