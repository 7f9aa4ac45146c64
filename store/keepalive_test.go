package store_test

import (
	"context"
	"sync"
	"testing"

	"xingqu/store"
	"xingqu/store/storetest"
)

// Every connection asks the server for TCP keepalives, so that a client that vanished
// (and with it an advisory lock it held) is noticed in about a minute, not hours.
func TestConnectionsAskForKeepalives(t *testing.T) {
	db, err := store.Open(context.Background(), storetest.URL(t), store.PoolConfig{MaxOpen: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, name := range []string{"tcp_keepalives_idle", "tcp_keepalives_interval", "tcp_keepalives_count"} {
		var source string
		// Over a Unix socket the value always reads 0; where it came from still shows.
		if err := db.Get(&source, `SELECT source FROM pg_settings WHERE name = $1`, name); err != nil {
			t.Fatal(err)
		}
		if source != "client" {
			t.Errorf("%s set by %q, want the client", name, source)
		}
	}
}

// The pool keeps every connection it opened: a connection closed after a burst is a
// PostgreSQL backend ended, and the next burst forks a new one, which then plans every
// statement again and faults in the shared buffers it touches. Under a steady load that
// churn cost PostgreSQL more CPU than the turns themselves (docs/benchmarks.md).
func TestPoolKeepsItsConnectionsAfterABurst(t *testing.T) {
	db, err := store.Open(context.Background(), storetest.URL(t), store.PoolConfig{MaxOpen: 8})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for round := 0; round < 3; round++ {
		var wg sync.WaitGroup
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := db.Exec(`SELECT pg_sleep(0.05)`); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
	}
	s := db.Stats()
	if s.OpenConnections != 8 || s.MaxIdleClosed != 0 {
		t.Errorf("after three bursts of 8: %d connections open, %d closed for being idle beyond the pool's limit; want 8 and 0",
			s.OpenConnections, s.MaxIdleClosed)
	}
}
