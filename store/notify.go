package store

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lib/pq"
)

// The notification bus: PostgreSQL's NOTIFY carries a short payload to every process
// that LISTENs on its channel, and only once the sending transaction commits. Each
// process keeps one Listener, one connection shared by every subscriber.

// The channels of the bus.
const (
	// ConversationChannel carries the id of a conversation that changed (a turn, an
	// agent's message, a takeover): widget streams and the console read it again. A
	// turn's notification also names the last message it wrote (ConversationPayload).
	ConversationChannel = "xingqu_conversation"
	// ProgressChannel carries how far a plan being written has got, as JSON.
	ProgressChannel = "xingqu_plan_progress"
	// JobsChannel carries the kind of a job queued to run at once (EnqueueJob), so that
	// one idle worker looks for it.
	JobsChannel = "xingqu_jobs"
)

// ConversationPayload is a notification on ConversationChannel: the conversation's id
// and, after a colon, the last message the change wrote, so that a stream which has
// shown it already need not read; lastMessage 0 names none.
func ConversationPayload(convID, lastMessage int64) string {
	if lastMessage == 0 {
		return strconv.FormatInt(convID, 10)
	}
	return strconv.FormatInt(convID, 10) + ":" + strconv.FormatInt(lastMessage, 10)
}

// ParseConversationPayload reads a notification on ConversationChannel; lastMessage is 0
// when it names no message (or none it can read): then any message may have changed.
func ParseConversationPayload(payload string) (convID, lastMessage int64, ok bool) {
	conv, last, _ := strings.Cut(payload, ":")
	convID, err := strconv.ParseInt(conv, 10, 64)
	if err != nil {
		return 0, 0, false
	}
	if n, err := strconv.ParseInt(last, 10, 64); err == nil && n > 0 {
		lastMessage = n
	}
	return convID, lastMessage, true
}

// MaxNotifyPayload is PostgreSQL's limit on a notification's payload (8000 bytes), less
// a margin.
const MaxNotifyPayload = 7900

// ErrPayloadTooLarge is returned by Notify and NotifyAfterCommit for a payload over
// MaxNotifyPayload.
var ErrPayloadTooLarge = fmt.Errorf("notification payload over %d bytes", MaxNotifyPayload)

// Notify announces payload on channel. Given a transaction, PostgreSQL delivers it only if
// the transaction commits, and that commit then waits for NOTIFY's lock (notifier.go):
// a transaction of InTx asks with NotifyAfterCommit instead. Given the pool, at once.
func Notify(ctx context.Context, q Queryer, channel, payload string) error {
	if len(payload) > MaxNotifyPayload {
		return fmt.Errorf("notify %s: %w (%d bytes)", channel, ErrPayloadTooLarge, len(payload))
	}
	if _, err := q.ExecContext(ctx, `SELECT pg_notify($1, $2)`, channel, payload); err != nil {
		return fmt.Errorf("notify %s: %w", channel, err)
	}
	return nil
}

// Listener is a process's one LISTEN connection. It fans each notification out to the
// subscribers of its channel and tells every subscriber when the connection was lost,
// since the notifications sent meanwhile are gone. It connects on the first Start.
type Listener struct {
	url string
	log *slog.Logger

	mu      sync.Mutex
	subs    map[string][]func(payload string)
	lost    []func()
	pl      *pq.Listener // set while running
	started bool
	stop    context.CancelFunc
	done    chan struct{}
	ready   chan struct{}
}

// NewListener makes the listener of a process; url is the database URL of a direct
// session (LISTEN does not pass through a transaction pooler). An empty url makes a
// listener that never hears anything: subscribers then rely on polling.
func NewListener(url string, log *slog.Logger) *Listener {
	return &Listener{url: url, log: log, subs: map[string][]func(string){}, ready: make(chan struct{})}
}

// Subscribe calls fn with the payload of every notification on channel. fn runs on the
// listener's goroutine and must not block. A channel first subscribed to after Start is
// listened on from then.
func (l *Listener) Subscribe(channel string, fn func(payload string)) {
	l.mu.Lock()
	first := len(l.subs[channel]) == 0
	l.subs[channel] = append(l.subs[channel], fn)
	pl := l.pl
	l.mu.Unlock()
	if first && pl != nil {
		go l.listen(pl, channel)
	}
}

// OnReconnect calls fn after the connection was lost and made again: notifications sent
// in between were not heard. fn runs on the listener's goroutine and must not block.
func (l *Listener) OnReconnect(fn func()) {
	l.mu.Lock()
	l.lost = append(l.lost, fn)
	l.mu.Unlock()
}

// Start connects and listens, once per listener, in a goroutine of its own until Close;
// it never waits for the database.
func (l *Listener) Start() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.started || l.url == "" {
		return
	}
	l.started = true
	ctx, cancel := context.WithCancel(context.Background())
	l.stop, l.done = cancel, make(chan struct{})
	go l.run(ctx)
}

// Ready is closed once the listener listens on the channels subscribed before Start, or
// has given up trying; it stays open for a listener without a URL or not started.
func (l *Listener) Ready() <-chan struct{} { return l.ready }

// Configured reports whether the listener has a database to listen on.
func (l *Listener) Configured() bool { return l.url != "" }

// Close stops the listener and waits for it.
func (l *Listener) Close() {
	l.mu.Lock()
	stop, done := l.stop, l.done
	l.mu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
}

func (l *Listener) listen(pl *pq.Listener, channel string) {
	if err := pl.Listen(channel); err != nil && err != pq.ErrChannelAlreadyOpen {
		l.log.Error("listen", "channel", channel, "err", err)
	}
}

func (l *Listener) run(ctx context.Context) {
	defer close(l.done)
	var once sync.Once
	ready := func() { once.Do(func() { close(l.ready) }) }
	defer ready()
	pl := pq.NewListener(l.url, 100*time.Millisecond, 5*time.Second, func(ev pq.ListenerEventType, err error) {
		switch ev {
		case pq.ListenerEventDisconnected:
			l.log.Warn("notification listener disconnected", "err", err)
		case pq.ListenerEventReconnected:
			l.log.Info("notification listener reconnected")
		case pq.ListenerEventConnectionAttemptFailed:
			l.log.Warn("notification listener cannot connect", "err", err)
		}
	})
	// Closing the listener is what releases a Listen still waiting for a connection.
	stopClosing := context.AfterFunc(ctx, func() { pl.Close() })
	defer func() {
		if stopClosing() {
			pl.Close()
		}
	}()
	l.mu.Lock()
	l.pl = pl
	var channels []string
	for ch := range l.subs {
		channels = append(channels, ch)
	}
	l.mu.Unlock()
	for _, ch := range channels {
		if err := pl.Listen(ch); err != nil && err != pq.ErrChannelAlreadyOpen {
			if ctx.Err() != nil {
				return
			}
			l.log.Error("listen", "channel", ch, "err", err)
		}
	}
	ready()
	ping := time.NewTicker(30 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case n, ok := <-pl.Notify:
			if !ok {
				return // closed
			}
			l.mu.Lock()
			var fns []func(string)
			if n == nil { // reconnected: whatever was sent meanwhile is lost
				for _, fn := range l.lost {
					fns = append(fns, func(string) { fn() })
				}
			} else {
				fns = append(fns, l.subs[n.Channel]...)
			}
			l.mu.Unlock()
			payload := ""
			if n != nil {
				payload = n.Extra
			}
			for _, fn := range fns {
				fn(payload)
			}
		case <-ping.C:
			go pl.Ping()
		}
	}
}
