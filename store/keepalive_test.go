package store_test

import (
	"context"
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
