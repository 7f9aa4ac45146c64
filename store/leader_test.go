package store_test

import (
	"context"
	"testing"
	"time"

	"xingqu/store"
	"xingqu/store/storetest"
)

// One instance leads at a time; the next takes over once the first lets go.
func TestAcquireLeaderOneAtATime(t *testing.T) {
	t.Parallel()
	url := storetest.URL(t)
	ctx := context.Background()
	open := func() *store.DB {
		db, err := store.Open(ctx, url, store.PoolConfig{MaxOpen: 2})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	a, b := open(), open()
	const key, retry = 777, 50 * time.Millisecond
	leadA, releaseA, err := store.AcquireLeader(ctx, a, key, retry)
	if err != nil {
		t.Fatal(err)
	}
	// b waits while a leads.
	wctx, cancel := context.WithTimeout(ctx, 5*retry)
	_, _, err = store.AcquireLeader(wctx, b, key, retry)
	cancel()
	if err == nil {
		t.Fatal("a second instance led while the first held the lock")
	}
	got := make(chan func(), 1)
	go func() {
		_, release, err := store.AcquireLeader(ctx, b, key, retry)
		if err != nil {
			t.Error(err)
			close(got)
			return
		}
		got <- release
	}()
	releaseA()
	if leadA.Err() == nil {
		t.Error("the first leader's context outlived its release")
	}
	select {
	case release := <-got:
		if release != nil {
			release()
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the second instance never took over")
	}
}
