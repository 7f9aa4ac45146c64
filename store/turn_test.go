package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jmoiron/sqlx"

	"xingqu/dialog"
	"xingqu/store"
	"xingqu/store/storetest"
)

// AddMessages appends lines in the order given; Messages pages through a transcript
// oldest first after an id, one conversation only.
func TestTranscript(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	conv := conversationFor(t, db, "ana")
	other := conversationFor(t, db, "bo")
	if err := store.AddMessages(ctx, db, conv, []store.NewMessage{
		{Role: "traveller", Text: "去里斯本"},
		{Role: "bot", Text: "好的", Body: store.MessageBody{Kind: "plan", Action: "x"}},
		{Role: "bot", Text: "还有什么?"},
	}); err != nil {
		t.Fatal(err)
	}
	if err := store.AddMessages(ctx, db, conv, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := store.AddMessage(ctx, db, other, "traveller", "hello", store.MessageBody{}); err != nil {
		t.Fatal(err)
	}
	ms, err := store.Messages(ctx, db, conv, 0, 10)
	if err != nil || len(ms) != 3 {
		t.Fatalf("messages = %+v, %v", ms, err)
	}
	for i, want := range []string{"去里斯本", "好的", "还有什么?"} {
		if ms[i].Text != want || ms[i].ConversationID != conv {
			t.Errorf("message %d = %+v, want %q", i, ms[i], want)
		}
	}
	if ms[0].Role != "traveller" || string(ms[1].Body) != `{"kind": "plan", "action": "x"}` || string(ms[2].Body) != `{}` {
		t.Errorf("roles and bodies: %s %s %s", ms[0].Role, ms[1].Body, ms[2].Body)
	}
	page, err := store.Messages(ctx, db, conv, ms[0].ID, 1)
	if err != nil || len(page) != 1 || page[0].ID != ms[1].ID {
		t.Errorf("page after the first, limit 1 = %+v, %v", page, err)
	}
	if rest, _ := store.Messages(ctx, db, conv, ms[2].ID, 10); len(rest) != 0 {
		t.Errorf("after the last = %+v", rest)
	}
}

// FinishTurn writes the lines, the conversation and the handled message together, and
// says whether another message waits; without a conversation it leaves the row alone.
func TestFinishTurn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	conv := conversationFor(t, db, "ana")
	m1 := receive(t, db, conv, "m1")
	receive(t, db, conv, "m2")

	finish := func(e store.TurnEnd) bool {
		t.Helper()
		var more bool
		inTx(t, db, func(tx *sqlx.Tx) error {
			c, _, err := store.LockConversation(ctx, tx, conv)
			if err != nil {
				return err
			}
			if e.Conversation != nil {
				c.State, c.Status, c.Priority = e.Conversation.State, e.Conversation.Status, e.Conversation.Priority
				c.Trip.Destination = e.Conversation.Trip.Destination
				e.Conversation = &c
			}
			more, err = store.FinishTurn(ctx, tx, e)
			return err
		})
		return more
	}
	more := finish(store.TurnEnd{ConversationID: conv, Handled: m1,
		Messages:     []store.NewMessage{{Role: "traveller", Text: "m1"}, {Role: "bot", Text: "reply 1"}},
		Conversation: &dialog.Conversation{State: "asking_dates", Status: dialog.StatusWaiting, Priority: 2, Trip: dialog.TripRequest{Destination: "Lisbon"}}})
	if !more {
		t.Error("m2 waits, yet more = false")
	}
	c, err := store.GetConversation(ctx, db, conv)
	if err != nil || c.State != "asking_dates" || c.Status != dialog.StatusWaiting || c.Priority != 2 || c.Trip.Destination != "Lisbon" ||
		c.Channel != "web" || c.ExternalID != "ext-ana" {
		t.Fatalf("conversation = %+v, %v", c, err)
	}
	if n := count(t, db, `SELECT count(*) FROM conversations WHERE id = $1 AND waiting_since IS NOT NULL`, conv); n != 1 {
		t.Error("a waiting conversation has no waiting time")
	}
	it, ok, _ := store.NextInbox(ctx, db, conv)
	if !ok || it.InboundID != "m2" {
		t.Errorf("next after the turn = %+v", it)
	}

	// An event's turn: no message handled, the conversation left as it is.
	more = finish(store.TurnEnd{ConversationID: conv, Messages: []store.NewMessage{{Role: "system", Text: "weather changed"}}})
	if !more {
		t.Error("m2 still waits, yet more = false")
	}
	if c2, _ := store.GetConversation(ctx, db, conv); c2.State != "asking_dates" || c2.Trip.Destination != "Lisbon" {
		t.Errorf("conversation changed by a turn that did not save it: %+v", c2)
	}
	m2, _, _ := store.NextInbox(ctx, db, conv)
	if more := finish(store.TurnEnd{ConversationID: conv, Handled: m2.ID, Messages: []store.NewMessage{{Role: "bot", Text: "reply 2"}}}); more {
		t.Error("nothing waits, yet more = true")
	}
	ms, _ := store.Messages(ctx, db, conv, 0, 10)
	var texts []string
	for _, m := range ms {
		texts = append(texts, m.Text)
	}
	if len(texts) != 4 || texts[0] != "m1" || texts[1] != "reply 1" || texts[2] != "weather changed" || texts[3] != "reply 2" {
		t.Errorf("transcript = %q", texts)
	}
	if _, err := store.GetConversation(ctx, db, conv+100); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing conversation: %v", err)
	}
}

