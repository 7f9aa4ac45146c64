package telegram

import (
	"context"
	"sync"
	"time"

	"xingqu/store"
)

// Stream shows a text that grows (a plan arriving token by token) as one message edited
// in place, at most once per Interval: Telegram limits edits like messages, and a
// reader cannot follow faster anyway. Updates in between are coalesced into the latest.
type Stream struct {
	Interval time.Duration
	emit     func(text string, final bool) error

	in   chan string
	done chan struct{}
	err  error
	once sync.Once
}

// NewStream starts a stream that hands texts to emit (the first call sends, later calls
// edit) no more than once per interval; Close flushes the last text.
func NewStream(interval time.Duration, emit func(text string, final bool) error) *Stream {
	s := &Stream{Interval: interval, emit: emit, in: make(chan string, 64), done: make(chan struct{})}
	go s.loop()
	return s
}

// Update replaces the text shown.
func (s *Stream) Update(text string) { s.in <- text }

// Close shows the final text (waiting out the interval if need be) and returns the first
// error emit reported.
func (s *Stream) Close() error {
	s.once.Do(func() { close(s.in) })
	<-s.done
	return s.err
}

func (s *Stream) loop() {
	defer close(s.done)
	var pending string
	has := false
	var last time.Time
	var timer <-chan time.Time
	emit := func(final bool) {
		if err := s.emit(pending, final); err != nil && s.err == nil {
			s.err = err
		}
		has, last = false, time.Now()
	}
	for {
		select {
		case t, ok := <-s.in:
			if !ok {
				if has {
					if wait := s.Interval - time.Since(last); !last.IsZero() && wait > 0 {
						time.Sleep(wait)
					}
					emit(true)
				}
				return
			}
			pending, has = t, true
			if timer == nil {
				if wait := s.Interval - time.Since(last); last.IsZero() || wait <= 0 {
					emit(false)
				} else {
					timer = time.After(wait)
				}
			}
		case <-timer:
			timer = nil
			if has {
				emit(false)
			}
		}
	}
}

// NewOutboxStream streams into a Telegram chat through the outbox: the first text is a
// new message, every later one an edit of it, each a row of its own so that a crash
// loses at most the latest edit.
func NewOutboxStream(ctx context.Context, db *store.DB, chatID string, travellerID, convID int64) *Stream {
	var first int64
	return NewStream(time.Second, func(text string, final bool) error {
		html := SplitHTML(Escape(text), MaxMessageLen)
		if len(html) == 0 {
			return nil
		}
		// An edit can only replace one message: a text that outgrew it shows its end.
		body := html[len(html)-1]
		if first == 0 {
			id, err := store.EnqueueOutbox(ctx, db, store.NewOutbox{TravellerID: travellerID, ConversationID: convID, ChatID: chatID,
				Method: "sendMessage", Params: map[string]string{"chat_id": chatID, "text": body, "parse_mode": "HTML"}})
			first = id
			return err
		}
		_, err := store.EnqueueOutbox(ctx, db, store.NewOutbox{TravellerID: travellerID, ConversationID: convID, ChatID: chatID,
			Method: "editMessageText", EditOf: first, Params: map[string]string{"chat_id": chatID, "text": body, "parse_mode": "HTML"}})
		return err
	})
}
