package web

import (
	"context"
	"sync"

	"xingqu/api"
)

// webState is the web channel's in-process state: rate limiters and the event hub (the
// turns still running after their request was answered are the pipeline's).
type webState struct {
	hub    hub
	limits api.Limiters

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

// Closing is closed when the server begins to stop, ending every event stream so that a
// graceful shutdown does not wait for listeners that never leave.
func (s *Widget) Closing() <-chan struct{} {
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

func (s *Widget) streamsPerAddr() int {
	if s.cfg.StreamsPerAddr > 0 {
		return s.cfg.StreamsPerAddr
	}
	return 20
}

// AdmitStream registers an event stream from the client address addr, for a widget
// session unless session is "". It refuses a stream beyond the address's cap, and ends
// the session's older stream: a widget holds one, and a tab reopened or a reconnect the
// server has not noticed yet must not keep the old one alive. kicked is closed when a
// newer stream takes the session's place; release must be called when the stream ends.
func (s *Widget) AdmitStream(addr, session string) (kicked <-chan struct{}, release func(), ok bool) {
	w := &s.web
	key := api.LimitKey(addr)
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

// Close ends the channel's event streams and stops its turns in flight, and waits for
// them. Every call waits: serve registers it to end event streams as shutdown
// begins, then calls it again so that the database outlives the last turn.
func (s *Widget) Close() {
	s.Closing()
	s.web.closeOnce.Do(func() { close(s.web.closeCh) })
	s.web.kickMu.Lock()
	s.web.closed = true
	s.web.kickMu.Unlock()
	if s.Pipeline != nil {
		s.Pipeline.Wait()
	}
}

// kick starts the turn of a widget message now, unless the server is closing: then the
// message waits, stored, for the sweeper or the next start, and the database may close.
func (s *Widget) kick(ctx context.Context, convID int64) {
	s.web.kickMu.RLock()
	defer s.web.kickMu.RUnlock()
	if !s.web.closed {
		s.Pipeline.Kick(ctx, convID)
	}
}

// OpenStreams counts the event streams this instance holds open, the widget's and the
// agents'.
func (s *Widget) OpenStreams() int {
	s.web.streamMu.Lock()
	defer s.web.streamMu.Unlock()
	n := 0
	for _, c := range s.web.streamsByAddr {
		n += c
	}
	return n
}
