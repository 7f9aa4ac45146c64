package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"xingqu/dialog"
	"xingqu/store"
	"xingqu/store/storetest"
)

// A takeover and a hand-back as the console makes them: the holder is read under the
// row lock, set, and cleared.
func TestHolderTakeoverAndHandback(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	conv := conversationFor(t, db, "ho")
	pam := agentAccount(t, db, "pam")
	holder := func() (int64, string) {
		t.Helper()
		var id int64
		var name string
		if err := db.InTx(ctx, func(tx *sqlx.Tx) error {
			var err error
			id, name, err = store.LockHolder(ctx, tx, conv)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return id, name
	}
	if id, name := holder(); id != 0 || name != "" {
		t.Fatalf("new conversation held by %d %q", id, name)
	}
	if err := store.SetHolder(ctx, db, conv, pam); err != nil {
		t.Fatal(err)
	}
	if id, name := holder(); id != pam || name != "pam" {
		t.Fatalf("after takeover: %d %q, want %d pam", id, name, pam)
	}
	var since *string
	if err := db.GetContext(ctx, &since, `SELECT agent_since::text FROM conversations WHERE id = $1`, conv); err != nil || since == nil {
		t.Fatalf("agent_since after takeover: %v %v", since, err)
	}
	if err := store.SetHolder(ctx, db, conv, 0); err != nil {
		t.Fatal(err)
	}
	if id, name := holder(); id != 0 || name != "" {
		t.Fatalf("after hand-back: %d %q", id, name)
	}
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		_, _, err := store.LockHolder(ctx, tx, conv+1000)
		return err
	})
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("no such conversation: %v, want ErrNotFound", err)
	}
}

// The single values the console, the widget and the Telegram channel read of a
// conversation and its traveller.
func TestConversationReads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	tr, err := store.EnsureTraveller(ctx, db, "telegram", "4242", "Li", "zh", "")
	if err != nil {
		t.Fatal(err)
	}
	conv, err := store.CurrentConversation(ctx, db, tr.ID, "zh")
	if err != nil {
		t.Fatal(err)
	}
	if ch, ext, err := store.TravellerAddress(ctx, db, tr.ID); err != nil || ch != "telegram" || ext != "4242" {
		t.Errorf("address: %q %q %v", ch, ext, err)
	}
	if _, _, err := store.TravellerAddress(ctx, db, tr.ID+1000); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("no such traveller: %v", err)
	}
	if lang, err := store.ConversationLang(ctx, db, conv); err != nil || lang != "zh" {
		t.Errorf("language: %q %v", lang, err)
	}
	if id, err := store.LatestMessageID(ctx, db, conv); err != nil || id != 0 {
		t.Errorf("latest message of an empty conversation: %d %v", id, err)
	}
	m, err := store.AddMessage(ctx, db, conv, "traveller", "你好", store.MessageBody{})
	if err != nil {
		t.Fatal(err)
	}
	if id, err := store.LatestMessageID(ctx, db, conv); err != nil || id != m {
		t.Errorf("latest message: %d %v, want %d", id, err, m)
	}
	if err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		c, _, err := store.LockConversation(ctx, tx, conv)
		if err != nil {
			return err
		}
		c.Trip.Destination, c.Status, c.Priority = "Fuzhou", dialog.StatusHuman, 2
		return store.SaveConversation(ctx, tx, &c)
	}); err != nil {
		t.Fatal(err)
	}
	slots, err := store.ConversationSlots(ctx, db, conv)
	var trip dialog.TripRequest
	if err != nil || json.Unmarshal(slots, &trip) != nil || trip.Destination != "Fuzhou" {
		t.Errorf("slots: %s %v", slots, err)
	}
	if st, err := store.GetStanding(ctx, db, conv); err != nil || st.Status != string(dialog.StatusHuman) || st.Priority != 2 {
		t.Errorf("standing: %+v %v", st, err)
	}
	if _, err := store.GetStanding(ctx, db, conv+1000); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("no such conversation: %v", err)
	}
}

// A turn's effects leave their rows: an emergency, a subscription on and off, a language.
func TestTurnEffects(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	tr, err := store.EnsureTraveller(ctx, db, "web", "fx", "", "en", "")
	if err != nil {
		t.Fatal(err)
	}
	conv, err := store.CurrentConversation(ctx, db, tr.ID, "en")
	if err != nil {
		t.Fatal(err)
	}
	if err := store.RecordEmergency(ctx, db, conv, "lost my passport"); err != nil {
		t.Fatal(err)
	}
	var text string
	if err := db.GetContext(ctx, &text, `SELECT text FROM emergencies WHERE conversation_id = $1`, conv); err != nil || text != "lost my passport" {
		t.Errorf("emergency: %q %v", text, err)
	}
	subscribed := func() bool {
		t.Helper()
		var n int
		if err := db.GetContext(ctx, &n, `SELECT count(*) FROM subscriptions WHERE traveller_id = $1`, tr.ID); err != nil {
			t.Fatal(err)
		}
		return n == 1
	}
	for _, on := range []bool{true, true, false, false, true} {
		if err := store.SetSubscribed(ctx, db, tr.ID, on); err != nil {
			t.Fatal(err)
		}
		if got := subscribed(); got != on {
			t.Fatalf("subscribed = %v after SetSubscribed(%v)", got, on)
		}
	}
	for _, types := range [][]string{{"maintenance"}, {"maintenance", "downtime"}} {
		if err := store.SetSubscription(ctx, db, tr.ID, types); err != nil {
			t.Fatal(err)
		}
		var got pq.StringArray
		if err := db.GetContext(ctx, &got, `SELECT types FROM subscriptions WHERE traveller_id = $1`, tr.ID); err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, ",") != strings.Join(types, ",") {
			t.Fatalf("types = %v after SetSubscription(%v)", got, types)
		}
	}
	if err := store.SetTravellerLang(ctx, db, tr.ID, "zh"); err != nil {
		t.Fatal(err)
	}
	var lang string
	if err := db.GetContext(ctx, &lang, `SELECT lang FROM travellers WHERE id = $1`, tr.ID); err != nil || lang != "zh" {
		t.Errorf("language: %q %v", lang, err)
	}
}
