package store

import (
	"container/list"
	"context"
	"sync"
)

// gate admits at most n transactions at a time, in the order they asked. database/sql
// hands a connection given back to a waiter chosen at random, so when more transactions
// want connections than the pool has, some wait many times longer than the rest; behind
// the gate they wait in turn, and the pool's own queue stays short. Statements run
// outside a transaction still take connections straight from the pool, so one admitted
// may yet wait there, behind few.
type gate struct {
	mu      sync.Mutex
	free    int
	waiting list.List // of chan struct{}, closed when its turn comes
}

// newGate admits n at a time; nil (everyone at once) for n <= 0, an unbounded pool.
func newGate(n int) *gate {
	if n <= 0 {
		return nil
	}
	return &gate{free: n}
}

// enter waits for a place; every enter that returns nil is followed by one leave.
func (g *gate) enter(ctx context.Context) error {
	g.mu.Lock()
	if g.free > 0 && g.waiting.Len() == 0 {
		g.free--
		g.mu.Unlock()
		return nil
	}
	turn := make(chan struct{})
	e := g.waiting.PushBack(turn)
	g.mu.Unlock()
	select {
	case <-turn:
		return nil
	case <-ctx.Done():
		g.mu.Lock()
		select {
		case <-turn:
			// Given a place as the context ended: pass it on.
			g.mu.Unlock()
			g.leave()
		default:
			g.waiting.Remove(e)
			g.mu.Unlock()
		}
		return ctx.Err()
	}
}

// leave gives the place to the longest waiting, or back.
func (g *gate) leave() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if e := g.waiting.Front(); e != nil {
		close(g.waiting.Remove(e).(chan struct{}))
		return
	}
	g.free++
}
