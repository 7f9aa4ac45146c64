package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"xingqu/store"
	"xingqu/store/storetest"
)

// Work that should give way to a turn in progress stops waiting for the conversation's
// lock after the time given, with an error IsLockTimeout recognises.
func TestLockTimeout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	conv := conversationFor(t, db, "ana")

	turn, err := db.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer turn.Rollback()
	if _, _, err := store.LockConversation(ctx, turn, conv); err != nil {
		t.Fatal(err)
	}

	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := store.LockTimeout(ctx, tx, 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, _, err = store.LockConversation(ctx, tx, conv)
	if !store.IsLockTimeout(err) {
		t.Fatalf("lock held by a turn: %v, want a lock timeout", err)
	}
	if waited := time.Since(start); waited > 5*time.Second {
		t.Errorf("waited %v for a 50ms timeout", waited)
	}
	if store.IsLockTimeout(errors.New("lock timeout")) || store.IsLockTimeout(nil) {
		t.Error("IsLockTimeout recognises an error that is not PostgreSQL's")
	}
}
