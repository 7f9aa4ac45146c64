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
