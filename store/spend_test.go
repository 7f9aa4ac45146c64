package store_test

import (
	"context"
	"sync"
	"testing"

	"xingqu/dialog"
	"xingqu/store"
	"xingqu/store/storetest"
)

// Two instances (two pools on one database) booking at once lose nothing, and a third
// opened afterwards, as after a restart, reads the same totals.
func TestTokenLedgerSharedAndDurable(t *testing.T) {
	t.Parallel()
	url := storetest.URL(t)
	ctx := context.Background()
	open := func() *store.DB {
		db, err := store.Open(ctx, url, store.PoolConfig{MaxOpen: 4})
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	a, b := open(), open()
	la, lb := store.TokenLedger{DB: a}, store.TokenLedger{DB: b}
	day := dialog.NewDate(2026, 12, 6)
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(2)
		go func() { defer wg.Done(); la.Add(ctx, "traveller:web:s1", day, 10) }()
		go func() { defer wg.Done(); lb.Add(ctx, "traveller:web:s1", day, 10) }()
	}
	wg.Wait()
	for _, l := range []store.TokenLedger{la, lb} {
		if n, err := l.Spent(ctx, "traveller:web:s1", day); err != nil || n != 1000 {
			t.Fatalf("spent = %d, %v; want 1000 seen by both instances", n, err)
		}
	}
	a.Close()
	b.Close()
	c := open()
	defer c.Close()
	lc := store.TokenLedger{DB: c}
	if n, _ := lc.Spent(ctx, "traveller:web:s1", day); n != 1000 {
		t.Errorf("after a restart spent = %d, want 1000", n)
	}
	if n, _ := lc.Spent(ctx, "traveller:web:s1", day.AddDays(1)); n != 0 {
		t.Errorf("next day spent = %d, want 0", n)
	}
	// A new day's first booking drops the days past keeping.
	if err := lc.Add(ctx, "address:198.51.100.7", day.AddDays(8), 5); err != nil {
		t.Fatal(err)
	}
	if n, _ := lc.Spent(ctx, "traveller:web:s1", day); n != 0 {
		t.Errorf("a day eight days old still holds %d tokens", n)
	}
}
