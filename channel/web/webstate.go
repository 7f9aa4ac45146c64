package web

import (
	"context"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// webState is the web channel's in-process state: rate limiters and the event hub (the
// turns still running after their request was answered are the pipeline's).
type webState struct {
	hub     hub
	limMu   sync.Mutex
	lims    map[string]*limiterEntry
	limSeen time.Time

	streamMu         sync.Mutex
	streamsByAddr    map[string]int
	streamsBySession map[string]streamSlot

	closeOnce sync.Once
	// kickMu orders the widget's turns against Close: none starts once closed is set.
	kickMu  sync.RWMutex
	closed  bool
	closeMu sync.Mutex
	closeCh chan struct{}
}

// closing is closed when the server begins to stop, ending every event stream so that a
// graceful shutdown does not wait for listeners that never leave.
func (s *Server) closing() <-chan struct{} {
	s.web.closeMu.Lock()
	defer s.web.closeMu.Unlock()
	if s.web.closeCh == nil {
		s.web.closeCh = make(chan struct{})
	}
	return s.web.closeCh
}

// streamSlot is a widget session's newest event stream: kick ends it.
type streamSlot struct {
	kick chan struct{}
	addr string
}

func (s *Server) streamsPerAddr() int {
	if s.Web.StreamsPerAddr > 0 {
		return s.Web.StreamsPerAddr
	}
	return 20
}

// admitStream registers an event stream from the client address addr, for a widget
// session unless session is "". It refuses a stream beyond the address's cap, and ends
// the session's older stream: a widget holds one, and a tab reopened or a reconnect the
// server has not noticed yet must not keep the old one alive. kicked is closed when a
// newer stream takes the session's place; release must be called when the stream ends.
func (s *Server) admitStream(addr, session string) (kicked <-chan struct{}, release func(), ok bool) {
	w := &s.web
	key := limitKey(addr)
	w.streamMu.Lock()
	defer w.streamMu.Unlock()
	if w.streamsByAddr == nil {
		w.streamsByAddr = map[string]int{}
		w.streamsBySession = map[string]streamSlot{}
	}
	old, replacing := w.streamsBySession[session]
	replacing = replacing && old.addr == key
	if w.streamsByAddr[key] >= s.streamsPerAddr() && !replacing {
		return nil, nil, false
	}
	w.streamsByAddr[key]++
	mine := streamSlot{kick: make(chan struct{}), addr: key}
	if session != "" {
		if old.kick != nil {
			close(old.kick)
		}
		w.streamsBySession[session] = mine
	}
	return mine.kick, func() {
		w.streamMu.Lock()
		defer w.streamMu.Unlock()
		if w.streamsByAddr[key]--; w.streamsByAddr[key] <= 0 {
			delete(w.streamsByAddr, key)
		}
		if session != "" && w.streamsBySession[session].kick == mine.kick {
			delete(w.streamsBySession, session)
		}
	}, true
}

type limiterEntry struct {
	l    *rate.Limiter
	used time.Time
}

// limitKey is the part of a client address that limits count against. An IPv6 client
// is usually handed a whole /64 and can pick a fresh address from it for every request,
// so its limits key on the /64; IPv4 and IPv4-mapped addresses key on the address.
func limitKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, _ := a.WithZone("").Prefix(64)
	return p.String()
}

// allow spends one token of the limiter named key, made with r and burst on first use.
// Limits are per instance: with several instances behind a balancer a client gets up to
// the limit at each.
func (s *Server) allow(key string, r rate.Limit, burst int) (bool, time.Duration) {
	w := &s.web
	w.limMu.Lock()
	defer w.limMu.Unlock()
	now := time.Now()
	if w.lims == nil {
		w.lims = map[string]*limiterEntry{}
	}
	// Forget idle limiters now and then so that the map does not grow without bound.
	if now.Sub(w.limSeen) > 10*time.Minute {
		for k, e := range w.lims {
			if now.Sub(e.used) > time.Hour {
				delete(w.lims, k)
			}
		}
		w.limSeen = now
	}
	e := w.lims[key]
	if e == nil {
		e = &limiterEntry{l: rate.NewLimiter(r, burst)}
		w.lims[key] = e
	}
	e.used = now
	res := e.l.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return false, d
	}
	return true, 0
}

// Close stops the server's background work, the event listener and turns in flight, and
// waits for it. Every call waits: serve registers it to end event streams as shutdown
// begins, then calls it again so that the database outlives the last turn.
func (s *Server) Close() {
	s.closing()
	s.web.closeOnce.Do(func() { close(s.web.closeCh) })
	s.web.hub.close()
	s.web.kickMu.Lock()
	s.web.closed = true
	s.web.kickMu.Unlock()
	if s.Pipeline != nil {
		s.Pipeline.Wait()
	}
}

// kick starts the turn of a widget message now, unless the server is closing: then the
// message waits, stored, for the sweeper or the next start, and the database may close.
func (s *Server) kick(ctx context.Context, convID int64) {
	s.web.kickMu.RLock()
	defer s.web.kickMu.RUnlock()
	if !s.web.closed {
		s.Pipeline.Kick(ctx, convID)
	}
}
