package store_test

import (
	"context"
	"testing"
	"time"

	"xingqu/store"
	"xingqu/store/storetest"
)

// An instance of the previous version writes a reply while a new one applies 00095 (a
// rolling upgrade): the row must be queued, whether it commits before the migration copies
// the queue or after its triggers exist. The migration locks the outbox first.
func TestOutboxQueueMigrationMissesNoRow(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	if err := store.MigrateDownTo(ctx, db, 91); err != nil {
		t.Fatal(err)
	}
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := tx.GetContext(ctx, &id, `INSERT INTO outbox (chat_id, method, state) VALUES ('43', 'sendMessage', 'pending') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := store.MigrateUp(ctx, db); done <- err }()
	// Wait until the migration waits for the old instance's transaction.
	for i := 0; ; i++ {
		var n int
		if err := db.GetContext(ctx, &n, `SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			break
		}
		if i > 200 {
			t.Fatal("the migration never waited")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var queued bool
	if err := db.GetContext(ctx, &queued, `SELECT EXISTS (SELECT 1 FROM outbox_queue WHERE id = $1)`, id); err != nil {
		t.Fatal(err)
	}
	due, err := store.DueOutbox(ctx, db, "telegram", 0, nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("pending row %d: queued %v, %d rows due", id, queued, len(due))
	if !queued || len(due) == 0 {
		t.Errorf("a pending outbox row committed during the migration is not in the queue: it will never be sent")
	}
}
