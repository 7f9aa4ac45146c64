package providers

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sync/singleflight"
)

// countingCache is a shared cache that counts what reaches it; with left set it also says
// how long its entries have left, as the PostgreSQL one does.
type countingCache struct {
	*MemoryCache
	gets, sets atomic.Int64
	left       time.Duration // 0: it does not say
}

func (c *countingCache) Get(ctx context.Context, key string) ([]byte, bool, error) {
	c.gets.Add(1)
	return c.MemoryCache.Get(ctx, key)
}

func (c *countingCache) Set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	c.sets.Add(1)
	return c.MemoryCache.Set(ctx, key, val, ttl)
}

type ttlCountingCache struct{ *countingCache }

func (c ttlCountingCache) GetWithTTL(ctx context.Context, key string) ([]byte, time.Duration, bool, error) {
	v, ok, err := c.Get(ctx, key)
	return v, c.left, ok, err
}

// clock is a time that tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newCounting(clk *clock) *countingCache {
	m := NewMemoryCache()
	m.now = clk.now
	return &countingCache{MemoryCache: m}
}

func newLayered(shared Cache, size int, maxTTL time.Duration, clk *clock) *Layered {
	c := NewLayered(shared, size, maxTTL)
	c.now = clk.now
	return c
}

// A key read once from the shared cache, or set, is read from memory after that: the
// shared cache (a database statement) is asked once per key, not once per look-up.
func TestLayeredSecondLookupStaysInMemory(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)}
	shared := newCounting(clk)
	shared.MemoryCache.Set(ctx, "wx:om:lisbon", []byte(`"sunny"`), time.Hour)
	c := newLayered(shared, 100, 2*time.Minute, clk)
	for i := 0; i < 5; i++ {
		v, ok, err := c.Get(ctx, "wx:om:lisbon")
		if err != nil || !ok || string(v) != `"sunny"` {
			t.Fatalf("get %d = %q %v %v", i, v, ok, err)
		}
	}
	if n := shared.gets.Load(); n != 1 {
		t.Errorf("shared gets = %d, want 1", n)
	}
	if err := c.Set(ctx, "geo:fwd:en:porto", []byte(`"porto"`), time.Hour); err != nil {
		t.Fatal(err)
	}
	if v, ok, _ := c.Get(ctx, "geo:fwd:en:porto"); !ok || string(v) != `"porto"` {
		t.Fatalf("get after set = %q %v", v, ok)
	}
	if n, m := shared.gets.Load(), shared.sets.Load(); n != 1 || m != 1 {
		t.Errorf("shared gets, sets = %d, %d, want 1, 1 (the set written through, not read back)", n, m)
	}
	// A miss is not remembered: the fetch that follows sets the value.
	if _, ok, _ := c.Get(ctx, "wx:om:nowhere"); ok {
		t.Fatal("miss returned a value")
	}
	if _, ok, _ := c.Get(ctx, "wx:om:nowhere"); ok || shared.gets.Load() != 3 {
		t.Errorf("second miss: ok=%v shared gets=%d, want false and 3", ok, shared.gets.Load())
	}
}

// Through Cached, as the weather and geocoding clients use it: a thousand plans of the
// same destination read the shared cache once.
func TestLayeredUnderCached(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)}
	shared := newCounting(clk)
	c := newLayered(shared, 100, 2*time.Minute, clk)
	var g singleflight.Group
	var fetches atomic.Int64
	for i := 0; i < 1000; i++ {
		got, err := Cached(ctx, c, &g, "geo:fwd:zh:福州", time.Hour, func(context.Context) (point, error) {
			fetches.Add(1)
			return point{"福州", 26.07}, nil
		})
		if err != nil || got.Name != "福州" {
			t.Fatalf("plan %d: %+v %v", i, got, err)
		}
	}
	if f, g, s := fetches.Load(), shared.gets.Load(), shared.sets.Load(); f != 1 || g != 1 || s != 1 {
		t.Errorf("fetches, shared gets, shared sets = %d, %d, %d, want 1, 1, 1", f, g, s)
	}
}

