package telegram

import (
	"context"
	"testing"
	"time"

	"xingqu/store"
	"xingqu/store/storetest"
)

// An outbox id is taken when the row is written, not when it commits. A chat's row that
// commits after the sender has read a newer row of another chat still goes out before
// that chat's later rows.
func TestOutboxRowCommittedLateKeepsChatOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	fake := newFakeAPI(t)
	fake.chatGap = 0

	// A turn for chat 501 writes its reply but has not committed yet.
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := store.EnqueueOutbox(ctx, tx, store.NewOutbox{ChatID: "501", Method: "sendMessage",
		Params: map[string]string{"chat_id": "501", "text": "first"}}); err != nil {
		t.Fatal(err)
	}
	// Meanwhile another chat's newer row commits and is sent.
	enqueue(t, db, "502", "other chat")
	runSender(t, db, fake, Sender{Rate: 100})
	waitFor(t, "the other chat's message", 10*time.Second, func() bool { return len(fake.sent("sendMessage", "502")) == 1 })
	// The first turn commits, and the chat's next turn writes its reply.
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	enqueue(t, db, "501", "second")
	waitDelivered(t, db, 10*time.Second)

	var got []string
	for _, r := range fake.sent("sendMessage", "501") {
		got = append(got, r.Params.Get("text"))
	}
	if len(got) != 2 || got[0] != "first" || got[1] != "second" {
		t.Errorf("chat 501 got %q, want [first second]", got)
	}
}
