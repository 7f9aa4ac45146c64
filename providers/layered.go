package providers

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// TTLCache is a Cache that can also say how long an entry has left (store.Cache does):
// a copy kept in front of it then never outlives the entry it copies.
type TTLCache interface {
	Cache
	GetWithTTL(ctx context.Context, key string) ([]byte, time.Duration, bool, error)
}

// Layered keeps the most recently used answers of a shared cache in process memory:
// travellers plan the same few destinations, and each look-up in the shared cache is a
// database statement. An entry is kept in memory for at most MaxTTL and never past its
// own expiry, so another instance's newer answer shows here within MaxTTL; at most
// Size entries are kept, the least recently used going first.
type Layered struct {
	shared Cache
	size   int
	maxTTL time.Duration
	now    func() time.Time

	mu      sync.Mutex
	entries map[string]*list.Element // of *layeredEntry
	order   list.List                // most recently used first
}

type layeredEntry struct {
	key     string
	val     []byte
	expires time.Time
}

// NewLayered puts a memory of at most size entries, each kept at most maxTTL, in front
// of shared.
func NewLayered(shared Cache, size int, maxTTL time.Duration) *Layered {
	return &Layered{shared: shared, size: max(size, 1), maxTTL: maxTTL, now: time.Now, entries: map[string]*list.Element{}}
}

// Get implements Cache: from memory when it has the key, else from the shared cache,
// keeping what that returns.
func (c *Layered) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if v, ok := c.memory(key); ok {
		return v, true, nil
	}
	var (
		v   []byte
		ttl = c.maxTTL
		ok  bool
		err error
	)
	if tc, has := c.shared.(TTLCache); has {
		var left time.Duration
		v, left, ok, err = tc.GetWithTTL(ctx, key)
		ttl = min(ttl, left)
	} else {
		v, ok, err = c.shared.Get(ctx, key)
	}
	if err != nil || !ok {
		return nil, false, err
	}
	c.keep(key, v, ttl, false)
	return v, true, nil
}

// Set implements Cache: the value goes to the shared cache and to memory. It is kept in
// memory even when the shared cache fails, since it is still a right answer.
func (c *Layered) Set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	c.keep(key, val, ttl, true)
	return c.shared.Set(ctx, key, val, ttl)
}

// Len reports how many entries memory holds, expired ones included until they are read
// or pushed out.
func (c *Layered) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

func (c *Layered) memory(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		return nil, false
	}
	e := el.Value.(*layeredEntry)
	if !c.now().Before(e.expires) {
		c.order.Remove(el)
		delete(c.entries, key)
		return nil, false
	}
	c.order.MoveToFront(el)
	return append([]byte(nil), e.val...), true
}

// keep stores val in memory for ttl, capped at maxTTL. A value read from the shared
// cache (replace false) does not replace one set meanwhile: that one is newer.
func (c *Layered) keep(key string, val []byte, ttl time.Duration, replace bool) {
	ttl = min(ttl, c.maxTTL)
	if ttl <= 0 {
		return
	}
	now := c.now()
	e := &layeredEntry{key: key, val: append([]byte(nil), val...), expires: now.Add(ttl)}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		if !replace && now.Before(el.Value.(*layeredEntry).expires) {
			return
		}
		el.Value = e
		c.order.MoveToFront(el)
		return
	}
	c.entries[key] = c.order.PushFront(e)
	for len(c.entries) > c.size {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.entries, last.Value.(*layeredEntry).key)
	}
}
