package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"xingqu/store"
	"xingqu/store/storetest"
)

func update(id int64, chat string) store.TelegramUpdate {
	return store.TelegramUpdate{UpdateID: id, ChatID: chat, Payload: []byte(`{"update_id": 0}`)}
}

func updateIDs(us []store.TelegramUpdate) []int64 {
	out := []int64{}
	for _, u := range us {
		out = append(out, u.UpdateID)
	}
	return out
}

// StoreTelegramUpdates returns the updates not seen before in the order given, a
// repeated id once; with a lease they are left to the caller until it runs out.
func TestStoreTelegramUpdates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)

	fresh, err := store.StoreTelegramUpdates(ctx, db, []store.TelegramUpdate{update(12, "a"), update(10, "b"), update(12, "a"), update(11, "a")}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := updateIDs(fresh); len(got) != 3 || got[0] != 12 || got[1] != 10 || got[2] != 11 {
		t.Fatalf("fresh = %v, want [12 10 11]", got)
	}
	fresh, err = store.StoreTelegramUpdates(ctx, db, []store.TelegramUpdate{update(11, "a"), update(13, "b")}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if got := updateIDs(fresh); len(got) != 1 || got[0] != 13 {
		t.Fatalf("fresh on redelivery = %v, want [13]", got)
	}
	if fresh, err := store.StoreTelegramUpdates(ctx, db, nil, 0); err != nil || len(fresh) != 0 {
		t.Fatalf("empty batch: %v %v", fresh, err)
	}
	if n := count(t, db, `SELECT count(*) FROM telegram_updates`); n != 4 {
		t.Fatalf("%d updates stored, want 4", n)
	}

	// 13 is leased to the caller that stored it: not claimable until the lease ends.
	claimed := map[int64]bool{}
	for {
		u, err := store.ClaimTelegramUpdate(ctx, db, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if u == nil {
			break
		}
		claimed[u.UpdateID] = true
		if err := store.FinishTelegramUpdate(ctx, db, u.UpdateID, "message"); err != nil {
			t.Fatal(err)
		}
	}
	if len(claimed) != 3 || claimed[13] {
		t.Fatalf("claimed %v; want 10, 11, 12 and not the leased 13", claimed)
	}
	if _, err := db.ExecContext(ctx, `UPDATE telegram_updates SET leased_until = now() - interval '1 second' WHERE update_id = 13`); err != nil {
		t.Fatal(err)
	}
	if u, err := store.ClaimTelegramUpdate(ctx, db, time.Minute); err != nil || u == nil || u.UpdateID != 13 || u.ChatID != "b" || u.Attempts != 1 {
		t.Fatalf("claim after the lease ran out = %+v, %v", u, err)
	}
}

// Updates of one chat are claimed in order, the next only after the older is processed;
// other chats are not held up; a claim whose worker died is handed out again; a failed or
// released update waits for the time given.
func TestClaimTelegramUpdateOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	if _, err := store.StoreTelegramUpdates(ctx, db, []store.TelegramUpdate{update(1, "a"), update(2, "a"), update(3, "b")}, 0); err != nil {
		t.Fatal(err)
	}
	claim := func() *store.TelegramUpdate {
		t.Helper()
		u, err := store.ClaimTelegramUpdate(ctx, db, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	if u := claim(); u == nil || u.UpdateID != 1 || u.Attempts != 1 || string(u.Payload) != `{"update_id": 0}` {
		t.Fatalf("first claim = %+v", u)
	}
	// 2 waits behind 1 (leased, not processed); 3 is another chat's.
	if u := claim(); u == nil || u.UpdateID != 3 {
		t.Fatalf("second claim = %+v, want 3", u)
	}
	if u := claim(); u != nil {
		t.Fatalf("third claim = %+v, want none while 1 is in progress", u)
	}

	// The worker of 1 died: its lease runs out and 1 is claimed again, still before 2.
	if _, err := db.ExecContext(ctx, `UPDATE telegram_updates SET leased_until = now() - interval '1 second' WHERE update_id = 1`); err != nil {
		t.Fatal(err)
	}
	if u := claim(); u == nil || u.UpdateID != 1 || u.Attempts != 2 {
		t.Fatalf("claim after the lease = %+v, want 1, attempt 2", u)
	}
	if err := store.FinishTelegramUpdate(ctx, db, 1, "ignored: \x00bad \xff"); err != nil {
		t.Fatalf("finish with an outcome holding NUL and broken UTF-8: %v", err)
	}
	var outcome string
	db.GetContext(ctx, &outcome, `SELECT outcome FROM telegram_updates WHERE update_id = 1`)
	if outcome != "ignored: bad \uFFFD" {
		t.Errorf("outcome = %q", outcome)
	}

	u := claim()
	if u == nil || u.UpdateID != 2 {
		t.Fatalf("claim after 1 was processed = %+v, want 2", u)
	}
	// Its processing failed: counted, and not claimable until the time given.
	if n, err := store.FailedTelegramUpdate(ctx, db, 2, time.Hour); err != nil || n != 2 {
		t.Fatalf("failed: %d, %v; want 2 attempts", n, err)
	}
	if u := claim(); u != nil {
		t.Fatalf("claim right after a failure = %+v", u)
	}
	if err := store.ReleaseTelegramUpdate(ctx, db, 2, 0); err != nil {
		t.Fatal(err)
	}
	if u := claim(); u == nil || u.UpdateID != 2 || u.Attempts != 3 {
		t.Fatalf("claim after release = %+v, want 2, attempt 3", u)
	}
	if err := store.ReleaseTelegramUpdate(ctx, db, 2, time.Hour); err != nil {
		t.Fatal(err)
	}
	if u := claim(); u != nil {
		t.Fatalf("claim of an update released for an hour = %+v", u)
	}

	// A processed update is never claimed again, nor finished again in order.
	store.FinishTelegramUpdate(ctx, db, 3, "message")
	if _, err := db.ExecContext(ctx, `UPDATE telegram_updates SET leased_until = NULL`); err != nil {
		t.Fatal(err)
	}
	if u := claim(); u == nil || u.UpdateID != 2 {
		t.Fatalf("claim = %+v, want 2 only", u)
	}
	if err := store.FinishNextTelegramUpdate(ctx, db, 3, "b", "again"); !errors.Is(err, store.ErrUpdateDone) {
		t.Errorf("finishing a processed update: %v, want ErrUpdateDone", err)
	}
}

// The polling offset starts at 0 and never goes back.
func TestTelegramOffset(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	if v, err := store.TelegramOffset(ctx, db); v != 0 || err != nil {
		t.Fatalf("initial offset = %d, %v", v, err)
	}
	for _, tc := range []struct{ set, want int64 }{{100, 100}, {150, 150}, {120, 150}, {151, 151}} {
		if err := store.SetTelegramOffset(ctx, db, tc.set); err != nil {
			t.Fatal(err)
		}
		if v, err := store.TelegramOffset(ctx, db); v != tc.want || err != nil {
			t.Errorf("after setting %d: offset %d, %v; want %d", tc.set, v, err, tc.want)
		}
	}
	// Storing a poll's updates moves the offset with them, also never back.
	if _, err := store.StorePolledUpdates(ctx, db, []store.TelegramUpdate{update(200, "a")}, 0, 201); err != nil {
		t.Fatal(err)
	}
	if _, err := store.StorePolledUpdates(ctx, db, nil, 0, 180); err != nil {
		t.Fatal(err)
	}
	if v, _ := store.TelegramOffset(ctx, db); v != 201 {
		t.Errorf("offset after a poll = %d, want 201", v)
	}
}

// A long button action is stored and read back by its id; an unknown id is not found.
func TestCallbackAction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	long := "choose:option-with-a-very-long-identifier-that-does-not-fit-in-64-bytes-of-callback-data"
	id1, err := store.SaveCallbackAction(ctx, db, long)
	if err != nil {
		t.Fatal(err)
	}
	id2, err := store.SaveCallbackAction(ctx, db, long)
	if err != nil || id2 == id1 {
		t.Fatalf("second save: id %d (first %d), %v", id2, id1, err)
	}
	if a, err := store.CallbackAction(ctx, db, id1); a != long || err != nil {
		t.Errorf("action = %q, %v", a, err)
	}
	if _, err := store.CallbackAction(ctx, db, id2+100); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown id: %v, want ErrNotFound", err)
	}
}
