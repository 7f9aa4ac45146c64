package store_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"xingqu/store"
	"xingqu/store/storetest"
)

// One listener fans each notification out to every subscriber of its channel, and only a
// committed transaction's notification is heard.
func TestListenerFansOut(t *testing.T) {
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
	a, b, p := make(chan string, 4), make(chan string, 4), make(chan string, 4)
	l.Subscribe(store.ConversationChannel, func(s string) { a <- s })
	l.Subscribe(store.ConversationChannel, func(s string) { b <- s })
	l.Start()
	l.Start() // once per listener
	<-l.Ready()
	// A channel first subscribed to after the start is listened on too.
	l.Subscribe(store.ProgressChannel, func(s string) { p <- s })

	rolledBack := errors.New("roll back")
	if err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := store.Notify(ctx, tx, store.ConversationChannel, "1"); err != nil {
			return err
		}
		return rolledBack
	}); !errors.Is(err, rolledBack) {
		t.Fatal(err)
	}
	if err := db.InTx(ctx, func(tx *sqlx.Tx) error { return store.Notify(ctx, tx, store.ConversationChannel, "2") }); err != nil {
		t.Fatal(err)
	}
	for name, ch := range map[string]chan string{"first": a, "second": b} {
		select {
		case got := <-ch:
			if got != "2" {
				t.Errorf("%s subscriber heard %q, want 2 (the rolled-back 1 never sent)", name, got)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s subscriber heard nothing", name)
		}
	}
	deadline := time.After(10 * time.Second)
	for {
		if err := store.Notify(ctx, db, store.ProgressChannel, `{"chars":1}`); err != nil {
			t.Fatal(err)
		}
		select {
		case got := <-p:
			if got != `{"chars":1}` {
				t.Errorf("progress subscriber heard %q", got)
			}
			return
		case <-time.After(50 * time.Millisecond): // the LISTEN may not be in place yet
		case <-deadline:
			t.Fatal("a channel subscribed to after the start was never heard")
		}
	}
}

// A payload PostgreSQL would refuse is refused before it is sent.
func TestNotifyChecksPayloadSize(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	if err := store.Notify(ctx, db, store.ProgressChannel, strings.Repeat("x", store.MaxNotifyPayload)); err != nil {
		t.Fatalf("a payload of the limit: %v", err)
	}
	if err := store.Notify(ctx, db, store.ProgressChannel, strings.Repeat("x", store.MaxNotifyPayload+1)); !errors.Is(err, store.ErrPayloadTooLarge) {
		t.Fatalf("a payload over the limit: %v, want ErrPayloadTooLarge", err)
	}
}

// A listener that cannot reach the database gives up waiting at once on Close.
func TestListenerClosesWithoutDatabase(t *testing.T) {
	t.Parallel()
	l := store.NewListener("postgres://xingqu@127.0.0.1:1/xingqu?sslmode=disable&connect_timeout=1", slog.New(slog.NewTextHandler(io.Discard, nil)))
	l.Subscribe(store.ConversationChannel, func(string) {})
	l.Start()
	done := make(chan struct{})
	go func() { l.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close waited for a database that cannot be reached")
	}
}
