package telegram

import (
	"context"
	"encoding/json"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"golang.org/x/time/rate"

	"xingqu/store"
)

// defaultSenderWorkers is enough that a slow moment of the database or the network (a send
// taking 150 ms) still leaves 100 sends a second possible.
const defaultSenderWorkers = 16

// Sender delivers the outbox to Telegram. Exactly one runs across all instances (the
// channel's leader), which is what lets the global pace, the per-chat pace and a 429's
// pause live in memory and still hold for the whole bot.
type Sender struct {
	DB      *store.DB
	API     botAPI
	Log     *slog.Logger
	Metrics *Metrics

	Rate        float64       // requests per second across all chats (TELEGRAM_RATE)
	ChatGap     time.Duration // between two messages to one private chat; default 1s
	GroupGap    time.Duration // between two messages to one group; default 3s (20 a minute)
	Workers     int           // requests in flight at once; default 16
	Poll        time.Duration // how often the outbox is read for new rows; default 100ms
	MaxAttempts int           // transient failures before a row is given up; default 8
	// ClaimEvery is the least time between two claims, so that rows due together are
	// claimed in one statement; default 10ms.
	ClaimEvery time.Duration
	// TakeoverWait delays the first send after taking over, so that a chat the previous
	// sender wrote to a moment ago still gets its gap. Default: GroupGap.
	TakeoverWait time.Duration
}

func (s *Sender) defaults() {
	if s.Rate <= 0 {
		s.Rate = 25
	}
	if s.ChatGap == 0 {
		s.ChatGap = time.Second
	}
	if s.GroupGap == 0 {
		s.GroupGap = 3 * time.Second
	}
	if s.Workers == 0 {
		s.Workers = defaultSenderWorkers
	}
	if s.Poll == 0 {
		s.Poll = 100 * time.Millisecond
	}
	if s.MaxAttempts == 0 {
		s.MaxAttempts = 8
	}
	if s.TakeoverWait == 0 {
		s.TakeoverWait = s.GroupGap
	}
	if s.ClaimEvery == 0 {
		s.ClaimEvery = 10 * time.Millisecond
	}
	if s.Metrics == nil {
		s.Metrics = NewMetrics(nil, nil)
	}
}

// unpaced methods are not messages in a chat: Telegram does not count them against the
// chat's one message a second, and a callback answer must not wait behind one.
func unpaced(method string) bool {
	return method == "answerCallbackQuery" || method == "sendChatAction"
}

// outboxLookback is how far below the newest id seen every read looks for rows that
// committed late: more ids than the instances write while a turn's transaction commits.
// A row further behind (a fan-out of thousands of notices committing meanwhile) waits
// for the full read.
const outboxLookback = 200

type chatQueue struct {
	rows []store.OutboxRow
	next time.Time // earliest time the next paced row may be sent
	hold time.Time // earliest time a row put back after a failure may be tried again
	busy bool      // a request for this chat is in flight: one at a time keeps order
}

type sendResult struct {
	row       store.OutboxRow
	out       outcome
	requeue   bool          // the row is pending again and goes back to the head of its chat
	delay     time.Duration // with requeue: how long the chat waits
	doneAt    time.Time
	messageID int64 // of a message sent: recorded with the next batch of deliveries
	unsent    bool  // the request was never made: the row goes back to the queue as it was
}

// claimWindow is how far ahead of the global pace rows are claimed: every row claimed is
// on the wire within it (or within Workers requests), so few are in flight, and
// outcome-unknown after a crash, that are not yet really sent.
const claimWindow = 250 * time.Millisecond

