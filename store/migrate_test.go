package store_test

import (
	"context"
	"strings"
	"testing"

	"xingqu/store"
	"xingqu/store/storetest"
)

func TestMigrateDownUpRoundTripsWithData(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)

	seed := func() {
		t.Helper()
		var tid, cid int64
		if err := db.QueryRowContext(ctx, `INSERT INTO travellers (channel, external_id) VALUES ('web', 's1') RETURNING id`).Scan(&tid); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRowContext(ctx, `INSERT INTO conversations (traveller_id) VALUES ($1) RETURNING id`, tid).Scan(&cid); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO messages (conversation_id, role, text, inbound_id) VALUES ($1, 'traveller', '福州', 'm1')`, cid); err != nil {
			t.Fatal(err)
		}
	}
	seed()

	// Roll back the newest migration alone: the tables it does not own keep their rows.
	if _, err := store.MigrateDown(ctx, db); err != nil {
		t.Fatal(err)
	}
	if pending, err := store.Pending(ctx, db); err != nil || !pending {
		t.Fatalf("after down: pending = %v, %v; want true", pending, err)
	}
	if _, err := store.MigrateUp(ctx, db); err != nil {
		t.Fatal(err)
	}
	var kept int
	if err := db.GetContext(ctx, &kept, `SELECT count(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id JOIN travellers t ON t.id = c.traveller_id WHERE m.text = '福州'`); err != nil || kept != 1 {
		t.Fatalf("after down and up of the newest migration: %d of the seeded rows left (%v), want them all", kept, err)
	}

	// All the way down and up again, with data in every table.
	if err := store.MigrateDownTo(ctx, db, 0); err != nil {
		t.Fatal(err)
	}
	var tables int
	db.QueryRowContext(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'goose_db_version'`).Scan(&tables)
	if tables != 0 {
		t.Fatalf("after down to 0: %d tables remain, want 0", tables)
	}
	n, err := store.MigrateUp(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("migrate up applied nothing after down to 0")
	}
	if err := db.Ready(ctx); err != nil {
		t.Fatalf("Ready after round trip: %v", err)
	}
	seed()

	var sb strings.Builder
	if err := store.MigrationStatus(ctx, db, &sb); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sb.String(), "applied") || strings.Contains(sb.String(), "pending") {
		t.Fatalf("status after up:\n%s", sb.String())
	}
}

func TestOpenUnreachableFailsFast(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 10e9)
	defer cancel()
	_, err := store.Open(ctx, "postgres://nobody:secret@127.0.0.1:1/x?sslmode=disable", store.PoolConfig{})
	if err == nil {
		t.Fatal("Open of an unreachable server succeeded")
	}
	if strings.Contains(err.Error(), "secret") {
		t.Fatalf("error leaks the password: %v", err)
	}
	if !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Fatalf("error does not name the server: %v", err)
	}
}
