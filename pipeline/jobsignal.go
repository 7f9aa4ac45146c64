package pipeline

import (
	"context"
	"slices"
	"sync"
	"time"

	"xingqu/store"
)

// JobSignal wakes the plan workers of one instance when jobs are queued, one worker per
// job: each announcement (store.JobsChannel, heard from every instance) is owed one
// claim, made by the first worker free to make it. Workers that poll claim nothing most
// of the time, and each empty claim is a transaction; with a signal they poll only
// rarely, for what no announcement covers: jobs whose lease ran out, jobs released to
// run later, and announcements lost while the listener was reconnecting.
type JobSignal struct {
	mu   sync.Mutex
	owed int           // claims announced and not yet made
	ch   chan struct{} // wakes one waiting worker
}

// maxOwed bounds the claims a burst of announcements can owe; past it the workers are
// busy anyway, and the jobs left over are found when a polling claim finds one and
// looks again at once.
const maxOwed = 10_000

// NewJobSignal returns a signal with no claim owed.
func NewJobSignal() *JobSignal { return &JobSignal{ch: make(chan struct{}, 1)} }

// Announce says n jobs were queued: n claims are owed.
func (s *JobSignal) Announce(n int) {
	s.mu.Lock()
	s.owed = min(s.owed+n, maxOwed)
	s.mu.Unlock()
	s.wake()
}

// Listen announces every job of kinds queued anywhere, as l hears of it, and a claim
// for each of workers whenever l (re)connects, since what was queued meanwhile was not
// heard. It starts l.
func (s *JobSignal) Listen(ctx context.Context, l *store.Listener, kinds []string, workers int) {
	l.Subscribe(store.JobsChannel, func(kind string) {
		if slices.Contains(kinds, kind) {
			s.Announce(1)
		}
	})
	l.OnReconnect(func() { s.Announce(workers) })
	l.Start()
	go func() {
		select {
		case <-l.Ready():
			s.Announce(workers)
		case <-ctx.Done():
		}
	}()
}

func (s *JobSignal) wake() {
	select {
	case s.ch <- struct{}{}:
	default: // a worker is being woken already; it passes the wake-up on
	}
}

// wait takes one owed claim, waiting up to d for one to be announced; false when none
// was (the caller then polls) or ctx ended.
func (s *JobSignal) wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		s.mu.Lock()
		if s.owed > 0 {
			s.owed--
			more := s.owed > 0
			s.mu.Unlock()
			if more {
				s.wake() // the next claim is another worker's, if one is waiting
			}
			return true
		}
		s.mu.Unlock()
		select {
		case <-s.ch:
		case <-t.C:
			return false
		case <-ctx.Done():
			return false
		}
	}
}
