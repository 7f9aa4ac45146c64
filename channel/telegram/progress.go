package telegram

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"xingqu/api"
	"xingqu/dialog"
	"xingqu/pipeline"
	"xingqu/store"
)

// A plan being written is shown in the chat as one message, sent at the first progress
// and edited as the plan grows, then deleted once the plan is delivered: like "typing",
// it says something is happening and leaves nothing stale behind.
//
// Every instance listens for progress, and the database decides what is sent: a row is
// written only while the conversation, locked, still awaits that plan; the message is
// edited only once its previous row has been answered and the interval has passed since;
// and rows carry dedupe keys, so two instances writing the same progress make one row.

// progressText renders a preview under the heading, escaped and cut from the front (the
// newest lines are at the end) to fit one message.
func progressText(lang, preview string) string {
	head := "<b>" + Escape(dialog.T(lang, "tg_plan_progress")) + "</b>"
	body := Escape(strings.TrimSpace(preview))
	for rs := []rune(strings.TrimSpace(preview)); u16len(head)+2+u16len(body) > api.MaxMessageLen; {
		rs = rs[len(rs)/8+1:]
		body = Escape(string(rs))
	}
	if !hasText(body) {
		return head
	}
	return head + "\n\n" + body
}

func progressKey(convID int64, request int) string {
	return fmt.Sprintf("tgprogress:%d:%d", convID, request)
}

// progressChars reads back the plan length an edit's key was written with.
func progressChars(key string) int {
	parts := strings.Split(key, ":")
	if len(parts) != 4 {
		return 0
	}
	n, _ := strconv.Atoi(parts[3])
	return n
}

// progressStep is what showing one progress came to.
type progressStep struct {
	outcome string        // for the metric
	done    bool          // shown, or nothing new to show
	drop    bool          // never to be shown: the plan is no longer awaited, or not in Telegram
	wait    time.Duration // not yet: try again after this long
}

// showProgress writes the outbox row that shows pr, if it is time for one.
func (c *Channel) showProgress(ctx context.Context, pr pipeline.Progress) (progressStep, error) {
	var st progressStep
	err := c.db.InTx(ctx, func(tx *sqlx.Tx) error {
		// A turn holds the conversation for as long as it runs; progress can wait.
		if err := store.LockTimeout(ctx, tx, 200*time.Millisecond); err != nil {
			return err
		}
		// The lock orders this against the turn that delivers the plan: either this row
		// is written first and that turn deletes the message, or the plan is no longer
		// awaited here and nothing is written.
		conv, travellerID, err := store.LockConversation(ctx, tx, pr.ConversationID)
		if err != nil {
			return err
		}
		if !dialog.AwaitsPlan(&conv, pr.PlanRequest) {
			st.drop = true
			return nil
		}
		chat, ok, err := telegramChat(ctx, tx, &conv, travellerID)
		if err != nil || !ok {
			st.drop = true
			return err
		}
		text := progressText(conv.Lang, pr.Preview)
		key := progressKey(pr.ConversationID, pr.PlanRequest)
		params := map[string]string{"chat_id": chat, "text": text, "parse_mode": "HTML", "disable_web_page_preview": "true"}
		rows, err := store.OutboxByKeys(ctx, tx, "telegram", []string{key})
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			id, err := store.EnqueueOutbox(ctx, tx, store.NewOutbox{TravellerID: travellerID, ConversationID: conv.ID, ChatID: chat,
				Method: "sendMessage", Params: params, DedupeKey: key})
			st.done, st.outcome = true, written(id)
			return err
		}
		first := rows[0]
		last, err := store.LastOfMessage(ctx, tx, "telegram", chat, first.ID)
		if err != nil {
			return err
		}
		interval := c.cfg.ProgressInterval.Seconds()
		switch {
		case first.State == store.OutboxFailed || first.State == store.OutboxBlocked || first.State == store.OutboxUnknown:
			st.drop = true // there is no message to edit
		case last.State == store.OutboxPending || last.State == store.OutboxSending:
			// Its send time is not known yet, and the interval counts from it.
			st.wait = c.cfg.ProgressInterval / 5
		case last.Text == text || pr.Chars <= progressChars(last.Key.String):
			st.done = true
		case last.DoneAgo < interval:
			st.wait = time.Duration((interval - last.DoneAgo) * float64(time.Second))
		default:
			id, err := store.EnqueueOutbox(ctx, tx, store.NewOutbox{TravellerID: travellerID, ConversationID: conv.ID, ChatID: chat,
				Method: "editMessageText", EditOf: first.ID, Params: params, DedupeKey: fmt.Sprintf("%s:%d", key, pr.Chars)})
			st.done, st.outcome = true, written(id)
			return err
		}
		return nil
	})
	if err != nil {
		return progressStep{outcome: "failed"}, err
	}
	switch {
	case st.outcome != "":
	case st.drop:
		st.outcome = "dropped"
	case st.done:
		st.outcome = "current"
	default:
		st.outcome = "waited"
	}
	return st, nil
}

// written names an insert's outcome: another instance may have written the same row.
func written(id int64) string {
	if id == 0 {
		return "dedupe"
	}
	return "written"
}