// updates returns a table's updates so far and how many of them were heap-only, as the
// statistics have them once this session's are flushed: the caller's pool must hold one
// connection, the one the statements it counts ran on.
func updates(t *testing.T, db *store.DB, table string) (upd, hot int64) {
	t.Helper()
	db.MustExec(`SELECT pg_stat_force_next_flush()`)
	db.MustExec(`SELECT 1`) // the flush comes with this statement's end
	var s struct {
		Upd int64 `db:"n_tup_upd"`
		Hot int64 `db:"n_tup_hot_upd"`
	}
	if err := db.Get(&s, `SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = $1`, table); err != nil {
		t.Fatal(err)
	}
	return s.Upd, s.Hot
}

// A turn's save of its conversation is a heap-only update when nothing the indexes hold
// changed (updated_at moves once a minute): no new index entries for each turn. The
// queue's order still sees a conversation touched after a minute.
func TestTurnsRewriteConversationsHeapOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	db.SetMaxOpenConns(1) // one session, whose statistics are flushed below
	conv := conversationFor(t, db, "hot")
	var c dialog.Conversation
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		c, _, err = store.LockConversation(ctx, tx, conv)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	stats := func() (upd, hot int64) { return updates(t, db, "conversations") }
	upd0, hot0 := stats()
	const turns = 40
	for i := 0; i < turns; i++ {
		c.Memo.PlanRequest = i // something changes each turn, as the dialog's state does
		err := db.InTx(ctx, func(tx *sqlx.Tx) error {
			_, err := store.FinishTurn(ctx, tx, store.TurnEnd{ConversationID: conv, Conversation: &c,
				Messages: []store.NewMessage{{Role: "traveller", Text: "hi"}, {Role: "bot", Text: "hello"}}})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	upd, hot := stats()
	upd, hot = upd-upd0, hot-hot0
	if upd != turns || hot < turns*9/10 {
		t.Errorf("%d turns: %d updates of the conversation, %d of them heap-only; want %d, nearly all heap-only", turns, upd, hot, turns)
	}

	// A minute later the next save moves updated_at again.
	db.MustExec(`UPDATE conversations SET updated_at = now() - interval '2 minutes' WHERE id = $1`, conv)
	err = db.InTx(ctx, func(tx *sqlx.Tx) error {
		_, err := store.FinishTurn(ctx, tx, store.TurnEnd{ConversationID: conv, Conversation: &c})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var age float64
	db.Get(&age, `SELECT EXTRACT(EPOCH FROM now() - updated_at) FROM conversations WHERE id = $1`, conv)
	if age > 5 {
		t.Errorf("updated_at %.0f s old after a save a minute on; want it moved", age)
	}
}
