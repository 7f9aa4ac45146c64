package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// A transaction that has sent NOTIFY takes, at commit, a lock PostgreSQL holds for the
// whole cluster until its commit record is flushed, so that notifications are queued
// in commit order: every such commit waits for the one before it, and none of them can
// share a WAL flush with another. The turn's notification therefore leaves after its
// transaction has committed, from outside it (NotifyAfterCommit): one process-wide
// Notifier sends whatever has accumulated in one statement, one commit for many
// notifications.

// Notifier sends notifications from outside the transactions that asked for them, in
// batches: whatever is handed to it while a send is under way, or in the gatherWait
// after an idle notifier is woken, goes out together in the next statement. Notifications are hints (a widget
// stream also polls; a console stream learns of the conversation at its next change), so
// a backlog beyond maxPending loses its oldest, counted in the log, and a batch the
// database refuses for what it holds is dropped rather than tried again.
type Notifier struct {
	db     sqlx.ExecerContext
	log    atomic.Pointer[slog.Logger]
	gather time.Duration // how long the first notification after a quiet spell waits for others: gatherWait, shorter or longer in tests

	mu      sync.Mutex
	queue   []note
	dropped int
	closing bool
	wake    chan struct{} // holds at most one pending wake-up
	stop    chan struct{} // closed by Close
	done    chan struct{} // closed when run returns

	statements, sent atomic.Int64
}

type note struct{ channel, payload string }

// maxPending bounds the notifications waiting to be sent; maxBatch those sent in one
// statement.
const (
	maxPending = 10000
	maxBatch   = 500
)

// NewNotifier starts the notifier that sends through db, until Close.
func NewNotifier(db sqlx.ExecerContext, log *slog.Logger) *Notifier {
	return newNotifier(db, log, gatherWait)
}

