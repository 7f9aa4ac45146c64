package store_test

import (
	"context"
	"testing"
	"time"

	"xingqu/store"
	"xingqu/store/storetest"
)

func TestCacheGetSetExpiry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := store.Cache{DB: storetest.New(t)}
	if _, ok, err := c.Get(ctx, "wx:1"); ok || err != nil {
		t.Fatalf("empty cache: ok=%v err=%v", ok, err)
	}
	if err := c.Set(ctx, "wx:1", []byte(`{"a":1}`), time.Hour); err != nil {
		t.Fatal(err)
	}
	v, ok, err := c.Get(ctx, "wx:1")
	if !ok || err != nil || string(v) != `{"a":1}` {
		t.Fatalf("get = %q %v %v", v, ok, err)
	}
	if err := c.Set(ctx, "wx:1", []byte(`{"a":2}`), 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if v, _, _ := c.Get(ctx, "wx:1"); string(v) != `{"a":2}` {
		t.Fatalf("overwrite: got %q", v)
	}
	time.Sleep(100 * time.Millisecond)
	if _, ok, _ := c.Get(ctx, "wx:1"); ok {
		t.Fatal("expired entry still returned")
	}
}

// GetWithTTL says how long an entry has left, so that a copy in memory does not outlive it.
func TestCacheGetWithTTL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := store.Cache{DB: storetest.New(t)}
	if err := c.Set(ctx, "geo:1", []byte(`"x"`), 90*time.Second); err != nil {
		t.Fatal(err)
	}
	v, left, ok, err := c.GetWithTTL(ctx, "geo:1")
	if err != nil || !ok || string(v) != `"x"` {
		t.Fatalf("get = %q %v %v", v, ok, err)
	}
	if left <= 80*time.Second || left > 90*time.Second {
		t.Errorf("left = %v, want a little under 90s", left)
	}
	if _, _, ok, err := c.GetWithTTL(ctx, "geo:none"); ok || err != nil {
		t.Errorf("missing key: ok=%v err=%v", ok, err)
	}
}

func TestPruneKeepsWhatIsStillRead(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	var tid, cid int64
	db.GetContext(ctx, &tid, `INSERT INTO travellers (channel, external_id) VALUES ('web', 'p') RETURNING id`)
	db.GetContext(ctx, &cid, `INSERT INTO conversations (traveller_id) VALUES ($1) RETURNING id`, tid)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec(`INSERT INTO inbox (conversation_id, inbound_id, payload, handled_at) VALUES ($1, 'old', '{}', now() - interval '8 days'), ($1, 'new', '{}', now()), ($1, 'pending', '{}', NULL)`, cid)
	exec(`INSERT INTO jobs (kind, payload, done_at) VALUES ('plan', '{}', now() - interval '8 days'), ('plan', '{}', NULL)`)
	exec(`INSERT INTO outbox (chat_id, method, params, state, created_at, done_at) VALUES ('1', 'sendMessage', '{}', 'sent', now() - interval '91 days', now() - interval '91 days'), ('2', 'sendMessage', '{}', 'sent', now() - interval '10 days', now() - interval '10 days')`)
	deleted, err := store.Prune(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if deleted["inbox"] != 1 || deleted["jobs"] != 1 || deleted["outbox"] != 1 {
		t.Fatalf("deleted %v, want one old row from each of inbox, jobs, outbox", deleted)
	}
	var left int
	db.GetContext(ctx, &left, `SELECT (SELECT count(*) FROM inbox) + (SELECT count(*) FROM jobs) + (SELECT count(*) FROM outbox)`)
	if left != 4 {
		t.Fatalf("%d rows left, want 4 (recent and unfinished ones kept)", left)
	}
}
