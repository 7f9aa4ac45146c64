package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"xingqu/store"
	"xingqu/store/storetest"
)

// A widget session is found by its token's hash while it lives, and not after.
func TestWidgetSession(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	tr, err := store.EnsureTraveller(ctx, db, "web", "visitor", "", "en", "")
	if err != nil {
		t.Fatal(err)
	}
	conv, err := store.CurrentConversation(ctx, db, tr.ID, "en")
	if err != nil {
		t.Fatal(err)
	}
	const id = "7d1f3c0e-2b4a-4f5e-9c61-0a8b2d3e4f50"
	if err := store.CreateWidgetSession(ctx, db, id, []byte("hash-1"), tr.ID, conv, time.Hour); err != nil {
		t.Fatal(err)
	}
	ws, err := store.WidgetSessionByToken(ctx, db, []byte("hash-1"))
	if left := time.Until(ws.ExpiresAt); err != nil || left < 59*time.Minute || left > 61*time.Minute {
		t.Fatalf("session = %+v, %v; want it to expire in an hour", ws, err)
	}
	if ws.ExpiresAt = (time.Time{}); ws != (store.WidgetSession{ID: id, TravellerID: tr.ID, ConversationID: conv}) {
		t.Fatalf("session = %+v", ws)
	}
	if _, err := store.WidgetSessionByToken(ctx, db, []byte("hash-2")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown token: %v", err)
	}
	if err := store.CreateWidgetSession(ctx, db, "0b8e6a52-93c1-4d7f-8a2e-5f6c7d8e9a01", []byte("hash-1"), tr.ID, conv, time.Hour); err == nil {
		t.Error("a second session with the same token hash was stored")
	}
	if _, err := db.ExecContext(ctx, `UPDATE widget_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	if _, err := store.WidgetSessionByToken(ctx, db, []byte("hash-1")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("expired session: %v, want ErrNotFound", err)
	}
}

// The network a traveller writes from is remembered, the latest only.
func TestSetTravellerNetwork(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	tr, err := store.EnsureTraveller(ctx, db, "web", "visitor", "", "en", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"203.0.113.0/24", "198.51.100.0/24"} {
		if err := store.SetTravellerNetwork(ctx, db, tr.ID, n); err != nil {
			t.Fatal(err)
		}
	}
	var got string
	if err := db.GetContext(ctx, &got, `SELECT network FROM traveller_networks WHERE traveller_id = $1`, tr.ID); err != nil || got != "198.51.100.0/24" {
		t.Errorf("network = %q, %v", got, err)
	}
	if n := count(t, db, `SELECT count(*) FROM traveller_networks`); n != 1 {
		t.Errorf("%d rows, want 1", n)
	}
}

// Spender names the traveller by channel and id, with the network they wrote from today
// only.
func TestSpender(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	tr, err := store.EnsureTraveller(ctx, db, "web", "visitor", "", "en", "")
	if err != nil {
		t.Fatal(err)
	}
	conv, err := store.CurrentConversation(ctx, db, tr.ID, "en")
	if err != nil {
		t.Fatal(err)
	}
	spender := func() (string, string) {
		t.Helper()
		who, network, err := store.Spender(ctx, db, conv)
		if err != nil {
			t.Fatal(err)
		}
		return who, network
	}
	if who, network := spender(); who != "web:visitor" || network != "" {
		t.Errorf("before any network: %q %q", who, network)
	}
	store.SetTravellerNetwork(ctx, db, tr.ID, "203.0.113.0/24")
	if who, network := spender(); who != "web:visitor" || network != "203.0.113.0/24" {
		t.Errorf("with a network: %q %q", who, network)
	}
	if _, err := db.ExecContext(ctx, `UPDATE traveller_networks SET seen_at = now() - interval '25 hours'`); err != nil {
		t.Fatal(err)
	}
	if _, network := spender(); network != "" {
		t.Errorf("yesterday's network still charged: %q", network)
	}
	if _, _, err := store.Spender(ctx, db, conv+100); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing conversation: %v", err)
	}
}