func newNotifier(db sqlx.ExecerContext, log *slog.Logger, gather time.Duration) *Notifier {
	n := &Notifier{db: db, gather: gather, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	n.log.Store(log)
	go n.run()
	return n
}

// SetLog has the notifier log to log from now on.
func (n *Notifier) SetLog(log *slog.Logger) { n.log.Store(log) }

// Notify hands a notification over to be sent soon; it never waits. One PostgreSQL
// would refuse (an empty or too long channel name, a payload over MaxNotifyPayload) is
// dropped with a log line, as is any after Close.
func (n *Notifier) Notify(channel, payload string) {
	n.hand([]note{{channel, payload}})
}

// maxChannel is the longest channel name PostgreSQL takes (NAMEDATALEN-1 bytes).
const maxChannel = 63

// hand is Notify for several notifications.
func (n *Notifier) hand(notes []note) {
	refused := 0
	n.mu.Lock()
	if n.closing {
		n.mu.Unlock()
		return
	}
	for _, nt := range notes {
		if nt.channel == "" || len(nt.channel) > maxChannel || len(nt.payload) > MaxNotifyPayload {
			refused++
			continue
		}
		n.push(nt)
	}
	n.mu.Unlock()
	if refused > 0 {
		n.log.Load().Error("notifications refused: empty or long channel name, or payload too large", "count", refused)
	}
	n.signal()
}

// push queues a note with n.mu held, dropping the oldest past maxPending.
func (n *Notifier) push(nt note) {
	if len(n.queue) == maxPending {
		n.queue = n.queue[1:]
		n.dropped++
	}
	n.queue = append(n.queue, nt)
}

func (n *Notifier) signal() {
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// Sent counts the statements sent and the notifications they carried.
func (n *Notifier) Sent() (statements, notifications int64) {
	return n.statements.Load(), n.sent.Load()
}

// Close sends what is waiting, trying for closeWait at most, and stops the notifier.
func (n *Notifier) Close() {
	n.mu.Lock()
	if !n.closing {
		n.closing = true
		close(n.stop)
	}
	n.mu.Unlock()
	<-n.done
}

// closeWait bounds how long Close tries to send what is left; sendWait one statement;
// gatherWait is how long a notification that finds the notifier idle waits for others.
const (
	closeWait  = 5 * time.Second
	sendWait   = 10 * time.Second
	gatherWait = 10 * time.Millisecond
)

// idle waits for a notification, or Close. The first notification after a quiet spell
// waits a moment for those close behind it: at 500 turns a second, one statement for
// about five instead of one each, a few milliseconds later.
func (n *Notifier) idle() {
	select {
	case <-n.wake:
		t := time.NewTimer(n.gather)
		select {
		case <-t.C:
		case <-n.stop:
		}
		t.Stop()
	case <-n.stop:
	}
}

func (n *Notifier) run() {
	defer close(n.done)
	var closeBy time.Time // set once closing
	var pause time.Duration
	n.idle() // a new notifier is idle, however late this goroutine starts
	for {
		n.mu.Lock()
		batch := n.queue[:min(len(n.queue), maxBatch)]
		n.queue = n.queue[len(batch):]
		if len(n.queue) == 0 {
			n.queue = nil // a backlog's array is let go
		}
		dropped, closing := n.dropped, n.closing
		n.dropped = 0
		n.mu.Unlock()
		if dropped > 0 {
			n.log.Load().Warn("notifications dropped: too many waiting to be sent", "count", dropped)
		}
		if closing && closeBy.IsZero() {
			closeBy = time.Now().Add(closeWait)
		}
		if len(batch) == 0 {
			if closing {
				return
			}
			n.idle()
			continue
		}
		deadline := time.Now().Add(sendWait)
		if closing {
			deadline = closeBy
		}
		err := n.send(deadline, batch)
		if refused(err) && len(batch) > 1 {
			// Sent one by one, only the notification refused is lost.
			var again []note
			for i, nt := range batch {
				if err1 := n.send(deadline, []note{nt}); err1 != nil && !refused(err1) {
					again, err = batch[i:], err1 // the database does not answer: later
					break
				}
			}
			if batch = again; len(batch) == 0 {
				err = nil
			}
		}
		if err == nil || refused(err) {
			pause = 0
			continue
		}
		if closing && !time.Now().Before(closeBy) {
			n.mu.Lock()
			lost := len(batch) + len(n.queue)
			n.queue = nil
			n.mu.Unlock()
			n.log.Load().Warn("notifications not sent before closing", "count", lost, "err", err)
			return
		}
		// The database may answer again in a moment: the batch waits in front of what
		// came after it, within the bound.
		n.log.Load().Warn("notifications not sent; trying again", "count", len(batch), "err", err)
		n.mu.Lock()
		rest := n.queue
		n.queue = nil
		for _, nt := range batch {
			n.push(nt)
		}
		for _, nt := range rest {
			n.push(nt)
		}
		n.mu.Unlock()
		pause = min(max(2*pause, 100*time.Millisecond), time.Second)
		t := time.NewTimer(pause)
		if closing {
			<-t.C
		} else {
			select {
			case <-t.C:
			case <-n.stop:
			}
		}
		t.Stop()
	}
}

// qNotifyAll sends a batch of notifications in one statement: one commit for all.
const qNotifyAll = `SELECT pg_notify(n.c, n.p) FROM unnest($1::text[], $2::text[]) AS n(c, p)`

// send sends batch in one statement, waiting until deadline at most. A batch the
// database refuses for what it holds is logged.
func (n *Notifier) send(deadline time.Time, batch []note) error {
	channels, payloads := make([]string, len(batch)), make([]string, len(batch))
	for i, nt := range batch {
		channels[i], payloads[i] = nt.channel, nt.payload
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	if _, err := n.db.ExecContext(ctx, qNotifyAll, pq.Array(channels), pq.Array(payloads)); err != nil {
		err = fmt.Errorf("notify: %w", err)
		if refused(err) && len(batch) == 1 {
			n.log.Load().Error("notification refused by the database", "channel", batch[0].channel, "err", err)
		}
		return err
	}
	n.statements.Add(1)
	n.sent.Add(int64(len(batch)))
	return nil
}

// refused says the database refused a statement for the data it was given (class 22,
// data exception: a payload not in the database's encoding, say): sent again, it would
// be refused again.
func refused(err error) bool {
	var pe *pq.Error
	return errors.As(err, &pe) && pe.Code.Class() == "22"
}

// txNotes are the notifications a transaction run by InTx sends once it has committed.
type txNotes struct {
	mu    sync.Mutex
	notes []note
}

// afterCommit holds the txNotes of each transaction InTx is running.
var afterCommit sync.Map // *sqlx.Tx -> *txNotes

// NotifyAfterCommit announces payload on channel once tx has committed, and not at all
// if it does not, or if the commit's outcome is unknown. In a transaction of InTx the
// notification is handed to the pool's Notifier after the commit, so that the commit
// does not take NOTIFY's lock; in any other, it is sent in the transaction (Notify).
func NotifyAfterCommit(ctx context.Context, tx *sqlx.Tx, channel, payload string) error {
	if len(payload) > MaxNotifyPayload {
		return fmt.Errorf("notify %s: %w (%d bytes)", channel, ErrPayloadTooLarge, len(payload))
	}
	v, ok := afterCommit.Load(tx)
	if !ok {
		return Notify(ctx, tx, channel, payload)
	}
	tn := v.(*txNotes)
	tn.mu.Lock()
	tn.notes = append(tn.notes, note{channel, payload})
	tn.mu.Unlock()
	return nil
}