func TestLayeredExpiry(t *testing.T) {
	ctx := context.Background()
	t.Run("capped at the memory's ttl", func(t *testing.T) {
		clk := &clock{t: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)}
		shared := newCounting(clk)
		c := newLayered(shared, 100, 2*time.Minute, clk)
		c.Set(ctx, "k", []byte("1"), time.Hour)
		clk.add(2*time.Minute - time.Second)
		c.Get(ctx, "k")
		if n := shared.gets.Load(); n != 0 {
			t.Fatalf("within the cap: shared gets = %d, want 0", n)
		}
		// Another instance wrote a newer answer: it shows here once the cap has passed.
		shared.MemoryCache.Set(ctx, "k", []byte("2"), time.Hour)
		clk.add(2 * time.Second)
		if v, ok, _ := c.Get(ctx, "k"); !ok || string(v) != "2" || shared.gets.Load() != 1 {
			t.Errorf("past the cap: got %q %v after %d shared gets, want the shared value after 1", v, ok, shared.gets.Load())
		}
	})
	t.Run("never past the entry's own ttl", func(t *testing.T) {
		clk := &clock{t: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)}
		shared := newCounting(clk)
		c := newLayered(shared, 100, 2*time.Minute, clk)
		c.Set(ctx, "k", []byte("1"), 30*time.Second)
		clk.add(29 * time.Second)
		if _, ok, _ := c.Get(ctx, "k"); !ok || shared.gets.Load() != 0 {
			t.Fatalf("before expiry: ok=%v shared gets=%d", ok, shared.gets.Load())
		}
		clk.add(2 * time.Second)
		if v, ok, _ := c.Get(ctx, "k"); ok {
			t.Errorf("expired entry returned: %q", v)
		}
	})
	t.Run("what the shared cache has left of an entry", func(t *testing.T) {
		clk := &clock{t: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)}
		shared := ttlCountingCache{newCounting(clk)}
		shared.left = 10 * time.Second
		shared.MemoryCache.Set(ctx, "k", []byte("1"), time.Hour)
		c := newLayered(shared, 100, 2*time.Minute, clk)
		c.Get(ctx, "k")
		clk.add(9 * time.Second)
		c.Get(ctx, "k")
		if n := shared.gets.Load(); n != 1 {
			t.Fatalf("within the entry's ttl: shared gets = %d, want 1", n)
		}
		clk.add(2 * time.Second)
		c.Get(ctx, "k")
		if n := shared.gets.Load(); n != 2 {
			t.Errorf("past the entry's ttl: shared gets = %d, want 2 (read again)", n)
		}
	})
}

// Memory holds at most its size, pushing out the entry used longest ago.
func TestLayeredBound(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)}
	shared := newCounting(clk)
	c := newLayered(shared, 3, 2*time.Minute, clk)
	for i := 0; i < 3; i++ {
		c.Set(ctx, fmt.Sprint("k", i), []byte("v"), time.Hour)
	}
	c.Get(ctx, "k0") // now the most recently used
	for i := 3; i < 6; i++ {
		c.Set(ctx, fmt.Sprint("k", i), []byte("v"), time.Hour)
		if n := c.Len(); n > 3 {
			t.Fatalf("after %d sets memory holds %d entries, want at most 3", i+1, n)
		}
	}
	c.Get(ctx, "k5")
	c.Get(ctx, "k4")
	if n := shared.gets.Load(); n != 0 {
		t.Errorf("recent keys read the shared cache %d times, want 0", n)
	}
	c.Get(ctx, "k0")
	if n := shared.gets.Load(); n != 1 {
		t.Errorf("a pushed-out key: shared gets = %d, want 1", n)
	}
}

// Many goroutines reading and writing a few keys through a small memory: run with -race.
func TestLayeredConcurrent(t *testing.T) {
	ctx := context.Background()
	shared := &countingCache{MemoryCache: NewMemoryCache()}
	c := NewLayered(shared, 8, time.Minute)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				key := fmt.Sprint("k", (g*7+i)%16)
				if i%5 == 0 {
					if err := c.Set(ctx, key, []byte(key), time.Hour); err != nil {
						t.Error(err)
						return
					}
					continue
				}
				v, ok, err := c.Get(ctx, key)
				if err != nil || ok && string(v) != key {
					t.Errorf("get %s = %q %v %v", key, v, ok, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if n := c.Len(); n > 8 {
		t.Errorf("memory holds %d entries, want at most 8", n)
	}
}
