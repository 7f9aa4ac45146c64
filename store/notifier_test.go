package store_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	neturl "net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"xingqu/store"
	"xingqu/store/storetest"
)

// heard collects what a listener of its own hears on ConversationChannel.
type heard struct {
	mu  sync.Mutex
	got map[string]int
	n   int
	ch  chan struct{}
}

func listen(t *testing.T, url string) *heard {
	t.Helper()
	h := &heard{got: map[string]int{}, ch: make(chan struct{}, 1)}
	l := store.NewListener(url, slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(l.Close)
	l.Subscribe(store.ConversationChannel, func(s string) {
		h.mu.Lock()
		h.got[s]++
		h.n++
		h.mu.Unlock()
		select {
		case h.ch <- struct{}{}:
		default:
		}
	})
	l.Start()
	<-l.Ready()
	return h
}

// waitFor waits until n notifications were heard in all.
func (h *heard) waitFor(t *testing.T, n int) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		h.mu.Lock()
		got := h.n
		h.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-h.ch:
		case <-deadline:
			t.Fatalf("heard %d notifications, want %d", got, n)
		}
	}
}

func (h *heard) count(payload string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.got[payload]
}

func (h *heard) String() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return fmt.Sprint(h.got)
}

func (h *heard) total() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n
}

// waitSent waits until n has counted statements sends: a listener may hear a send
// before the notifier has counted it.
func waitSent(t *testing.T, n *store.Notifier, statements int64) (sent int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, sent := n.Sent()
		if st >= statements || time.Now().After(deadline) {
			return sent
		}
		time.Sleep(time.Millisecond)
	}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// openPool opens a pool of its own on url with one connection, so that a test holding
// it holds up the notifier's send.
func openPool(t *testing.T, url string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), url, store.PoolConfig{MaxOpen: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// holdConn takes the pool's one connection and waits until the notifier is waiting for
// it (a send under way); release gives it back.
func holdConn(t *testing.T, db *store.DB) (waiting func(), release func()) {
	t.Helper()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	before := db.Stats().WaitCount
	waiting = func() {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for db.Stats().WaitCount == before {
			if time.Now().After(deadline) {
				t.Fatal("the notifier never waited for a connection")
			}
			time.Sleep(time.Millisecond)
		}
	}
	return waiting, func() { conn.Close() }
}

// Every notification handed over reaches a listener, and those handed over while a send
// is under way go out together in the next statement.
func TestNotifierBatchesWhileSending(t *testing.T) {
	t.Parallel()
	url := storetest.URL(t)
	h := listen(t, url)
	db := openPool(t, url)
	n := store.NewNotifier(db, quiet())
	defer n.Close()

	waiting, release := holdConn(t, db)
	n.Notify(store.ConversationChannel, "first")
	waiting() // "first" is being sent: it waits for the connection
	const more = 300
	for i := range more {
		n.Notify(store.ConversationChannel, fmt.Sprint(i))
	}
	release()
	h.waitFor(t, 1+more)
	if c := h.count("first"); c != 1 {
		t.Errorf(`"first" heard %d times`, c)
	}
	for i := range more {
		if c := h.count(fmt.Sprint(i)); c != 1 {
			t.Errorf("%d heard %d times", i, c)
		}
	}
	// store's maxBatch is 500: the 300 fit in one statement.
	waitSent(t, n, 2)
	if st, sent := n.Sent(); st != 2 || sent != 1+more {
		t.Errorf("sent %d notifications in %d statements, want %d in 2", sent, st, 1+more)
	}

	// Idle, a notification goes at once, in a statement of its own.
	n.Notify(store.ConversationChannel, "alone")
	h.waitFor(t, 2+more)
	waitSent(t, n, 3)
	if st, _ := n.Sent(); st != 3 {
		t.Errorf("%d statements after one more notification, want 3", st)
	}
}

// A backlog past the bound loses its oldest notifications, never the newest.
func TestNotifierDropsOldestPastItsBound(t *testing.T) {
	t.Parallel()
	url := storetest.URL(t)
	db := openPool(t, url)
	n := store.NewNotifier(db, quiet())
	defer n.Close()
	h := listen(t, url)

	waiting, release := holdConn(t, db)
	n.Notify(store.ConversationChannel, "in flight")
	waiting()
	total := store.MaxPendingNotes + 10
	for i := range total {
		n.Notify(store.ConversationChannel, fmt.Sprint(i))
	}
	release()
	h.waitFor(t, 1+store.MaxPendingNotes)
	waitSent(t, n, 1+(store.MaxPendingNotes+499)/500)
	for _, i := range []int{0, 9} {
		if c := h.count(fmt.Sprint(i)); c != 0 {
			t.Errorf("the oldest, %d, heard %d times: want dropped", i, c)
		}
	}
	for _, i := range []int{10, total - 1} {
		if c := h.count(fmt.Sprint(i)); c != 1 {
			t.Errorf("%d heard %d times, want once", i, c)
		}
	}
	if _, sent := n.Sent(); sent != int64(1+store.MaxPendingNotes) {
		t.Errorf("sent %d, want %d", sent, 1+store.MaxPendingNotes)
	}
}

// Close sends what is still waiting before it returns; nothing handed over after it is
// sent.
func TestNotifierFlushesOnClose(t *testing.T) {
	t.Parallel()
	url := storetest.URL(t)
	h := listen(t, url)
	db := openPool(t, url)
	n := store.NewNotifier(db, quiet())

	waiting, release := holdConn(t, db)
	n.Notify(store.ConversationChannel, "in flight")
	waiting()
	for i := range 50 {
		n.Notify(store.ConversationChannel, fmt.Sprint(i))
	}
	closed := make(chan struct{})
	go func() { n.Close(); close(closed) }()
	select {
	case <-closed:
		t.Fatal("Close returned with a send under way")
	case <-time.After(50 * time.Millisecond):
	}
	release()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close never returned")
	}
	if _, sent := n.Sent(); sent != 51 {
		t.Errorf("sent %d before Close returned, want 51", sent)
	}
	n.Notify(store.ConversationChannel, "after close")
	h.waitFor(t, 51)
	if c := h.count("49"); c != 1 {
		t.Errorf("the last before Close heard %d times", c)
	}

	// The pool's own notifier is flushed by the pool's Close.
	db2, err := store.Open(context.Background(), url, store.PoolConfig{MaxOpen: 1})
	if err != nil {
		t.Fatal(err)
	}
	db2.Notifier().Notify(store.ConversationChannel, "pool closing")
	db2.Close()
	h.waitFor(t, 52)
	if c := h.count("pool closing"); c != 1 {
		t.Errorf(`"pool closing" heard %d times`, c)
	}
	time.Sleep(100 * time.Millisecond)
	if c := h.count("after close"); c != 0 {
		t.Errorf("a notification handed over after Close was heard")
	}
}

