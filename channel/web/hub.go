package web

import (
	"cmp"
	"context"
	"encoding/json"
	"math"
	"slices"
	"sync"
	"time"
	"xingqu/pipeline"
	"xingqu/store"
)

// hub fans PostgreSQL notifications out to this instance's open event streams. A
// subscriber is only woken; it reads what changed from the database itself, so a missed
// or coalesced wake-up loses nothing. A turn committed in this process is also handed
// to the widget streams of its conversation (the hub is the pipeline's TurnWatcher): a
// stream that has shown every message before the turn's shows its lines without a
// read, and reads for anything else.
type hub struct {
	mu      sync.Mutex
	byConv  map[int64]map[*Subscriber]struct{}
	all     map[*Subscriber]struct{} // agents' streams: every conversation
	latest  map[int64]heardProgress  // the newest progress per conversation, for streams opened later
	started bool
	// committing holds this process's turns of conversations with a widget stream here
	// from their last statement until their commit has answered, by conversation and
	// last line. A turn's notification is sent once it has committed, but can still be
	// heard before the turn is handed over (Committed): it is then held back (true) until
	// the turn is handed over, which makes it moot, or undone.
	committing map[int64]map[int64]bool
	// listener wakes the hub: the process's, which the process closes.
	listener *store.Listener
}

// heardProgress is a plan's progress and when it was heard.
type heardProgress struct {
	pr *pipeline.Progress
	at time.Time
}

// progressKept is how long a conversation's latest progress is offered to streams that
// open after it: longer than any plan takes to write.
const progressKept = 5 * time.Minute

// Subscriber is one open stream. ch holds at most one pending wake-up.
type Subscriber struct {
	ch chan struct{}
	mu sync.Mutex
	// changed holds, for each conversation notified since the last take, the newest
	// message a notification named, or anyMessage.
	changed  map[int64]int64
	resync   bool               // the listener reconnected: anything may have changed
	progress *pipeline.Progress // only the newest matters: a slow stream skips what it missed
	handed   []store.TurnLines  // turns committed here since the last take
}

// anyMessage stands for the message a notification that names none may be about: any.
const anyMessage = math.MaxInt64

// maxHanded bounds the turns a stream that does not take them keeps: past it the oldest
// is dropped, and the stream reads instead.
const maxHanded = 16

func newSubscriber() *Subscriber {
	return &Subscriber{ch: make(chan struct{}, 1), changed: map[int64]int64{}}
}

// wake records that convID changed up to message last (anyMessage: unknown), or with
// all that anything may have changed.
func (sb *Subscriber) wake(convID, last int64, all bool) {
	sb.mu.Lock()
	if all {
		sb.resync = true
	} else {
		sb.changed[convID] = max(sb.changed[convID], last)
	}
	sb.mu.Unlock()
	sb.signal()
}

func (sb *Subscriber) signal() {
	select {
	case sb.ch <- struct{}{}:
	default:
	}
}

// hand gives the stream a turn's lines.
func (sb *Subscriber) hand(t store.TurnLines) {
	sb.mu.Lock()
	if len(sb.handed) == maxHanded {
		sb.handed = slices.Delete(sb.handed, 0, 1)
	}
	sb.handed = append(sb.handed, t)
	sb.mu.Unlock()
	sb.signal()
}

// catchUp takes what woke the stream of convID since the last take, the stream having
// shown every message up to last. ms are the messages handed to it that follow last
// without a gap, in order; read says the transcript must still be read after them: a
// notification named a later message or none, the listener reconnected, or a turn
// handed here does not follow on (one in between was missed, or is still to come).
func (sb *Subscriber) catchUp(convID, last int64) (ms []store.Message, read bool) {
	sb.mu.Lock()
	handed := sb.handed
	sb.handed = nil
	heard, notified := sb.changed[convID]
	clear(sb.changed)
	read, sb.resync = sb.resync, false
	sb.mu.Unlock()
	// Turns of one conversation commit in order, but may be handed out of it.
	slices.SortFunc(handed, func(a, b store.TurnLines) int { return cmp.Compare(a.After, b.After) })
	for _, t := range handed {
		end := lastLine(t)
		switch {
		case t.After == last:
			ms = append(ms, t.Messages...)
			last = end
		case end <= last:
			// Shown already: read before it was handed.
		default:
			read = true
		}
	}
	return ms, read || notified && heard > last
}

func (sb *Subscriber) setProgress(pr *pipeline.Progress) {
	sb.mu.Lock()
	sb.progress = pr
	sb.mu.Unlock()
	select {
	case sb.ch <- struct{}{}:
	default:
	}
}

// takeProgress returns and clears the newest progress not yet sent, if any.
func (sb *Subscriber) takeProgress() *pipeline.Progress {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	pr := sb.progress
	sb.progress = nil
	return pr
}

// Woken receives when something changed since the last Take.
func (sb *Subscriber) Woken() <-chan struct{} { return sb.ch }

// Take returns and clears what changed since the last call.
func (sb *Subscriber) Take() (ids []int64, resync bool) {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	for id := range sb.changed {
		ids = append(ids, id)
	}
	clear(sb.changed)
	resync, sb.resync = sb.resync, false
	return ids, resync
}

