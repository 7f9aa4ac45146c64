package pipeline

import (
	"context"
	"sync"
	"time"

	"xingqu/dialog"
	"xingqu/providers/llm"
	"xingqu/store"
)

// hintMemo makes the extractor read each message once, however many drains reach it:
// ten messages arriving together start ten drains, and each one looks at the oldest
// pending message before it can take the conversation's lock. The first drain asks the
// model; the others wait for its answer and use it.
type hintMemo struct {
	mu    sync.Mutex
	calls map[int64]*hintCall // by inbox item
}

type hintCall struct {
	done    chan struct{}
	ex      *dialog.Extraction // nil when the model had nothing or failed
	started time.Time
}

// hintMemoTTL is how long a message's reading is kept: far longer than a message waits
// for its turn (a drain that looked at it just before it was handled must still find
// it), and short enough that the memo stays small.
const hintMemoTTL = 5 * time.Minute

// do returns the reading of inbox item id, calling read only if nobody has.
func (m *hintMemo) do(id int64, read func() *dialog.Extraction) *dialog.Extraction {
	m.mu.Lock()
	if m.calls == nil {
		m.calls = map[int64]*hintCall{}
	}
	if c, ok := m.calls[id]; ok {
		m.mu.Unlock()
		<-c.done
		return c.ex
	}
	now := time.Now()
	for k, c := range m.calls {
		if now.Sub(c.started) > hintMemoTTL {
			delete(m.calls, k)
		}
	}
	c := &hintCall{done: make(chan struct{}), started: now}
	m.calls[id] = c
	m.mu.Unlock()
	defer close(c.done)
	c.ex = read()
	return c.ex
}

// ready returns the reading of item id if it has been made.
func (m *hintMemo) ready(id int64) (*dialog.Extraction, bool) {
	m.mu.Lock()
	c, ok := m.calls[id]
	m.mu.Unlock()
	if !ok {
		return nil, false
	}
	select {
	case <-c.done:
		return c.ex, true
	default:
		return nil, false
	}
}

// needsHint reports whether a message goes to the extractor: a text the parsers leave
// something of unread.
func (p *Pipeline) needsHint(in Inbound, conv dialog.Conversation) bool {
	if p.Extractor == nil || in.Text == "" {
		return false
	}
	if dialog.IsEmergency(in.Text, in.Action) {
		return false // answered at once, never after a model call
	}
	return dialog.Extract(in.Text, p.Engine.ParseContextFor(conv.State, conv.TimeZone)).Unparsed
}

// spender says who the model calls made for a conversation are charged to. The traveller
// is looked up when the first call is about to be made, not before: most plans and
// messages call no model (none configured, the parsers read the message) and so cost no
// query. When the look-up fails, the calls are charged to the conversation, which still
// has a budget.
func (p *Pipeline) spender(ctx context.Context, convID int64) context.Context {
	return llm.WithSpenderFunc(ctx, func(ctx context.Context) llm.Spender {
		traveller, network, err := store.Spender(ctx, p.DB, convID)
		if err != nil {
			p.Log.Warn("spender", "conversation", convID, "err", err)
			return llm.Spender{Traveller: PlanJob{ConversationID: convID}.TravellerID()}
		}
		return llm.Spender{Traveller: traveller, Address: network}
	})
}

// Claims on a message's reading older than readingStale are taken over: the instance that
// made them died or gave up. readingWait is how long another instance's reading is waited
// for; both are a little longer than the extractor's own time limit.
const (
	readingStale = 10 * time.Second
	readingWait  = 7 * time.Second
	readingPoll  = 100 * time.Millisecond
)

// readOnce returns the reading of inbox item id, asking the model (read) only if no
// instance has: on this instance the memo joins concurrent drains, and across instances
// a claim in PostgreSQL does.
func (p *Pipeline) readOnce(ctx context.Context, id int64, read func() *dialog.Extraction) *dialog.Extraction {
	return p.hints.do(id, func() *dialog.Extraction {
		claimed, done, ex, err := store.ClaimReading(ctx, p.DB, id, readingStale)
		switch {
		case err != nil:
			p.Log.Warn("claim reading", "inbox", id, "err", err)
			return read()
		case done:
			return ex
		case claimed:
			ex = read()
			if err := store.SaveReading(context.WithoutCancel(ctx), p.DB, id, ex); err != nil {
				p.Log.Warn("save reading", "inbox", id, "err", err)
			}
			return ex
		}
		// Another instance is reading it: its answer is worth the wait, a second call is not.
		t := time.NewTicker(readingPoll)
		defer t.Stop()
		deadline := time.After(readingWait)
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-deadline:
				return nil
			case <-t.C:
			}
			if done, ex, err := store.Reading(ctx, p.DB, id); err == nil && done {
				return ex
			}
		}
	})
}