// finishProgress deletes the progress messages of plans the conversation no longer
// awaits, after the turn's replies (the plan card, usually): the chat never shows
// "writing…" next to the plan, nor forever after a cancel. It runs in the turn's
// transaction, which holds the conversation, so no progress row can slip in after it.
// before is called before the first row it queues, for the turn's message to go first.
func finishProgress(ctx context.Context, q store.Queryer, t chatTarget, conv *dialog.Conversation, before func() error) error {
	last := conv.Memo.PlanRequest
	if last == 0 {
		return nil
	}
	// A turn that found the latest request no longer awaited finished its messages and
	// those of the requests before it; none is written for a request not awaited, and a
	// new request moves last past the mark.
	awaited := dialog.AwaitsPlan(conv, last)
	if conv.Memo.ProgressDone == last && !awaited {
		return nil
	}
	if awaited {
		conv.Memo.ProgressDone = 0
	} else {
		conv.Memo.ProgressDone = last
	}
	var keys []string
	// Each turn that stops awaiting a plan finishes its message, so only the latest few
	// requests can have one open.
	for r := max(1, last-3); r <= last; r++ {
		k := progressKey(conv.ID, r)
		keys = append(keys, k, k+":end", workingKey(conv.ID, r))
	}
	rows, err := store.OutboxByKeys(ctx, q, "telegram", keys)
	if err != nil {
		return err
	}
	seen := map[string]store.KeyedOutboxRow{}
	for _, r := range rows {
		seen[r.Key] = r
	}
	// A "working on it" notice not sent yet is needless once the plan is no longer
	// awaited: the plan, or whatever ended the wait, is the answer.
	var needless []int64
	for r := max(1, last-3); r <= last; r++ {
		if w, ok := seen[workingKey(conv.ID, r)]; ok && w.State == store.OutboxPending && !dialog.AwaitsPlan(conv, r) {
			needless = append(needless, w.ID)
		}
	}
	if err := store.DropPendingOutbox(ctx, q, needless); err != nil {
		return err
	}
	for r := max(1, last-3); r <= last; r++ {
		k := progressKey(conv.ID, r)
		first, ok := seen[k]
		if _, ended := seen[k+":end"]; !ok || ended || dialog.AwaitsPlan(conv, r) {
			continue
		}
		if first.State == store.OutboxFailed || first.State == store.OutboxBlocked || first.State == store.OutboxUnknown {
			continue
		}
		if err := before(); err != nil {
			return err
		}
		if _, err := store.EnqueueOutbox(ctx, q, store.NewOutbox{TravellerID: t.travellerID, ConversationID: t.convID, ChatID: t.chatID,
			Method: "deleteMessage", EditOf: first.ID, Params: map[string]string{"chat_id": t.chatID}, DedupeKey: k + ":end"}); err != nil {
			return err
		}
	}
	return nil
}

// pendingProgress is the newest progress of one plan heard by this instance.
type pendingProgress struct {
	pr    pipeline.Progress
	dirty bool // pr is not shown yet
	drop  bool // the plan is not to be shown: later progress of it is ignored
	due   time.Time
	heard time.Time
}

// progressLoop listens for planning progress and shows it. It needs the process's
// notification listener (Config.Listener); without one, plans arrive without it.
func (c *Channel) progressLoop(ctx context.Context) {
	l := c.cfg.Listener
	if l == nil {
		return
	}
	// The listener's goroutine must never wait for this loop: when it falls behind, a
	// report is dropped, and the next one of the same plan supersedes it.
	heard := make(chan string, 64)
	l.Subscribe(store.ProgressChannel, func(payload string) {
		select {
		case heard <- payload:
		default:
		}
	})
	l.Start()
	plans := map[string]*pendingProgress{}
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case payload := <-heard:
			var pr pipeline.Progress
			if json.Unmarshal([]byte(payload), &pr) != nil || pr.ConversationID == 0 {
				break
			}
			k := progressKey(pr.ConversationID, pr.PlanRequest)
			p := plans[k]
			if p == nil {
				p = &pendingProgress{}
				plans[k] = p
			}
			p.heard = time.Now()
			// Notifications are sent from goroutines and may overtake each other.
			if !p.drop && (p.pr.ConversationID == 0 || pr.Chars > p.pr.Chars) {
				p.pr, p.dirty = pr, true
			}
		case <-timer.C:
		}
		next := c.flushProgress(ctx, plans)
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(max(time.Until(next), time.Millisecond))
	}
}

// flushProgress shows what is due and returns when to look again.
func (c *Channel) flushProgress(ctx context.Context, plans map[string]*pendingProgress) time.Time {
	now := time.Now()
	next := now.Add(time.Minute)
	for k, p := range plans {
		if now.Sub(p.heard) > 10*time.Minute {
			delete(plans, k) // a plan that stopped reporting long ago is done one way or another
			continue
		}
		if !p.dirty || p.drop {
			continue
		}
		if now.Before(p.due) {
			next = minTime(next, p.due)
			continue
		}
		st, err := c.showProgress(ctx, p.pr)
		c.metrics.progress.WithLabelValues(st.outcome).Inc()
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return next
			}
			if !store.IsLockTimeout(err) {
				c.log.Warn("telegram: showing plan progress failed", "conversation", p.pr.ConversationID, "err", err)
			}
			st.wait = c.cfg.ProgressInterval / 4
		case st.drop:
			p.drop, p.dirty = true, false
		case st.done:
			p.dirty = false
		}
		if st.wait > 0 {
			p.due = time.Now().Add(st.wait)
			next = minTime(next, p.due)
		}
	}
	return next
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
