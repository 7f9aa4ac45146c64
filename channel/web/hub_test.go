package web

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"xingqu/store"
	"xingqu/store/storetest"
)

// A database the listener cannot reach must not stall the streams that share the hub, nor
// the shutdown that ends it.
func TestHubWithUnreachableListenerDatabase(t *testing.T) {
	db, err := store.Open(context.Background(), storetest.URL(t), store.PoolConfig{MaxOpen: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	// Port 1 refuses connections: pq keeps retrying and a LISTEN waits for a connection.
	l := store.NewListener("postgres://xingqu@127.0.0.1:1/xingqu?sslmode=disable&connect_timeout=1", log)
	s := New(db, nil, Config{Listener: l}, log)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sb, unsubscribe := s.Subscribe(7)
		s.web.hub.publish(7, anyMessage, false)
		select {
		case <-sb.ch:
		default:
			t.Error("a publish did not wake its subscriber")
		}
		unsubscribe()
		_, unsubscribeAll := s.Subscribe(0)
		unsubscribeAll()
		s.Close()
		l.Close()
	}()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("subscribe, publish or Close blocked on a listener that cannot connect")
	}
}