// Run sends until ctx ends. The caller must hold the sending leadership.
//
// Rows are claimed many at a time, in one statement committed before any of their
// requests leaves, and their deliveries recorded many at a time, in one statement: a row
// sent but not yet recorded is 'sending', and a crash then leaves it outcome-unknown,
// never sent twice.
func (s *Sender) Run(ctx context.Context) error {
	s.defaults()
	n, err := store.AbandonSending(ctx, s.DB, "telegram")
	if err != nil {
		return err
	}
	if n > 0 {
		s.Metrics.outcomes.WithLabelValues("unknown").Add(float64(n))
		s.Log.Warn("telegram outbox: rows were in flight when the previous sender stopped; not resending them",
			"outcome_unknown", n)
	}
	select {
	case <-ctx.Done():
		return nil
	case <-time.After(s.TakeoverWait):
	}

	// A bucket of one: no second ever holds more requests than the rate, at the price
	// of a slot lost whenever the loop is late (about 1% on a loaded 2-core machine).
	limiter := rate.NewLimiter(rate.Limit(s.Rate), 1)
	perClaim := max(1, int(s.Rate*claimWindow.Seconds()))
	chats := map[string]*chatQueue{}
	held := map[int64]bool{}
	results := make(chan sendResult, s.Workers)
	var inflight sync.WaitGroup
	defer inflight.Wait()
	// One goroutine spaces the claimed rows' requests at the global pace, in order, and
	// starts each on its own: the requests leave as evenly as the limiter allows.
	paced := make(chan store.OutboxRow, s.Workers)
	defer close(paced)
	var pause pauseClock
	go func() {
		for row := range paced {
			if err := limiter.Wait(ctx); err != nil || pause.active(time.Now()) {
				// Shutting down, or a 429 arrived while the row waited for its turn.
				results <- s.unsend(ctx, row)
				inflight.Done()
				continue
			}
			go func() {
				defer inflight.Done()
				results <- s.send(ctx, row, &pause)
			}()
		}
	}()
	busy := 0
	var lastLoad, lastFull, lastClaim time.Time
	var maxSeen int64
	// Every id up to settled has been read (or is more than outboxLookback behind);
	// seenAbove holds the ids read beyond it.
	var settled int64
	seenAbove := map[int64]bool{}
	var delivered []store.Delivery
	var deliveredSince time.Time

	// record writes the deliveries not recorded yet, in one statement.
	record := func() {
		if len(delivered) == 0 {
			return
		}
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := store.MarkOutboxDelivered(wctx, s.DB, delivered); err != nil {
			s.Log.Warn("telegram outbox: could not record deliveries", "rows", len(delivered), "err", err)
		}
		delivered = delivered[:0]
	}
	forget := func(id int64) { delete(held, id) }
	var later []store.OutboxRow
	queue := func(r store.OutboxRow) {
		q := chats[r.ChatID]
		if q == nil {
			q = &chatQueue{}
			chats[r.ChatID] = q
		}
		// In id order: a row read late (its transaction committed after a newer row of
		// the chat was read) still goes before the rows written after it.
		i := sort.Search(len(q.rows), func(i int) bool { return q.rows[i].ID > r.ID })
		q.rows = slices.Insert(q.rows, i, r)
	}

	finish := func(r sendResult) {
		busy--
		q := chats[r.row.ChatID]
		q.busy = false
		if r.out == outcomeRateLimit {
			pause.until(r.doneAt.Add(r.delay))
		}
		if r.unsent {
			q.rows = append([]store.OutboxRow{r.row}, q.rows...)
			return
		}
		if r.requeue {
			q.rows = append([]store.OutboxRow{r.row}, q.rows...)
			if r.out == outcomeTransient {
				q.hold = r.doneAt.Add(r.delay)
			}
			return
		}
		forget(r.row.ID)
		if r.out == outcomeSent {
			if len(delivered) == 0 {
				deliveredSince = r.doneAt
			}
			delivered = append(delivered, store.Delivery{ID: r.row.ID, MessageID: r.messageID})
		}
		if r.out == outcomeBlocked {
			// Everything else queued for the chat was marked blocked with it.
			for _, o := range q.rows {
				forget(o.ID)
			}
			q.rows = nil
		}
		if !unpaced(r.row.Method) {
			gap := s.ChatGap
			if r.row.IsGroup {
				gap = s.GroupGap
			}
			// Measured from the answer, not the request: the next request then reaches
			// Telegram at least a gap after the previous one did.
			q.next = r.doneAt.Add(gap)
		}
	}

	for {
		// Collect what finished without blocking.
		for drained := false; !drained; {
			select {
			case r := <-results:
				finish(r)
			default:
				drained = true
			}
		}
		if ctx.Err() != nil {
			for busy > 0 {
				finish(<-results)
			}
			record()
			return nil
		}
		now := time.Now()
		// Deliveries are recorded in batches: when many have gathered, or the oldest
		// has waited a moment.
		if len(delivered) >= 256 || (len(delivered) > 0 && now.Sub(deliveredSince) >= s.Poll/2) {
			record()
		}
		if now.Sub(lastLoad) >= s.Poll && len(held) < 4000 {
			lastLoad = now
			// Usually only rows newer than any seen are read; now and then the whole
			// queue, for rows another sender let go of, skipping the ones held here.
			// An id is taken when a row is written, not when it commits, so a row can
			// become visible after a newer row of another chat was read. The usual read
			// therefore starts at the first id not read yet (a gap: a transaction still
			// committing, or one rolled back), or that row would wait for the next full
			// read while its chat's later rows went out ahead of it.
			after := settled
			if now.Sub(lastFull) >= 5*time.Second {
				lastFull, after = now, 0
			}
			var ids []int64 // only those the read could return: the list is checked row by row
			for id := range held {
				if id > after {
					ids = append(ids, id)
				}
			}
			rows, err := store.DueOutbox(ctx, s.DB, "telegram", after, ids, 1000)
			if err != nil && ctx.Err() == nil {
				s.Log.Warn("telegram outbox: read failed", "err", err)
			}
			for _, r := range rows {
				maxSeen = max(maxSeen, r.ID)
				if r.ID > settled {
					seenAbove[r.ID] = true
				}
				if held[r.ID] {
					continue
				}
				held[r.ID] = true
				if r.NotBefore.After(now) {
					later = append(later, r)
					continue
				}
				queue(r)
			}
			if floor := maxSeen - outboxLookback; settled < floor {
				settled = floor
				for id := range seenAbove {
					if id <= floor {
						delete(seenAbove, id)
					}
				}
			}
			for seenAbove[settled+1] {
				settled++
				delete(seenAbove, settled)
			}
		}
		// A row that was to wait (a notice the plan may make needless) joins its chat's
		// line when due, behind what came meanwhile.
		for i := 0; i < len(later); {
			if r := later[i]; !r.NotBefore.After(now) {
				queue(r)
				later = append(later[:i], later[i+1:]...)
				continue
			}
			i++
		}

		// The rows to send next: the heads of chats that are free and due, oldest first,
		// as many as workers are free and the pace allows within the claim window.
		var picks []*chatQueue
		wake := lastLoad.Add(s.Poll)
		for _, r := range later {
			if r.NotBefore.Before(wake) {
				wake = r.NotBefore
			}
		}
		if len(delivered) > 0 && deliveredSince.Add(s.Poll/2).Before(wake) {
			wake = deliveredSince.Add(s.Poll / 2)
		}
		paused := pause.active(now)
		if busy < s.Workers && !paused {
			for chat, q := range chats {
				if q.busy || len(q.rows) == 0 {
					// An idle chat is forgotten only once its gap has passed: a row
					// queued for it later must still wait the gap out.
					if !q.busy && len(q.rows) == 0 && now.After(q.next) && now.After(q.hold) {
						delete(chats, chat)
					}
					continue
				}
				due := q.hold
				if !unpaced(q.rows[0].Method) && q.next.After(due) {
					due = q.next
				}
				if now.Before(due) {
					if due.Before(wake) {
						wake = due
					}
					continue
				}
				picks = append(picks, q)
			}
		}
		s.Metrics.chats.Set(float64(len(chats)))
		if paused && pause.at().Before(wake) {
			wake = pause.at()
		}
		if len(picks) > 0 {
			// Claiming waits a moment after the last claim, so that rows are claimed
			// many at a time rather than one per statement.
			if next := lastClaim.Add(s.ClaimEvery); now.Before(next) {
				if next.Before(wake) {
					wake = next
				}
				picks = nil
			}
		}
		if len(picks) == 0 {
			t := time.NewTimer(max(time.Until(wake), time.Millisecond))
			select {
			case <-ctx.Done():
			case r := <-results:
				finish(r)
			case <-t.C:
			}
			t.Stop()
			continue
		}
		sort.Slice(picks, func(i, j int) bool { return picks[i].rows[0].ID < picks[j].rows[0].ID })
		picks = picks[:min(len(picks), s.Workers-busy, perClaim)]
		lastClaim = now
		ids := make([]int64, len(picks))
		for i, q := range picks {
			ids[i] = q.rows[0].ID
		}
		// The deliveries not recorded yet are recorded by the same statement, before
		// any row that may edit their messages is sent.
		claimed, err := store.ClaimOutboxRows(ctx, s.DB, ids, delivered)
		if err != nil && ctx.Err() == nil {
			s.Log.Warn("telegram outbox: claim failed", "err", err)
		}
		if err == nil {
			delivered = delivered[:0]
		}
		got := make(map[int64]store.OutboxRow, len(claimed))
		for _, r := range claimed {
			got[r.ID] = r
		}
		for _, q := range picks {
			head := q.rows[0]
			q.rows = q.rows[1:]
			row, ok := got[head.ID]
			if !ok {
				// Another sender took it, or the database is away: forget it; if it is
				// still pending it will be read again.
				forget(head.ID)
				continue
			}
			q.busy = true
			busy++
			inflight.Add(1)
			paced <- row
		}
	}
}