// A turn's notification leaves once its transaction has committed, from the pool's
// notifier, and never for a turn rolled back.
func TestTurnNotifiesAfterCommit(t *testing.T) {
	t.Parallel()
	url := storetest.URL(t)
	ctx := context.Background()
	h := listen(t, url)
	db, err := store.Open(ctx, url, store.PoolConfig{MaxOpen: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conv := conversationFor(t, db, "ana")
	line := []store.NewMessage{{Role: "bot", Text: "hello"}}

	rolledBack := errors.New("roll back")
	err = db.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := store.FinishTurn(ctx, tx, store.TurnEnd{ConversationID: conv, Messages: line}); err != nil {
			return err
		}
		return rolledBack
	})
	if !errors.Is(err, rolledBack) {
		t.Fatal(err)
	}

	var w store.TurnLines
	inTx(t, db, func(tx *sqlx.Tx) error {
		_, err := store.FinishTurn(ctx, tx, store.TurnEnd{ConversationID: conv, Messages: line, Wrote: &w})
		if err != nil {
			return err
		}
		// Not sent in the transaction: the notifier has sent nothing yet.
		if st, _ := db.Notifier().Sent(); st != 0 {
			t.Errorf("%d statements sent before the commit", st)
		}
		return nil
	})
	h.waitFor(t, 1)
	want := store.ConversationPayload(conv, w.Messages[0].ID)
	if c := h.count(want); c != 1 {
		t.Errorf("heard %v, want %q once", h, want)
	}
	waitSent(t, db.Notifier(), 1)
	if st, sent := db.Notifier().Sent(); st != 1 || sent != 1 {
		t.Errorf("the notifier sent %d in %d statements, want 1 in 1", sent, st)
	}
	// The rolled-back turn's line had an id too: nothing named it, nothing else came.
	time.Sleep(100 * time.Millisecond)
	if n := h.total(); n != 1 {
		t.Errorf("heard %d notifications, want only the committed turn's: %v", n, h)
	}

	// A transaction not run by InTx notifies in itself, at its commit.
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.NotifyAfterCommit(ctx, tx, store.ConversationChannel, "own"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	h.waitFor(t, 2)
	if c := h.count("own"); c != 1 {
		t.Errorf(`"own" heard %d times`, c)
	}
}

// A notification PostgreSQL refuses holds up none of those after it: too large, it is
// never sent; refused by the database (a payload that is not UTF-8), it alone is lost,
// the others of its batch are sent one by one, and nothing is tried again.
func TestNotifierDropsWhatTheDatabaseRefuses(t *testing.T) {
	t.Parallel()
	url := storetest.URL(t)
	h := listen(t, url)
	db := openPool(t, url)
	n := store.NewNotifier(db, quiet())
	defer n.Close()

	n.Notify(store.ConversationChannel, strings.Repeat("x", store.MaxNotifyPayload+1))
	n.Notify("", "no channel")
	n.Notify(store.ConversationChannel, "after those never sent")
	h.waitFor(t, 1)

	waiting, release := holdConn(t, db)
	n.Notify(store.ConversationChannel, "in flight")
	waiting()
	n.Notify(store.ConversationChannel, "before")
	n.Notify(store.ConversationChannel, "not UTF-8: \xff")
	n.Notify(store.ConversationChannel, "after")
	release()
	h.waitFor(t, 4)
	for _, p := range []string{"after those never sent", "in flight", "before", "after"} {
		if c := h.count(p); c != 1 {
			t.Errorf("%q heard %d times; heard %v", p, c, h)
		}
	}
	time.Sleep(300 * time.Millisecond)
	if got := h.total(); got != 4 {
		t.Errorf("heard %d notifications, want 4: %v", got, h)
	}
}

// A send that fails because the database cannot be reached is tried again until it
// can: nothing handed over meanwhile is lost.
func TestNotifierTriesAgainWhileDatabaseAway(t *testing.T) {
	t.Parallel()
	url := storetest.URL(t)
	ctx := context.Background()
	h := listen(t, url)
	db := openPool(t, url)
	n := store.NewNotifier(db, quiet())
	defer n.Close()
	var name string
	var pid int
	// The pool's one connection.
	if err := db.QueryRowxContext(ctx, `SELECT current_database(), pg_backend_pid()`).Scan(&name, &pid); err != nil {
		t.Fatal(err)
	}
	u, err := neturl.Parse(url)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/postgres"
	admin, err := sqlx.Open("postgres", u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	n.Notify(store.ConversationChannel, "before")
	h.waitFor(t, 1)
	waitSent(t, n, 1)

	// The pool's connection ends, and no new one is let in.
	if _, err := admin.ExecContext(ctx, `ALTER DATABASE `+name+` WITH ALLOW_CONNECTIONS false`); err != nil {
		t.Fatal(err)
	}
	defer admin.ExecContext(ctx, `ALTER DATABASE `+name+` WITH ALLOW_CONNECTIONS true`)
	if _, err := admin.ExecContext(ctx, `SELECT pg_terminate_backend($1)`, pid); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		n.Notify(store.ConversationChannel, fmt.Sprint("away ", i))
	}
	time.Sleep(500 * time.Millisecond)
	if got := h.total(); got != 1 {
		t.Fatalf("heard %d notifications with the database away: %v", got, h)
	}
	if _, err := admin.ExecContext(ctx, `ALTER DATABASE `+name+` WITH ALLOW_CONNECTIONS true`); err != nil {
		t.Fatal(err)
	}
	h.waitFor(t, 4)
	for i := range 3 {
		if c := h.count(fmt.Sprint("away ", i)); c != 1 {
			t.Errorf("%q heard %d times", fmt.Sprint("away ", i), c)
		}
	}
}

// Notifications handed to an idle notifier one after another, as turns end under load,
// leave together: the first waits a moment for those behind it.
func TestNotifierGathersAfterIdle(t *testing.T) {
	t.Parallel()
	url := storetest.URL(t)
	h := listen(t, url)
	db := openPool(t, url)
	// A long gathering wait, so that the test does not hang on how precisely this machine
	// sleeps: the first notification finds the notifier idle; the others come 100 ms
	// later, when an idle notifier that did not wait would have sent the first alone.
	const gather = 3 * time.Second
	n := store.NewNotifierGathering(db, quiet(), gather)
	defer n.Close()

	const count = 60
	n.Notify(store.ConversationChannel, "g0")
	time.Sleep(100 * time.Millisecond)
	for i := 1; i < count; i++ {
		n.Notify(store.ConversationChannel, fmt.Sprint("g", i))
	}
	h.waitFor(t, count)
	// The counters move once a statement has answered, after its notifications are heard.
	st, sent := n.Sent()
	for end := time.Now().Add(5 * time.Second); sent != count && time.Now().Before(end); st, sent = n.Sent() {
		time.Sleep(5 * time.Millisecond)
	}
	if sent != count || st != 1 {
		t.Errorf("sent %d notifications in %d statements, want %d in one", sent, st, count)
	}
}

// A transaction that commits as its pool closes starts no sender on the closed pool: its
// notification is dropped, and nothing keeps trying.
func TestNotifierAfterPoolClosed(t *testing.T) {
	t.Parallel()
	db := openPool(t, storetest.URL(t))
	db.Close()
	n := db.Notifier()
	n.Notify(store.ConversationChannel, "late")
	done := make(chan struct{})
	go func() { n.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("the notifier of a closed pool is still running")
	}
	if st, sent := n.Sent(); st != 0 || sent != 0 {
		t.Errorf("sent %d notifications in %d statements on a closed pool", sent, st)
	}
}
