package notices

import (
	"context"
	"testing"
	"time"

	"xingqu/store"
	"xingqu/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// Every instance sees a change within the TTL, and reading the board per message costs
// no query per message.
func TestNoticeBoardCache(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	a := &NoticeBoard{DB: db, TTL: 300 * time.Millisecond}
	for range 1000 {
		if a.Downtime(ctx).Active {
			t.Fatal("maintenance on in a fresh database")
		}
	}
	a.mu.Lock()
	loads := a.loads
	a.mu.Unlock()
	if loads != 1 {
		t.Errorf("1000 reads within the TTL made %d queries, want 1", loads)
	}
	if _, err := store.SetMaintenance(ctx, db, store.Maintenance{On: true, Message: "m"}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for deadline := time.Now().Add(2 * time.Second); !a.Downtime(ctx).Active; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the other instance did not see maintenance within 2s")
		}
	}
	if d := time.Since(start); d > 400*time.Millisecond {
		t.Errorf("saw maintenance after %v, want within the 300ms TTL", d)
	}
	var def NoticeBoard
	if def.ttl() > 2*time.Second {
		t.Errorf("default staleness %v, want at most 2s", def.ttl())
	}
	if d := a.Downtime(ctx); d.Message.In("zh") != "m" {
		t.Errorf("maintenance message %+v, want m", d.Message)
	}
}