// pauseClock is the end of a 429's pause, shared by the loop and the requests waiting
// for their turn.
type pauseClock struct{ ns atomic.Int64 }

func (p *pauseClock) until(t time.Time) {
	for {
		old := p.ns.Load()
		if t.UnixNano() <= old || p.ns.CompareAndSwap(old, t.UnixNano()) {
			return
		}
	}
}

func (p *pauseClock) at() time.Time { return time.Unix(0, p.ns.Load()) }

func (p *pauseClock) active(now time.Time) bool { return now.Before(p.at()) }

// unsend puts back a claimed row whose request was never made.
func (s *Sender) unsend(ctx context.Context, row store.OutboxRow) sendResult {
	if err := store.UnclaimOutbox(context.WithoutCancel(ctx), s.DB, []int64{row.ID}); err != nil {
		s.Log.Warn("telegram outbox: could not put back a row", "row", row.ID, "err", err)
	}
	return sendResult{row: row, unsent: true, doneAt: time.Now()}
}

// send makes the request of a claimed row and records the outcome; a delivery is left
// to the loop to record with others.
func (s *Sender) send(ctx context.Context, row store.OutboxRow, pause *pauseClock) sendResult {
	res := sendResult{row: row, out: outcomeFailed}
	// A claimed row is seen through to its outcome with a context of its own: a shutdown
	// must not abort a request on the wire, nor leave a row that was answered looking
	// as if it were still in flight. The API's own timeout bounds the request.
	wctx := context.WithoutCancel(ctx)
	var params tgbotapi.Params
	if err := json.Unmarshal(row.Params, &params); err != nil {
		store.FailOutbox(wctx, s.DB, row.ID, store.OutboxFailed, "bad params: "+err.Error())
		res.doneAt = time.Now()
		return res
	}
	if row.EditOf.Valid {
		mid, err := store.OutboxMessageID(wctx, s.DB, row.EditOf.Int64)
		if err != nil || mid == 0 {
			store.FailOutbox(wctx, s.DB, row.ID, store.OutboxFailed, "the message to edit was not sent")
			res.doneAt = time.Now()
			return res
		}
		params["message_id"] = strconv.FormatInt(mid, 10)
	}
	start := time.Now()
	resp, err := s.API.MakeRequest(row.Method, params)
	res.doneAt = time.Now()
	s.Metrics.latency.Observe(res.doneAt.Sub(start).Seconds())
	out, retryAfter := classify(err)
	res.out = out
	s.Metrics.outcomes.WithLabelValues(out.String()).Inc()
	wctx, cancel := context.WithTimeout(wctx, 5*time.Second)
	defer cancel()
	switch out {
	case outcomeSent:
		if resp != nil {
			var m struct {
				MessageID int64 `json:"message_id"`
			}
			if json.Unmarshal(resp.Result, &m) == nil {
				res.messageID = m.MessageID
			}
		}
	case outcomeRateLimit:
		pause.until(res.doneAt.Add(retryAfter))
		s.Log.Warn("telegram: rate limited, pausing all sending", "retry_after_s", retryAfter.Seconds(), "method", row.Method)
		res.requeue, res.delay = true, retryAfter
		store.RetryOutbox(wctx, s.DB, row.ID, errText(err), time.Now())
	case outcomeTransient:
		if row.Attempts >= s.MaxAttempts {
			res.out = outcomeFailed
			store.FailOutbox(wctx, s.DB, row.ID, store.OutboxFailed, "gave up: "+errText(err))
			s.Log.Warn("telegram outbox: giving up on a row", "row", row.ID, "attempts", row.Attempts, "err", errText(err))
			break
		}
		backoff := time.Duration(1<<min(row.Attempts, 6)) * 250 * time.Millisecond
		backoff += time.Duration(rand.Int64N(int64(backoff/4) + 1))
		res.requeue, res.delay = true, backoff
		store.RetryOutbox(wctx, s.DB, row.ID, errText(err), time.Now().Add(backoff))
		s.Log.Info("telegram outbox: retrying", "row", row.ID, "attempt", row.Attempts, "backoff", backoff, "err", errText(err))
	case outcomeBlocked:
		n, berr := store.BlockRecipient(wctx, s.DB, "telegram", row.ChatID, errText(err))
		if berr != nil {
			s.Log.Warn("telegram outbox: could not record a blocked chat", "err", berr)
		}
		s.Log.Info("telegram: chat unreachable; traveller unsubscribed", "chat", row.ChatID, "rows_dropped", n, "err", errText(err))
	case outcomeUnknown:
		store.FailOutbox(wctx, s.DB, row.ID, store.OutboxUnknown, "delivery unknown: "+errText(err))
		s.Log.Warn("telegram outbox: the request may have reached Telegram; not resending it",
			"row", row.ID, "method", row.Method, "err", errText(err))
	case outcomeFailed:
		store.FailOutbox(wctx, s.DB, row.ID, store.OutboxFailed, errText(err))
		s.Log.Warn("telegram outbox: request refused", "row", row.ID, "method", row.Method, "err", errText(err))
	}
	return res
}
