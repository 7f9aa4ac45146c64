package store_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"xingqu/store"
	"xingqu/store/storetest"
)

// FinishTurn tells the lines it wrote, as the database has them, and the conversation's
// last line before them, earlier lines of its own transaction included; its notification
// names its last line, and one that writes none names none.
func TestFinishTurnTellsItsLines(t *testing.T) {
	t.Parallel()
	url := storetest.URL(t)
	ctx := context.Background()
	db, err := store.Open(ctx, url, store.PoolConfig{MaxOpen: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	l := store.NewListener(url, slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer l.Close()
	heard := make(chan string, 4)
	l.Subscribe(store.ConversationChannel, func(s string) { heard <- s })
	l.Start()
	<-l.Ready()
	conv := conversationFor(t, db, "ana")
	other := conversationFor(t, db, "bo")
	first, err := store.AddMessage(ctx, db, conv, "bot", "hello", store.MessageBody{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.AddMessage(ctx, db, other, "bot", "another conversation's", store.MessageBody{}); err != nil {
		t.Fatal(err)
	}

	finish := func(early []store.NewMessage, lines []store.NewMessage) (w store.TurnLines) {
		t.Helper()
		inTx(t, db, func(tx *sqlx.Tx) error {
			if _, _, err := store.LockConversation(ctx, tx, conv); err != nil {
				return err
			}
			if err := store.AddMessages(ctx, tx, conv, early); err != nil {
				return err
			}
			_, err := store.FinishTurn(ctx, tx, store.TurnEnd{ConversationID: conv, Messages: lines, Wrote: &w})
			return err
		})
		return w
	}
	w := finish(nil, []store.NewMessage{{Role: "traveller", Text: "Lisbon"}, {Role: "bot", Text: "when?", Body: store.MessageBody{Kind: "text"}}})
	ms, err := store.Messages(ctx, db, conv, first, 10)
	if err != nil || len(ms) != 2 {
		t.Fatalf("transcript after the turn: %+v, %v", ms, err)
	}
	if w.ConversationID != conv || w.After != first || len(w.Messages) != 2 {
		t.Fatalf("told %+v; want two lines after message %d", w, first)
	}
	for i, m := range ms {
		g := w.Messages[i]
		if g.ID != m.ID || g.Role != m.Role || g.Text != m.Text || !g.CreatedAt.Equal(m.CreatedAt) || g.ConversationID != conv {
			t.Errorf("line %d told as %+v, stored as %+v", i, g, m)
		}
	}
	if string(w.Messages[1].Body) != `{"kind":"text"}` {
		t.Errorf("body told as %s", w.Messages[1].Body)
	}
	hear := func(want string) {
		t.Helper()
		select {
		case got := <-heard:
			if got != want {
				t.Errorf("heard %q, want %q", got, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("heard nothing, want %q", want)
		}
	}
	hear(fmt.Sprint(conv, ":", ms[1].ID))

	// Lines written earlier in the transaction come before After.
	w = finish([]store.NewMessage{{Role: "system", Text: "earlier"}}, []store.NewMessage{{Role: "bot", Text: "later"}})
	ms, _ = store.Messages(ctx, db, conv, ms[1].ID, 10)
	if len(ms) != 2 || w.After != ms[0].ID || len(w.Messages) != 1 || w.Messages[0].ID != ms[1].ID {
		t.Fatalf("told %+v; the transcript goes on with %+v", w, ms)
	}
	hear(fmt.Sprint(conv, ":", ms[1].ID))

	// No lines: nothing told, and the notification names none.
	if w = finish(nil, nil); len(w.Messages) != 0 {
		t.Errorf("a turn without lines told %+v", w)
	}
	hear(fmt.Sprint(conv))
}

func TestParseConversationPayload(t *testing.T) {
	for _, c := range []struct {
		payload    string
		conv, last int64
		ok         bool
	}{
		{"12", 12, 0, true},
		{"12:345", 12, 345, true},
		{store.ConversationPayload(12, 345), 12, 345, true},
		{store.ConversationPayload(12, 0), 12, 0, true},
		{"12:", 12, 0, true},
		{"12:x", 12, 0, true}, // a line it cannot read: any may have changed
		{"x:345", 0, 0, false},
		{"", 0, 0, false},
	} {
		conv, last, ok := store.ParseConversationPayload(c.payload)
		if conv != c.conv || last != c.last || ok != c.ok {
			t.Errorf("%q: %d, %d, %v; want %d, %d, %v", c.payload, conv, last, ok, c.conv, c.last, c.ok)
		}
	}
}
