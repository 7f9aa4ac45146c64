package bot

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"time"

	"github.com/lib/pq"
)

// notifyChannel is where every committed change to a conversation is announced, by
// whichever instance made it (Pipeline.notify).
const notifyChannel = "xingqu_conversation"

// hub fans PostgreSQL notifications out to this instance's open event streams. A
// subscriber is only woken; it reads what changed from the database itself, so a missed
// or coalesced wake-up loses nothing.
type hub struct {
	mu      sync.Mutex
	byConv  map[int64]map[*subscriber]struct{}
	all     map[*subscriber]struct{} // agents' streams: every conversation
	latest  map[int64]heardProgress  // the newest progress per conversation, for streams opened later
	started bool
	stop    context.CancelFunc
	done    chan struct{}
	ready   chan struct{} // closed once the listener listens (or has given up trying)
}

// heardProgress is a plan's progress and when it was heard.
type heardProgress struct {
	pr *Progress
	at time.Time
}

// progressKept is how long a conversation's latest progress is offered to streams that
// open after it: longer than any plan takes to write.
const progressKept = 5 * time.Minute

// subscriber is one open stream. ch holds at most one pending wake-up.
type subscriber struct {
	ch       chan struct{}
	mu       sync.Mutex
	changed  map[int64]struct{}
	resync   bool      // the listener reconnected: anything may have changed
	progress *Progress // only the newest matters: a slow stream skips what it missed
}

func newSubscriber() *subscriber {
	return &subscriber{ch: make(chan struct{}, 1), changed: map[int64]struct{}{}}
}

func (sb *subscriber) wake(convID int64, all bool) {
	sb.mu.Lock()
	if all {
		sb.resync = true
	} else {
		sb.changed[convID] = struct{}{}
	}
	sb.mu.Unlock()
	select {
	case sb.ch <- struct{}{}:
	default:
	}
}

func (sb *subscriber) setProgress(pr *Progress) {
	sb.mu.Lock()
	sb.progress = pr
	sb.mu.Unlock()
	select {
	case sb.ch <- struct{}{}:
	default:
	}
}

// takeProgress returns and clears the newest progress not yet sent, if any.
func (sb *subscriber) takeProgress() *Progress {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	pr := sb.progress
	sb.progress = nil
	return pr
}

// take returns and clears what changed since the last call.
func (sb *subscriber) take() (ids []int64, resync bool) {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	for id := range sb.changed {
		ids = append(ids, id)
	}
	clear(sb.changed)
	resync, sb.resync = sb.resync, false
	return ids, resync
}

// subscribe registers a stream for one conversation, or for all when convID is 0.
func (s *Server) subscribe(convID int64) (*subscriber, func()) {
	h := &s.web.hub
	s.startListener()
	sb := newSubscriber()
	h.mu.Lock()
	if convID == 0 {
		if h.all == nil {
			h.all = map[*subscriber]struct{}{}
		}
		h.all[sb] = struct{}{}
	} else {
		if h.byConv == nil {
			h.byConv = map[int64]map[*subscriber]struct{}{}
		}
		m := h.byConv[convID]
		if m == nil {
			m = map[*subscriber]struct{}{}
			h.byConv[convID] = m
		}
		m[sb] = struct{}{}
		// A stream opened while its plan is being written shows how far it has got
		// without waiting for the next report.
		if lp, ok := h.latest[convID]; ok && time.Since(lp.at) < progressKept {
			sb.setProgress(lp.pr)
		}
	}
	h.mu.Unlock()
	return sb, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if convID == 0 {
			delete(h.all, sb)
			return
		}
		delete(h.byConv[convID], sb)
		if len(h.byConv[convID]) == 0 {
			delete(h.byConv, convID)
		}
	}
}

// publish wakes the streams of a conversation (every stream when convID is 0 or resync).
func (h *hub) publish(convID int64, resync bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if resync {
		for _, m := range h.byConv {
			for sb := range m {
				sb.wake(0, true)
			}
		}
		for sb := range h.all {
			sb.wake(0, true)
		}
		return
	}
	for sb := range h.byConv[convID] {
		sb.wake(convID, false)
	}
	for sb := range h.all {
		sb.wake(convID, false)
	}
}

