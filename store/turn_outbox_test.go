package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"xingqu/store"
	"xingqu/store/storetest"
)

// A turn's closing statement queues the turn's plain sends after every row the turn
// queued before it, in the order given, and only if the turn commits; a row that is not a
// plain send is refused rather than queued without what makes it special.
func TestFinishTurnQueuesOutbox(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	tr, err := store.EnsureTraveller(ctx, db, "telegram", "701", "", "zh", "")
	if err != nil {
		t.Fatal(err)
	}
	conv, err := store.CurrentConversation(ctx, db, tr.ID, "zh")
	if err != nil {
		t.Fatal(err)
	}
	send := func(text string) store.NewOutbox {
		return store.NewOutbox{TravellerID: tr.ID, ConversationID: conv, ChatID: "701", Method: "sendMessage",
			Params: map[string]string{"chat_id": "701", "text": text}}
	}
	texts := func() []string {
		t.Helper()
		var ts []string
		if err := db.SelectContext(ctx, &ts, `SELECT params->>'text' FROM outbox WHERE conversation_id = $1 ORDER BY id`, conv); err != nil {
			t.Fatal(err)
		}
		return ts
	}

	err = db.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := store.EnqueueOutbox(ctx, tx, send("before")); err != nil {
			return err
		}
		_, err := store.FinishTurn(ctx, tx, store.TurnEnd{ConversationID: conv,
			Messages: []store.NewMessage{{Role: "bot", Text: "first"}},
			Outbox:   []store.NewOutbox{send("first"), send("second")}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := texts(); len(got) != 3 || got[0] != "before" || got[1] != "first" || got[2] != "second" {
		t.Fatalf("outbox %q, want before, first, second", got)
	}
	var state, channel string
	var traveller, conversation int64
	if err := db.QueryRowxContext(ctx, `SELECT state, channel, traveller_id, conversation_id FROM outbox WHERE params->>'text' = 'second'`).
		Scan(&state, &channel, &traveller, &conversation); err != nil {
		t.Fatal(err)
	}
	if state != store.OutboxPending || channel != "telegram" || traveller != tr.ID || conversation != conv {
		t.Fatalf("row %s %s traveller %d conversation %d, want pending telegram %d %d", state, channel, traveller, conversation, tr.ID, conv)
	}

	// Rolled back with the turn.
	err = db.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := store.FinishTurn(ctx, tx, store.TurnEnd{ConversationID: conv, Outbox: []store.NewOutbox{send("lost")}}); err != nil {
			t.Fatal(err)
		}
		return context.Canceled
	})
	if err != context.Canceled {
		t.Fatalf("turn ended with %v, want it rolled back", err)
	}
	if got := texts(); len(got) != 3 {
		t.Fatalf("outbox %q after a rolled-back turn, want the 3 rows before", got)
	}

	for _, r := range []store.NewOutbox{
		{ChatID: "701", Method: "sendMessage", DedupeKey: "k"},
		{ChatID: "701", Method: "deleteMessage", EditOf: 1},
		{ChatID: "701", Method: "sendMessage", NotBefore: time.Now().Add(time.Second)},
	} {
		err := db.InTx(ctx, func(tx *sqlx.Tx) error {
			_, err := store.FinishTurn(ctx, tx, store.TurnEnd{ConversationID: conv, Outbox: []store.NewOutbox{r}})
			return err
		})
		if err == nil {
			t.Errorf("%+v queued by the turn's end; want it refused", r)
		}
	}
}