// Subscribe registers a stream for one conversation, or for all when convID is 0.
func (s *Widget) Subscribe(convID int64) (*Subscriber, func()) {
	h := &s.web.hub
	s.startListener()
	sb := newSubscriber()
	h.mu.Lock()
	if convID == 0 {
		if h.all == nil {
			h.all = map[*Subscriber]struct{}{}
		}
		h.all[sb] = struct{}{}
	} else {
		if h.byConv == nil {
			h.byConv = map[int64]map[*Subscriber]struct{}{}
		}
		m := h.byConv[convID]
		if m == nil {
			m = map[*Subscriber]struct{}{}
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

// publish wakes the streams of a conversation changed up to message last (anyMessage:
// unknown), or every stream when resync.
func (h *hub) publish(convID, last int64, resync bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if resync {
		for _, m := range h.byConv {
			for sb := range m {
				sb.wake(0, 0, true)
			}
		}
		for sb := range h.all {
			sb.wake(0, 0, true)
		}
		return
	}
	for sb := range h.all {
		sb.wake(convID, last, false)
	}
	if held, ok := h.committing[convID][last]; ok {
		if !held {
			h.committing[convID][last] = true
		}
		return
	}
	for sb := range h.byConv[convID] {
		sb.wake(convID, last, false)
	}
}

// Committing notes a turn of this process about to commit, if its conversation has a
// widget stream here, so that its notification waits for it.
func (h *hub) Committing(t store.TurnLines) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.byConv[t.ConversationID]) == 0 {
		return
	}
	if h.committing == nil {
		h.committing = map[int64]map[int64]bool{}
	}
	m := h.committing[t.ConversationID]
	if m == nil {
		m = map[int64]bool{}
		h.committing[t.ConversationID] = m
	}
	m[lastLine(t)] = false
}

// Committed hands a turn committed in this process to the widget streams of its
// conversation. Agents' streams read the transcript on the turn's notification.
func (h *hub) Committed(t store.TurnLines) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.settle(t)
	for sb := range h.byConv[t.ConversationID] {
		sb.hand(t)
	}
}

// Undone forgets a turn whose commit failed: it may have committed all the same (the
// commit's answer was lost), and then no notification tells of it. The streams of its
// conversation read the transcript, and the agents' streams the conversation.
func (h *hub) Undone(t store.TurnLines) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.settle(t)
	for sb := range h.byConv[t.ConversationID] {
		sb.wake(t.ConversationID, lastLine(t), false)
	}
	for sb := range h.all {
		sb.wake(t.ConversationID, lastLine(t), false)
	}
}

// settle forgets a turn noted by Committing, and with it its notification if held.
func (h *hub) settle(t store.TurnLines) {
	m := h.committing[t.ConversationID]
	delete(m, lastLine(t))
	if len(m) == 0 {
		delete(h.committing, t.ConversationID)
	}
}

func lastLine(t store.TurnLines) int64 { return t.Messages[len(t.Messages)-1].ID }

// publishProgress hands a plan's progress to the widget streams of its conversation and
// keeps it for the streams that open later. Agents' streams do not get it: the console
// shows the plan once it exists. Progress of an earlier request than the one kept is late
// and only offered to the open streams, which drop it if that plan is no longer awaited.
func (h *hub) publishProgress(pr *pipeline.Progress) {
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

// startListener subscribes the hub, on first use, to this process's one notification
// listener, shared by every stream and every channel: a thousand streams cost the
// database one connection. The listener connects in its own goroutine, never under h.mu:
// LISTEN waits for as long as the database cannot be reached, and streams must not wait
// with it.
func (s *Widget) startListener() {
	h := &s.web.hub
	h.mu.Lock()
	if h.started {
		h.mu.Unlock()
		return
	}
	h.started = true
	l := s.cfg.Listener
	h.listener = l
	h.mu.Unlock()
	l.Subscribe(store.ConversationChannel, func(payload string) {
		if id, last, ok := store.ParseConversationPayload(payload); ok {
			if last == 0 {
				last = anyMessage
			}
			h.publish(id, last, false)
		}
	})
	l.Subscribe(store.ProgressChannel, func(payload string) {
		var pr pipeline.Progress
		if json.Unmarshal([]byte(payload), &pr) == nil && pr.ConversationID != 0 {
			h.publishProgress(&pr)
		}
	})
	// Notifications sent while disconnected are lost: every stream reads again.
	l.OnReconnect(func() { h.publish(0, 0, true) })
	l.Start()
}

// listenWait bounds how long a new stream waits for the listener: past it, the stream
// opens anyway and its poll catches up with what a missing listener would have woken.
const listenWait = 3 * time.Second

// Listening returns once this instance's listener is listening, so that a stream
// announced as open hears every notification sent after it; or, when the database
// cannot be reached, after listenWait.
func (s *Widget) Listening(ctx context.Context) {
	s.startListener()
	h := &s.web.hub
	h.mu.Lock()
	l := h.listener
	h.mu.Unlock()
	if !l.Configured() {
		return
	}
	t := time.NewTimer(listenWait)
	defer t.Stop()
	select {
	case <-l.Ready():
	case <-ctx.Done():
	case <-s.Closing():
	case <-t.C:
	}
}

// Subscriptions counts the conversations with an open widget stream and the agents'
// streams, and says whether the listener that wakes them is listening.
func (s *Widget) Subscriptions() (conversations, agents int, listening bool) {
	h := &s.web.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.listener != nil {
		select {
		case <-h.listener.Ready():
			listening = true
		default:
		}
	}
	return len(h.byConv), len(h.all), listening
}

// LatestProgress is the newest progress heard of a conversation's plan, which streams that
// open later are shown.
func (s *Widget) LatestProgress(convID int64) (pipeline.Progress, bool) {
	h := &s.web.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	lp, ok := h.latest[convID]
	if !ok {
		return pipeline.Progress{}, false
	}
	return *lp.pr, true
}
