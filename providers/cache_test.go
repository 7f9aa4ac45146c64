package providers

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sync/singleflight"
)

type point struct {
	Name string
	Lat  float64
}

func TestCachedKeepsValuesNotErrors(t *testing.T) {
	ctx := context.Background()
	c := NewMemoryCache()
	var g singleflight.Group
	var calls int
	fail := true
	fetch := func(context.Context) (point, error) {
		calls++
		if fail {
			return point{}, errors.New("upstream down")
		}
		return point{"Lisbon", 38.72}, nil
	}
	if _, err := Cached(ctx, c, &g, "k", time.Hour, fetch); err == nil {
		t.Fatal("got nil error, want the fetch error")
	}
	if c.Len() != 0 {
		t.Fatalf("error was cached: %d entries", c.Len())
	}
	fail = false
	for i := range 3 {
		got, err := Cached(ctx, c, &g, "k", time.Hour, fetch)
		if err != nil {
			t.Fatal(err)
		}
		if want := (point{"Lisbon", 38.72}); got != want {
			t.Fatalf("call %d: got %+v, want %+v", i, got, want)
		}
	}
	if calls != 2 {
		t.Fatalf("fetch calls: got %d, want 2 (one failure, then one fill)", calls)
	}
}

func TestMemoryCacheExpires(t *testing.T) {
	ctx := context.Background()
	c := NewMemoryCache()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return now }
	if err := c.Set(ctx, "wx", []byte(`1`), 3*time.Hour); err != nil {
		t.Fatal(err)
	}
	now = now.Add(3*time.Hour - time.Second)
	if _, ok, _ := c.Get(ctx, "wx"); !ok {
		t.Fatal("entry gone before its ttl")
	}
	now = now.Add(time.Second)
	if _, ok, _ := c.Get(ctx, "wx"); ok {
		t.Fatal("entry still there after its ttl")
	}
}

func TestCachedCoalescesConcurrentLookups(t *testing.T) {
	var g singleflight.Group
	var calls atomic.Int32
	release := make(chan struct{})
	fetch := func(context.Context) (int, error) {
		calls.Add(1)
		<-release
		return 42, nil
	}
	var wg sync.WaitGroup
	results := make([]int, 20)
	for i := range results {
		wg.Go(func() {
			v, err := Cached(context.Background(), NewMemoryCache(), &g, "same", time.Hour, fetch)
			if err != nil {
				t.Error(err)
			}
			results[i] = v
		})
	}
	// Let every goroutine join the flight before the one fetch returns.
	time.Sleep(100 * time.Millisecond)
	close(release)
	wg.Wait()
	if n := calls.Load(); n != 1 {
		t.Fatalf("fetch calls: got %d, want 1", n)
	}
	for i, v := range results {
		if v != 42 {
			t.Fatalf("caller %d: got %d, want 42", i, v)
		}
	}
}

type brokenCache struct{ sets int }

func (b *brokenCache) Get(context.Context, string) ([]byte, bool, error) {
	return nil, false, errors.New("connection refused")
}

func (b *brokenCache) Set(context.Context, string, []byte, time.Duration) error {
	b.sets++
	return errors.New("connection refused")
}

func TestCachedSurvivesBrokenCache(t *testing.T) {
	b := &brokenCache{}
	got, err := Cached(context.Background(), b, nil, "k", time.Hour, func(context.Context) (string, error) {
		return "from network", nil
	})
	if err != nil {
		t.Fatalf("got error %v, want the fetched value despite the cache", err)
	}
	if got != "from network" || b.sets != 1 {
		t.Fatalf("got %q after %d sets, want %q after 1", got, b.sets, "from network")
	}
}

func TestCachedCallerCancellationDoesNotFailOthers(t *testing.T) {
	var g singleflight.Group
	release := make(chan struct{})
	fetch := func(ctx context.Context) (string, error) {
		<-release
		return "ok", ctx.Err()
	}
	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() {
		_, err := Cached(ctx, nil, &g, "k", time.Hour, fetch)
		first <- err
	}()
	time.Sleep(20 * time.Millisecond)
	second := make(chan string, 1)
	go func() {
		v, _ := Cached(context.Background(), nil, &g, "k", time.Hour, fetch)
		second <- v
	}()
	time.Sleep(20 * time.Millisecond)
	cancel()
	if err := <-first; !errors.Is(err, context.Canceled) {
		t.Fatalf("first caller: got %v, want context.Canceled", err)
	}
	close(release)
	if v := <-second; v != "ok" {
		t.Fatalf("second caller: got %q, want %q", v, "ok")
	}
}