// publishProgress hands a plan's progress to the widget streams of its conversation and
// keeps it for the streams that open later. Agents' streams do not get it: the console
// shows the plan once it exists. Progress of an earlier request than the one kept is late
// and only offered to the open streams, which drop it if that plan is no longer awaited.
func (h *hub) publishProgress(pr *Progress) {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := time.Now()
	if h.latest == nil {
		h.latest = map[int64]heardProgress{}
	}
	for id, lp := range h.latest {
		if now.Sub(lp.at) >= progressKept {
			delete(h.latest, id)
		}
	}
	if lp, ok := h.latest[pr.ConversationID]; !ok || pr.PlanRequest >= lp.pr.PlanRequest {
		h.latest[pr.ConversationID] = heardProgress{pr: pr, at: now}
	}
	for sb := range h.byConv[pr.ConversationID] {
		sb.setProgress(pr)
	}
}

// startListener opens, on first use, this instance's one LISTEN connection, shared by
// every stream and every channel: a thousand streams cost the database one connection.
// The connection is made in the listener's goroutine, never under h.mu: LISTEN waits
// for as long as the database cannot be reached, and streams must not wait with it.
func (s *Server) startListener() {
	h := &s.web.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.started || s.Web.ListenURL == "" {
		return
	}
	h.started = true
	ctx, cancel := context.WithCancel(context.Background())
	h.stop, h.done = cancel, make(chan struct{})
	h.ready = make(chan struct{})
	go s.listen(ctx, h)
}

// listenWait bounds how long a new stream waits for the listener: past it, the stream
// opens anyway and its poll catches up with what a missing listener would have woken.
const listenWait = 3 * time.Second

// listening returns once this instance's listener is listening, so that a stream
// announced as open hears every notification sent after it; or, when the database
// cannot be reached, after listenWait.
func (s *Server) listening(ctx context.Context) {
	s.startListener()
	h := &s.web.hub
	h.mu.Lock()
	ready := h.ready
	h.mu.Unlock()
	if ready == nil { // no listener configured
		return
	}
	t := time.NewTimer(listenWait)
	defer t.Stop()
	select {
	case <-ready:
	case <-ctx.Done():
	case <-s.closing():
	case <-t.C:
	}
}

func (s *Server) listen(ctx context.Context, h *hub) {
	defer close(h.done)
	var once sync.Once
	ready := func() { once.Do(func() { close(h.ready) }) }
	defer ready()
	l := pq.NewListener(s.Web.ListenURL, 100*time.Millisecond, 5*time.Second, func(ev pq.ListenerEventType, err error) {
		switch ev {
		case pq.ListenerEventDisconnected:
			s.Log.Warn("event listener disconnected", "err", err)
		case pq.ListenerEventReconnected:
			// Notifications sent while disconnected are lost: every stream reads again.
			s.Log.Info("event listener reconnected")
			h.publish(0, true)
		case pq.ListenerEventConnectionAttemptFailed:
			s.Log.Warn("event listener cannot connect", "err", err)
		}
	})
	// Closing the listener is what releases a Listen still waiting for a connection.
	stopClosing := context.AfterFunc(ctx, func() { l.Close() })
	defer func() {
		if stopClosing() {
			l.Close()
		}
	}()
	for _, ch := range []string{notifyChannel, ProgressChannel} {
		if err := l.Listen(ch); err != nil {
			if ctx.Err() != nil {
				return
			}
			s.Log.Error("listen", "channel", ch, "err", err)
		}
	}
	ready()
	ping := time.NewTicker(30 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case n := <-l.Notify:
			if n == nil { // reconnected: the callback already asked everyone to re-read
				continue
			}
			if n.Channel == ProgressChannel {
				var pr Progress
				if json.Unmarshal([]byte(n.Extra), &pr) == nil && pr.ConversationID != 0 {
					h.publishProgress(&pr)
				}
				continue
			}
			id, err := strconv.ParseInt(n.Extra, 10, 64)
			if err != nil {
				continue
			}
			h.publish(id, false)
		case <-ping.C:
			go l.Ping()
		}
	}
}

func (h *hub) close() {
	h.mu.Lock()
	stop, done := h.stop, h.done
	h.mu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
}
