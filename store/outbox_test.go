package store_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/lib/pq"
	"xingqu/store"
	"xingqu/store/storetest"
)

// enqueue adds an outbox row for chat and returns its id.
func enqueue(t *testing.T, db *store.DB, r store.NewOutbox) int64 {
	t.Helper()
	if r.Method == "" {
		r.Method = "sendMessage"
	}
	if r.Params == nil {
		r.Params = map[string]string{"text": "hi"}
	}
	id, err := store.EnqueueOutbox(context.Background(), db, r)
	if err != nil || id == 0 {
		t.Fatalf("enqueue %+v: id %d, %v", r, id, err)
	}
	return id
}

// outboxState reads a row's state, attempts and last error.
func outboxState(t *testing.T, db *store.DB, id int64) (state string, attempts int, lastError string) {
	t.Helper()
	var r struct {
		State     string `db:"state"`
		Attempts  int    `db:"attempts"`
		LastError string `db:"last_error"`
	}
	if err := db.GetContext(context.Background(), &r, `SELECT state, attempts, last_error FROM outbox WHERE id = $1`, id); err != nil {
		t.Fatalf("outbox row %d: %v", id, err)
	}
	return r.State, r.Attempts, r.LastError
}

func ids(rs []store.OutboxRow) []int64 {
	out := []int64{}
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

// A dedupe key admits one row per channel; the channel defaults to Telegram; OutboxByKeys
// finds rows of the channel asked for only.
func TestEnqueueOutboxDedupe(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)

	first := enqueue(t, db, store.NewOutbox{ChatID: "7", DedupeKey: "ann:1:7"})
	again, err := store.EnqueueOutbox(ctx, db, store.NewOutbox{ChatID: "7", Method: "sendMessage", Params: map[string]string{"text": "again"}, DedupeKey: "ann:1:7"})
	if err != nil || again != 0 {
		t.Fatalf("second row with the same key: id %d, %v; want 0, nil", again, err)
	}
	web := enqueue(t, db, store.NewOutbox{Channel: "web", ChatID: "7", DedupeKey: "ann:1:7"})
	plain1 := enqueue(t, db, store.NewOutbox{ChatID: "7"})
	plain2 := enqueue(t, db, store.NewOutbox{ChatID: "7"})
	if plain1 == plain2 || web == first {
		t.Fatalf("rows without a key, or of another channel, must not be deduplicated: %d %d %d %d", first, web, plain1, plain2)
	}
	var ch, text string
	if err := db.QueryRowxContext(ctx, `SELECT channel, params->>'text' FROM outbox WHERE id = $1`, first).Scan(&ch, &text); err != nil {
		t.Fatal(err)
	}
	if ch != "telegram" || text != "hi" {
		t.Errorf("first row: channel %q text %q; want telegram, the first row's text", ch, text)
	}
	if n := count(t, db, `SELECT count(*) FROM outbox WHERE not_before > now() + interval '1 second' OR not_before < now() - interval '1 minute'`); n != 0 {
		t.Errorf("%d rows with a zero NotBefore are not due now", n)
	}

	got, err := store.OutboxByKeys(ctx, db, "telegram", []string{"ann:1:7", "ann:2:7"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != first || got[0].Key != "ann:1:7" || got[0].State != store.OutboxPending {
		t.Errorf("OutboxByKeys = %+v; want only row %d, pending", got, first)
	}
	if got, err := store.OutboxByKeys(ctx, db, "telegram", nil); err != nil || len(got) != 0 {
		t.Errorf("OutboxByKeys(no keys) = %+v, %v", got, err)
	}
}

// DueOutbox lists a channel's pending rows after an id, in id order, without the ones
// skipped and up to the limit, including rows not due yet.
func TestDueOutbox(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	a := enqueue(t, db, store.NewOutbox{ChatID: "1"})
	enqueue(t, db, store.NewOutbox{Channel: "web", ChatID: "1"})
	b := enqueue(t, db, store.NewOutbox{ChatID: "2", NotBefore: time.Now().Add(time.Hour)})
	c := enqueue(t, db, store.NewOutbox{ChatID: "1"})
	d := enqueue(t, db, store.NewOutbox{ChatID: "3"})
	if _, ok, err := store.ClaimOutbox(ctx, db, d); !ok || err != nil {
		t.Fatalf("claim %d: %v %v", d, ok, err)
	}

	for _, tc := range []struct {
		name  string
		after int64
		skip  []int64
		limit int
		want  []int64
	}{
		{"all pending, the later one included", 0, nil, 10, []int64{a, b, c}},
		{"after an id", a, nil, 10, []int64{b, c}},
		{"skipping held ids", 0, []int64{b}, 10, []int64{a, c}},
		{"limited", 0, nil, 2, []int64{a, b}},
		{"nothing after the last", c, nil, 10, []int64{}},
	} {
		rs, err := store.DueOutbox(ctx, db, "telegram", tc.after, tc.skip, tc.limit)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := ids(rs); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: ids %v, want %v", tc.name, got, tc.want)
		}
	}
	rs, _ := store.DueOutbox(ctx, db, "telegram", 0, nil, 1)
	if len(rs) != 1 || rs[0].ChatID != "1" || rs[0].Method != "sendMessage" || rs[0].State != store.OutboxPending || string(rs[0].Params) != `{"text": "hi"}` {
		t.Errorf("row = %+v", rs)
	}
}

// A row is claimed once; after that it is sent, retried, failed or put back, each only
// from 'sending', and rows in other states are left as they are.
func TestOutboxClaimAndFinish(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	a := enqueue(t, db, store.NewOutbox{ChatID: "1"})
	b := enqueue(t, db, store.NewOutbox{ChatID: "1"})
	c := enqueue(t, db, store.NewOutbox{ChatID: "1"})
	pending := enqueue(t, db, store.NewOutbox{ChatID: "1"})

	r, ok, err := store.ClaimOutbox(ctx, db, a)
	if err != nil || !ok || r.ID != a || r.State != store.OutboxSending || r.Attempts != 1 {
		t.Fatalf("claim: %+v ok=%v err=%v", r, ok, err)
	}
	if _, ok, err := store.ClaimOutbox(ctx, db, a); ok || err != nil {
		t.Fatalf("second claim: ok=%v err=%v; want false, nil", ok, err)
	}
	if _, ok, err := store.ClaimOutbox(ctx, db, 999999); ok || err != nil {
		t.Fatalf("claim of a missing row: ok=%v err=%v", ok, err)
	}
	for _, id := range []int64{b, c} {
		if _, ok, _ := store.ClaimOutbox(ctx, db, id); !ok {
			t.Fatalf("claim %d failed", id)
		}
	}

	if err := store.MarkOutboxSent(ctx, db, a, 501); err != nil {
		t.Fatal(err)
	}
	if err := store.RetryOutbox(ctx, db, b, "429 Too Many Requests", time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := store.FailOutbox(ctx, db, c, store.OutboxFailed, "400 Bad Request"); err != nil {
		t.Fatal(err)
	}
	// None of them touches a row that is not 'sending'.
	if err := store.MarkOutboxSent(ctx, db, pending, 9); err != nil {
		t.Fatal(err)
	}
	if err := store.FailOutbox(ctx, db, pending, store.OutboxFailed, "x"); err != nil {
		t.Fatal(err)
	}
	if err := store.RetryOutbox(ctx, db, a, "late", time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := store.FailOutbox(ctx, db, a, store.OutboxFailed, "late"); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		id       int64
		state    string
		attempts int
		lastErr  string
		mid      int64
	}{
		{a, store.OutboxSent, 1, "", 501},
		{b, store.OutboxPending, 1, "429 Too Many Requests", 0},
		{c, store.OutboxFailed, 1, "400 Bad Request", 0},
		{pending, store.OutboxPending, 0, "", 0},
	} {
		state, attempts, lastErr := outboxState(t, db, tc.id)
		if state != tc.state || attempts != tc.attempts || lastErr != tc.lastErr {
			t.Errorf("row %d: %s/%d/%q, want %s/%d/%q", tc.id, state, attempts, lastErr, tc.state, tc.attempts, tc.lastErr)
		}
		if mid, err := store.OutboxMessageID(ctx, db, tc.id); err != nil || mid != tc.mid {
			t.Errorf("row %d: message id %d, %v; want %d", tc.id, mid, err, tc.mid)
		}
	}
	if mid, err := store.OutboxMessageID(ctx, db, 999999); mid != 0 || err != nil {
		t.Errorf("message id of a missing row: %d, %v; want 0, nil", mid, err)
	}
	// The retried row waits for its time: listed as pending, not yet due.
	var later bool
	db.GetContext(ctx, &later, `SELECT not_before > now() + interval '50 seconds' FROM outbox WHERE id = $1`, b)
	if !later {
		t.Errorf("retried row is due before the time given")
	}
}

// ClaimOutboxRows claims the pending rows among ids, in id order, and records the
// deliveries given in the same statement; UnclaimOutbox undoes a claim; MarkOutboxDelivered
// records deliveries of 'sending' rows only.
func TestClaimOutboxRows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	var rows []int64
	for i := 0; i < 6; i++ {
		rows = append(rows, enqueue(t, db, store.NewOutbox{ChatID: "1"}))
	}
	if _, ok, _ := store.ClaimOutbox(ctx, db, rows[0]); !ok {
		t.Fatal("claim")
	}
	if _, ok, _ := store.ClaimOutbox(ctx, db, rows[5]); !ok {
		t.Fatal("claim")
	}
	if err := store.DropPendingOutbox(ctx, db, []int64{rows[3]}); err != nil {
		t.Fatal(err)
	}

	// rows[0] was delivered; asked for in reverse, the pending rows come back in id order,
	// without the dropped one and the one already claimed.
	got, err := store.ClaimOutboxRows(ctx, db, []int64{rows[5], rows[4], rows[3], rows[2], rows[1]}, []store.Delivery{{ID: rows[0], MessageID: 42}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{rows[1], rows[2], rows[4]}; !reflect.DeepEqual(ids(got), want) {
		t.Fatalf("claimed %v, want %v", ids(got), want)
	}
	for _, r := range got {
		if r.State != store.OutboxSending || r.Attempts != 1 {
			t.Errorf("claimed row %+v", r)
		}
	}
	if mid, _ := store.OutboxMessageID(ctx, db, rows[0]); mid != 42 {
		t.Errorf("delivered row's message id = %d, want 42", mid)
	}
	if again, err := store.ClaimOutboxRows(ctx, db, []int64{rows[1]}, nil); err != nil || len(again) != 0 {
		t.Errorf("claiming a claimed row again: %v, %v", ids(again), err)
	}

	if err := store.UnclaimOutbox(ctx, db, []int64{rows[1], rows[0]}); err != nil {
		t.Fatal(err)
	}
	if s, a, _ := outboxState(t, db, rows[1]); s != store.OutboxPending || a != 0 {
		t.Errorf("unclaimed row: %s/%d, want pending/0", s, a)
	}
	if s, _, _ := outboxState(t, db, rows[0]); s != store.OutboxSent {
		t.Errorf("unclaim touched a sent row: %s", s)
	}

	// Delivered with no message id: NULL; a pending row in the list is left alone.
	if err := store.MarkOutboxDelivered(ctx, db, []store.Delivery{{ID: rows[2]}, {ID: rows[4], MessageID: 7}, {ID: rows[1], MessageID: 8}}); err != nil {
		t.Fatal(err)
	}
	if err := store.MarkOutboxDelivered(ctx, db, nil); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		id    int64
		state string
		mid   int64
	}{{rows[2], store.OutboxSent, 0}, {rows[4], store.OutboxSent, 7}, {rows[1], store.OutboxPending, 0}, {rows[5], store.OutboxSending, 0}} {
		s, _, _ := outboxState(t, db, tc.id)
		mid, _ := store.OutboxMessageID(ctx, db, tc.id)
		if s != tc.state || mid != tc.mid {
			t.Errorf("row %d: %s message %d, want %s %d", tc.id, s, mid, tc.state, tc.mid)
		}
	}
	if n := count(t, db, `SELECT count(*) FROM outbox WHERE id = $1 AND message_id IS NULL`, rows[2]); n != 1 {
		t.Errorf("a delivery without a message id stored one")
	}
}

// DropPendingOutbox deletes only rows still waiting.
func TestDropPendingOutbox(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	waiting := enqueue(t, db, store.NewOutbox{ChatID: "1"})
	inFlight := enqueue(t, db, store.NewOutbox{ChatID: "1"})
	other := enqueue(t, db, store.NewOutbox{ChatID: "1"})
	store.ClaimOutbox(ctx, db, inFlight)
	if err := store.DropPendingOutbox(ctx, db, []int64{waiting, inFlight}); err != nil {
		t.Fatal(err)
	}
	if err := store.DropPendingOutbox(ctx, db, nil); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, `SELECT count(*) FROM outbox WHERE id = $1`, waiting); n != 0 {
		t.Errorf("pending row not dropped")
	}
	if n := count(t, db, `SELECT count(*) FROM outbox WHERE id IN ($1, $2)`, inFlight, other); n != 2 {
		t.Errorf("a row being sent, or one not named, was dropped")
	}
}

// AbandonSending turns a channel's 'sending' rows into 'unknown' and no others;
// OutboxStats counts a channel's rows by state.
func TestAbandonSendingAndStats(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	s1 := enqueue(t, db, store.NewOutbox{ChatID: "1"})
	s2 := enqueue(t, db, store.NewOutbox{ChatID: "2"})
	sent := enqueue(t, db, store.NewOutbox{ChatID: "1"})
	enqueue(t, db, store.NewOutbox{ChatID: "1"})
	web := enqueue(t, db, store.NewOutbox{Channel: "web", ChatID: "1"})
	for _, id := range []int64{s1, s2, sent, web} {
		store.ClaimOutbox(ctx, db, id)
	}
	store.MarkOutboxSent(ctx, db, sent, 1)

	n, err := store.AbandonSending(ctx, db, "telegram")
	if err != nil || n != 2 {
		t.Fatalf("abandoned %d, %v; want 2", n, err)
	}
	if s, _, e := outboxState(t, db, s1); s != store.OutboxUnknown || e == "" {
		t.Errorf("abandoned row: %s %q", s, e)
	}
	if s, _, _ := outboxState(t, db, web); s != store.OutboxSending {
		t.Errorf("another channel's row: %s, want sending", s)
	}
	// Claiming an unknown row is refused: it is never resent.
	if _, ok, _ := store.ClaimOutbox(ctx, db, s1); ok {
		t.Errorf("an unknown row was claimed again")
	}

	stats, err := store.OutboxStats(ctx, db, "telegram")
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int64{"unknown": 2, "sent": 1, "pending": 1}; !reflect.DeepEqual(stats, want) {
		t.Errorf("stats = %v, want %v", stats, want)
	}
	if stats, _ := store.OutboxStats(ctx, db, "nobody"); len(stats) != 0 {
		t.Errorf("stats of an empty channel = %v", stats)
	}
}

// BlockRecipient makes the traveller unreachable and unsubscribed and blocks the rows of
// their chat still to go, leaving sent rows and other chats alone; SetReachable undoes
// the first part.
func TestBlockRecipient(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	ana, err := store.EnsureTraveller(ctx, db, "telegram", "100", "Ana", "en", "")
	if err != nil {
		t.Fatal(err)
	}
	bo, err := store.EnsureTraveller(ctx, db, "telegram", "200", "Bo", "en", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{ana.ID, bo.ID} {
		if _, err := db.ExecContext(ctx, `INSERT INTO subscriptions (traveller_id) VALUES ($1)`, id); err != nil {
			t.Fatal(err)
		}
	}
	pending := enqueue(t, db, store.NewOutbox{ChatID: "100"})
	sending := enqueue(t, db, store.NewOutbox{ChatID: "100"})
	sent := enqueue(t, db, store.NewOutbox{ChatID: "100"})
	others := enqueue(t, db, store.NewOutbox{ChatID: "200"})
	store.ClaimOutbox(ctx, db, sending)
	store.ClaimOutbox(ctx, db, sent)
	store.MarkOutboxSent(ctx, db, sent, 3)

	n, err := store.BlockRecipient(ctx, db, "telegram", "100", "403 Forbidden: bot was blocked by the user")
	if err != nil || n != 2 {
		t.Fatalf("blocked %d, %v; want 2", n, err)
	}
	for id, want := range map[int64]string{pending: store.OutboxBlocked, sending: store.OutboxBlocked, sent: store.OutboxSent, others: store.OutboxPending} {
		if s, _, _ := outboxState(t, db, id); s != want {
			t.Errorf("row %d: %s, want %s", id, s, want)
		}
	}
	reachable := func(id int64) bool {
		var r bool
		if err := db.GetContext(ctx, &r, `SELECT reachable FROM travellers WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		return r
	}
	if reachable(ana.ID) || !reachable(bo.ID) {
		t.Errorf("reachable: blocked %v, other %v", reachable(ana.ID), reachable(bo.ID))
	}
	if n := count(t, db, `SELECT count(*) FROM subscriptions WHERE traveller_id = $1`, ana.ID); n != 0 {
		t.Errorf("blocked traveller still subscribed")
	}
	if n := count(t, db, `SELECT count(*) FROM subscriptions WHERE traveller_id = $1`, bo.ID); n != 1 {
		t.Errorf("another traveller unsubscribed")
	}

	if err := store.SetReachable(ctx, db, "telegram", "100", true); err != nil {
		t.Fatal(err)
	}
	if !reachable(ana.ID) {
		t.Errorf("SetReachable(true) left the traveller unreachable")
	}
	if err := store.SetReachable(ctx, db, "web", "100", false); err != nil || !reachable(ana.ID) {
		t.Errorf("SetReachable on another channel changed the traveller: %v", err)
	}
}

// LastOfMessage returns the newest row of a message: the row that sent it or its latest
// edit, in that chat only.
func TestLastOfMessage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	first := enqueue(t, db, store.NewOutbox{ChatID: "1", Params: map[string]string{"text": "v1"}})
	enqueue(t, db, store.NewOutbox{ChatID: "1", Params: map[string]string{"text": "unrelated"}})

	r, err := store.LastOfMessage(ctx, db, "telegram", "1", first)
	if err != nil || r.ID != first || r.Text != "v1" || r.DoneAgo != 0 {
		t.Fatalf("before any edit: %+v, %v", r, err)
	}
	edit := enqueue(t, db, store.NewOutbox{ChatID: "1", Method: "editMessageText", EditOf: first, DedupeKey: "edit:1",
		Params: map[string]string{"text": "v2"}})
	store.ClaimOutbox(ctx, db, edit)
	store.MarkOutboxSent(ctx, db, edit, 0)
	r, err = store.LastOfMessage(ctx, db, "telegram", "1", first)
	if err != nil || r.ID != edit || r.Text != "v2" || r.State != store.OutboxSent || r.Key.String != "edit:1" || r.DoneAgo <= 0 || r.DoneAgo > 60 {
		t.Errorf("after an edit: %+v, %v", r, err)
	}
	if _, err := store.LastOfMessage(ctx, db, "telegram", "2", first); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("in another chat: %v, want ErrNotFound", err)
	}
}

// Senders racing for the same rows each get a row at most once.
func TestClaimOutboxConcurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	var all []int64
	for i := 0; i < 10; i++ {
		all = append(all, enqueue(t, db, store.NewOutbox{ChatID: "1"}))
	}
	type result struct {
		ids []int64
		err error
	}
	results := make(chan result, 4)
	for w := 0; w < 4; w++ {
		go func(w int) {
			var got []int64
			for _, id := range all {
				if w%2 == 0 {
					if _, ok, err := store.ClaimOutbox(ctx, db, id); err != nil {
						results <- result{err: err}
						return
					} else if ok {
						got = append(got, id)
					}
					continue
				}
				rs, err := store.ClaimOutboxRows(ctx, db, []int64{id}, nil)
				if err != nil {
					results <- result{err: err}
					return
				}
				got = append(got, ids(rs)...)
			}
			results <- result{ids: got}
		}(w)
	}
	seen := map[int64]int{}
	for w := 0; w < 4; w++ {
		r := <-results
		if r.err != nil {
			t.Fatal(r.err)
		}
		for _, id := range r.ids {
			seen[id]++
		}
	}
	for _, id := range all {
		if seen[id] != 1 {
			t.Errorf("row %d claimed %d times, want once", id, seen[id])
		}
	}
	if n := count(t, db, `SELECT count(*) FROM outbox WHERE state = 'sending' AND attempts = 1`); n != len(all) {
		t.Errorf("%d rows sending after one attempt, want %d", n, len(all))
	}
}

// queueOutOfStep counts the rows where the outbox queue disagrees with the outbox: a row
// is queued while it is pending or sending, and only then.
func queueOutOfStep(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	err := db.Get(&n, `
SELECT (SELECT count(*) FROM outbox o LEFT JOIN outbox_queue q ON q.id = o.id AND q.channel = o.channel
        WHERE (q.id IS NOT NULL) <> (o.state IN ('pending', 'sending')))
     + (SELECT count(*) FROM outbox_queue q WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.id = q.id))`)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A row's claim and its delivery rewrite it heap-only (no index names what they change),
// and the queue the sender reads follows every transition, however it is made. Giving up
// or retrying sets the last error, which the admin's list of problems is indexed by.
//
// Not parallel: a dead version can be pruned to make room on its page only when no
// transaction older than it runs, and the other tests' transactions would hold that back.
func TestOutboxTransitionsHeapOnly(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	db.SetMaxOpenConns(1) // one session, whose statistics are flushed below
	stats := func() (upd, hot int64) { return updates(t, db, "outbox") }
	var queued []int64
	for i := 0; i < 30; i++ {
		queued = append(queued, enqueue(t, db, store.NewOutbox{ChatID: "q" + string(rune('a'+i%3))}))
	}
	upd0, hot0 := stats()
	step := func(what string) {
		t.Helper()
		if n := queueOutOfStep(t, db); n != 0 {
			t.Fatalf("after %s: %d rows of the queue out of step with the outbox", what, n)
		}
	}
	step("enqueue")
	claimed, err := store.ClaimOutboxRows(ctx, db, queued[:20], nil)
	if err != nil || len(claimed) != 20 {
		t.Fatalf("claimed %d, %v", len(claimed), err)
	}
	step("claim")
	var delivered []store.Delivery
	for i, id := range queued[:20] {
		delivered = append(delivered, store.Delivery{ID: id, MessageID: int64(100 + i)})
	}
	if claimed, err = store.ClaimOutboxRows(ctx, db, queued[20:], delivered); err != nil || len(claimed) != 10 {
		t.Fatalf("claimed %d, %v", len(claimed), err)
	}
	step("deliver and claim")
	// The way of nearly every row: claimed, then delivered while the next are claimed.
	if upd, hot := stats(); upd-upd0 != 30+20 || hot-hot0 < (upd-upd0)*9/10 {
		t.Errorf("%d updates of outbox rows claimed and delivered, %d of them heap-only; want 50, nearly all heap-only", upd-upd0, hot-hot0)
	}
	if err := store.MarkOutboxDelivered(ctx, db, []store.Delivery{{ID: queued[20], MessageID: 1}}); err != nil {
		t.Fatal(err)
	}
	if err := store.RetryOutbox(ctx, db, queued[21], "timeout", time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := store.FailOutbox(ctx, db, queued[22], store.OutboxFailed, "bad request"); err != nil {
		t.Fatal(err)
	}
	step("deliver, retry, fail")
	if err := store.UnclaimOutbox(ctx, db, []int64{queued[23]}); err != nil {
		t.Fatal(err)
	}
	if err := store.DropPendingOutbox(ctx, db, []int64{queued[23]}); err != nil {
		t.Fatal(err)
	}
	step("unclaim, drop")
	if n, err := store.AbandonSending(ctx, db, "telegram"); err != nil || n != 6 {
		t.Fatalf("abandoned %d, %v; want the 6 rows still sending", n, err)
	}
	step("abandon")

	due, err := store.DueOutbox(ctx, db, "telegram", 0, nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(due); !reflect.DeepEqual(got, []int64{queued[21]}) {
		t.Errorf("due %v, want only the row put back for a retry, %d", got, queued[21])
	}
	problems, err := store.OutboxProblems(ctx, db, "telegram", 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 8 || problems[0].ID != queued[29] || problems[len(problems)-1].ID != queued[21] {
		t.Errorf("%d problems from %d to %d; want 8, newest first: 6 unknown, 1 failed, 1 retried",
			len(problems), problems[0].ID, problems[len(problems)-1].ID)
	}

	// Made by hand, as an operator would: a blocked chat, a sent row queued again, rows deleted.
	if _, err := store.BlockRecipient(ctx, db, "telegram", "qb", "blocked"); err != nil {
		t.Fatal(err)
	}
	db.MustExec(`UPDATE outbox SET state = 'pending' WHERE id = $1`, queued[0])
	step("block, requeue by hand")
	db.MustExec(`DELETE FROM outbox WHERE id = ANY($1)`, pq.Array(queued[:25]))
	step("delete")
}
