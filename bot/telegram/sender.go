package telegram

import (
	"context"
	"encoding/json"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"golang.org/x/time/rate"

	"xingqu/store"
)

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
		// Enough that a slow moment of the database or the network (a send taking
		// 150 ms) still leaves 100 sends a second possible.
		s.Workers = 16
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
	row     store.OutboxRow
	out     outcome
	requeue bool          // the row is pending again and goes back to the head of its chat
	delay   time.Duration // with requeue: how long the chat waits
	doneAt  time.Time
}

// Run sends until ctx ends. The caller must hold the sending leadership.
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
	chats := map[string]*chatQueue{}
	held := map[int64]bool{}
	results := make(chan sendResult, s.Workers)
	var inflight sync.WaitGroup
	defer inflight.Wait()
	busy := 0
	var pauseUntil time.Time
	var lastLoad, lastFull time.Time
	var maxSeen int64
	// Every id up to settled has been read (or is more than outboxLookback behind);
	// seenAbove holds the ids read beyond it.
	var settled int64
	seenAbove := map[int64]bool{}

	finish := func(r sendResult) {
		busy--
		q := chats[r.row.ChatID]
		q.busy = false
		if r.out == outcomeRateLimit && r.doneAt.Add(r.delay).After(pauseUntil) {
			pauseUntil = r.doneAt.Add(r.delay)
		}
		if r.requeue {
			q.rows = append([]store.OutboxRow{r.row}, q.rows...)
			if r.out == outcomeTransient {
				q.hold = r.doneAt.Add(r.delay)
			}
			return
		}
		delete(held, r.row.ID)
		if r.out == outcomeBlocked {
			// Everything else queued for the chat was marked blocked with it.
			for _, o := range q.rows {
				delete(held, o.ID)
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
			return nil
		}
		now := time.Now()
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
				q := chats[r.ChatID]
				if q == nil {
					q = &chatQueue{}
					chats[r.ChatID] = q
				}
				q.rows = append(q.rows, r)
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

		// The next row to send: the oldest head of a chat that is free and due.
		var pick *chatQueue
		var pickID int64
		wake := lastLoad.Add(s.Poll)
		if busy < s.Workers && !now.Before(pauseUntil) {
			for chat, q := range chats {
				if q.busy || len(q.rows) == 0 {
					// An idle chat is forgotten only once its gap has passed: a row
					// queued for it later must still wait the gap out.
					if !q.busy && len(q.rows) == 0 && now.After(q.next) && now.After(q.hold) {
						delete(chats, chat)
					}
					continue
				}
				head := q.rows[0]
				due := q.hold
				if !unpaced(head.Method) && q.next.After(due) {
					due = q.next
				}
				if now.Before(due) {
					if due.Before(wake) {
						wake = due
					}
					continue
				}
				if pick == nil || head.ID < pickID {
					pick, pickID = q, head.ID
				}
			}
		}
		if now.Before(pauseUntil) && pauseUntil.Before(wake) {
			wake = pauseUntil
		}
		if pick == nil {
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
		if err := limiter.Wait(ctx); err != nil {
			continue
		}
		if time.Now().Before(pauseUntil) {
			continue // a 429 arrived while waiting for the pace
		}
		row := pick.rows[0]
		pick.rows = pick.rows[1:]
		pick.busy = true
		busy++
		inflight.Add(1)
		go func() {
			defer inflight.Done()
			results <- s.send(ctx, row)
		}()
	}
}

// send claims one row, makes its request and records the outcome.
func (s *Sender) send(ctx context.Context, row store.OutboxRow) sendResult {
	res := sendResult{row: row, out: outcomeFailed}
	claimed, ok, err := store.ClaimOutbox(ctx, s.DB, row.ID)
	if err != nil || !ok {
		// Another sender took it, or the database is away: forget it; if it is still
		// pending it will be read again.
		res.doneAt = time.Now()
		return res
	}
	row = claimed
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
		var mid int64
		if resp != nil {
			var m struct {
				MessageID int64 `json:"message_id"`
			}
			if json.Unmarshal(resp.Result, &m) == nil {
				mid = m.MessageID
			}
		}
		if err := store.MarkOutboxSent(wctx, s.DB, row.ID, mid); err != nil {
			s.Log.Warn("telegram outbox: could not record a delivery", "row", row.ID, "err", err)
		}
	case outcomeRateLimit:
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
