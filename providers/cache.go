// Package providers holds what the clients of outside services share: the cache their
// answers are kept in and the helper that coalesces identical look-ups.
package providers

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// Cache keeps provider answers for a while. The production implementation lives in
// PostgreSQL; keys are namespaced by the caller ("geo:fwd:en:lisbon").
type Cache interface {
	// Get returns the value stored under key, and false when there is none or it expired.
	Get(ctx context.Context, key string) ([]byte, bool, error)
	// Set stores val under key until ttl has passed.
	Set(ctx context.Context, key string, val []byte, ttl time.Duration) error
}

// Cached returns the value kept under key in cache or, when there is none, the one fetch
// gives, and keeps it for ttl. Identical concurrent calls sharing group make one fetch.
// Errors are never kept, and a failing cache only costs a network trip: a look-up must
// not fail because the cache did. cache and group may be nil.
// SharedFetchTimeout bounds a coalesced fetch, whatever its callers' deadlines.
const SharedFetchTimeout = 10 * time.Second

func Cached[T any](ctx context.Context, cache Cache, group *singleflight.Group, key string, ttl time.Duration, fetch func(context.Context) (T, error)) (T, error) {
	if v, ok := cacheGet[T](ctx, cache, key); ok {
		return v, nil
	}
	if group == nil {
		return fetchAndKeep(ctx, cache, key, ttl, fetch)
	}
	ch := group.DoChan(key, func() (any, error) {
		// The first caller's cancellation must not fail the callers that joined it,
		// so the shared fetch keeps the values of ctx but not its cancellation; each
		// caller still stops waiting when its own ctx ends. It keeps a deadline of its
		// own, though: a fetch nobody waits for any more must not hold a rate-limited
		// service's turn for long.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), SharedFetchTimeout)
		defer cancel()
		return fetchAndKeep(fctx, cache, key, ttl, fetch)
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			var zero T
			return zero, r.Err
		}
		return r.Val.(T), nil
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

func cacheGet[T any](ctx context.Context, cache Cache, key string) (T, bool) {
	var v T
	if cache == nil {
		return v, false
	}
	b, ok, err := cache.Get(ctx, key)
	if err != nil {
		slog.WarnContext(ctx, "cache get failed", "key", key, "err", err)
		return v, false
	}
	if !ok {
		return v, false
	}
	if err := json.Unmarshal(b, &v); err != nil {
		slog.WarnContext(ctx, "cache entry unreadable", "key", key, "err", err)
		var zero T
		return zero, false
	}
	return v, true
}

func fetchAndKeep[T any](ctx context.Context, cache Cache, key string, ttl time.Duration, fetch func(context.Context) (T, error)) (T, error) {
	v, err := fetch(ctx)
	if err != nil || cache == nil {
		return v, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		slog.WarnContext(ctx, "cache entry not encodable", "key", key, "err", err)
		return v, nil
	}
	if err := cache.Set(ctx, key, b, ttl); err != nil {
		slog.WarnContext(ctx, "cache set failed", "key", key, "err", err)
	}
	return v, nil
}

// MemoryCache is a Cache in process memory, for tests and for running with no database.
type MemoryCache struct {
	mu      sync.Mutex
	now     func() time.Time
	entries map[string]memoryEntry
}

type memoryEntry struct {
	val     []byte
	expires time.Time
}

// NewMemoryCache returns an empty MemoryCache.
func NewMemoryCache() *MemoryCache {
	return &MemoryCache{now: time.Now, entries: make(map[string]memoryEntry)}
}

// Get implements Cache.
func (c *MemoryCache) Get(_ context.Context, key string) ([]byte, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		return nil, false, nil
	}
	if !c.now().Before(e.expires) {
		delete(c.entries, key)
		return nil, false, nil
	}
	return append([]byte(nil), e.val...), true, nil
}

// Set implements Cache.
func (c *MemoryCache) Set(_ context.Context, key string, val []byte, ttl time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries[key] = memoryEntry{val: append([]byte(nil), val...), expires: c.now().Add(ttl)}
	return nil
}

// Len reports how many entries are kept, expired ones included until they are read.
func (c *MemoryCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
