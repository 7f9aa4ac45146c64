package store_test

import (
	"context"
	"testing"

	"xingqu/store"
	"xingqu/store/storetest"

	"github.com/jmoiron/sqlx"
)

func TestDatabaseFigures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	if lo, hi, err := store.ConversationIDRange(ctx, db); err != nil || lo != 0 || hi != 0 {
		t.Errorf("no conversations: %d..%d %v", lo, hi, err)
	}
	a := conversationFor(t, db, "fig-a")
	b := conversationFor(t, db, "fig-b")
	if lo, hi, err := store.ConversationIDRange(ctx, db); err != nil || lo != a || hi != b {
		t.Errorf("two conversations: %d..%d %v, want %d..%d", lo, hi, err, a, b)
	}
	st, err := store.GetInboxStats(ctx, db)
	if err != nil || st.Received != 0 || st.Pending != 0 || st.Oldest != 0 {
		t.Errorf("empty inbox: %+v %v", st, err)
	}
	if err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		_, _, err := store.ReceiveInbound(ctx, tx, store.NewInbound{Channel: "web", ExternalID: "fig-c", InboundID: "1", Payload: map[string]string{"text": "hi"}})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if st, err = store.GetInboxStats(ctx, db); err != nil || st.Received != 1 || st.Pending != 1 || st.Oldest < 0 {
		t.Errorf("one message waiting: %+v %v", st, err)
	}
	before, err := store.GetActivity(ctx, db)
	if err != nil || before.Commits <= 0 || before.NextXID <= 0 {
		t.Fatalf("activity: %+v %v", before, err)
	}
	// Commits are counted by the statistics collector, which reports them late; the next
	// transaction id moves at once.
	conversationFor(t, db, "fig-d")
	after, err := store.GetActivity(ctx, db)
	if err != nil || after.Commits < before.Commits || after.NextXID <= before.NextXID {
		t.Errorf("activity after writing: %+v, before %+v, %v", after, before, err)
	}
}
