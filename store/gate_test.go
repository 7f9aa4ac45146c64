package store

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// queued waits until n callers wait at g.
func queued(t *testing.T, g *gate, n int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; {
		g.mu.Lock()
		l := g.waiting.Len()
		g.mu.Unlock()
		if l == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d waiting, want %d", l, n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestGateAdmitsInOrder(t *testing.T) {
	g := newGate(2)
	ctx := context.Background()
	for range 2 {
		if err := g.enter(ctx); err != nil {
			t.Fatal(err)
		}
	}
	const n = 20
	order := make(chan int, n)
	for i := range n {
		go func() {
			if err := g.enter(ctx); err != nil {
				t.Error(err)
				return
			}
			order <- i
		}()
		queued(t, g, i+1)
	}
	for want := range n {
		g.leave()
		if got := <-order; got != want {
			t.Fatalf("admitted %d, want %d: the gate is not first come, first served", got, want)
		}
	}
	g.leave()
	g.leave()
	if g.free != 2 {
		t.Fatalf("%d places free after all left, want 2", g.free)
	}
}

func TestGateGivesUpWithTheContext(t *testing.T) {
	g := newGate(1)
	if err := g.enter(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- g.enter(ctx) }()
	queued(t, g, 1)
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("enter = %v, want context.Canceled", err)
	}
	queued(t, g, 0)
	g.leave()
	if g.free != 1 {
		t.Fatalf("%d places free, want 1", g.free)
	}
}

// Places given as contexts end are passed on, never lost: after many callers with
// random deadlines, every place is free again and never more than n were inside.
func TestGateLosesNoPlace(t *testing.T) {
	const places = 3
	g := newGate(places)
	var mu sync.Mutex
	inside, most := 0, 0
	var wg sync.WaitGroup
	for i := range 500 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), time.Duration(rand.IntN(300))*time.Microsecond)
			defer cancel()
			if i%2 == 0 {
				ctx = context.Background()
			}
			if g.enter(ctx) != nil {
				return
			}
			mu.Lock()
			inside++
			most = max(most, inside)
			mu.Unlock()
			time.Sleep(time.Duration(rand.IntN(100)) * time.Microsecond)
			mu.Lock()
			inside--
			mu.Unlock()
			g.leave()
		}()
	}
	wg.Wait()
	if most > places {
		t.Fatalf("%d inside at once, want at most %d", most, places)
	}
	if g.free != places || g.waiting.Len() != 0 {
		t.Fatalf("%d free and %d waiting at the end, want %d and 0", g.free, g.waiting.Len(), places)
	}
}

// A pool without a limit (database/sql: MaxOpen <= 0) gets no gate, not one that
// admits nobody.
func TestNoGateForAnUnboundedPool(t *testing.T) {
	for _, n := range []int{0, -1} {
		if g := newGate(n); g != nil {
			t.Fatalf("newGate(%d) = %+v, want nil", n, g)
		}
	}
}
