package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"xingqu/api"
	"xingqu/dialog"
	"xingqu/notices"
	"xingqu/store"
)

// Inbound is a traveller's message as a channel hands it over.
type Inbound struct {
	Channel     string        `json:"channel"`    // "telegram", "web", "cli"
	ExternalID  string        `json:"externalId"` // chat id, widget session id
	InboundID   string        `json:"inboundId"`  // the channel's id for this message, for dedupe
	DisplayName string        `json:"displayName,omitempty"`
	LangHint    string        `json:"langHint,omitempty"`
	TimeZone    string        `json:"timeZone,omitempty"`
	Text        string        `json:"text,omitempty"`
	Action      string        `json:"action,omitempty"`
	Place       *dialog.Place `json:"place,omitempty"`
}

// Pipeline takes inbound messages from every channel through the same steps: stored
// first (a redelivery is dropped there), then handled one at a time per conversation in
// arrival order, each turn one transaction with the conversation row locked, its replies,
// jobs and records written in that same transaction.
type Pipeline struct {
	DB        *store.DB
	Engine    *dialog.Engine
	Extractor dialog.Extractor // optional
	SweepAge  time.Duration    // how long a message waits before Sweep takes it; 0: 15 s
	Log       *slog.Logger
	// Outbox, when set, hands each turn's replies to the traveller's channel inside the
	// turn's transaction, so a reply is sent if and only if its turn committed.
	Outbox OutboxWriter
	// Notices, when set, holds travellers' messages during maintenance and downtime: each
	// is answered with the notice and kept for its real turn after the window.
	Notices *notices.NoticeBoard
	// MessageRate caps the messages of one traveller per minute, on every channel and
	// across instances (XINGQU_MESSAGE_RATE); 0: no cap.
	MessageRate int
	// MaxDrains bounds the conversations drained at once by Kick, each holding a pool
	// connection while it runs; 0: 8.
	MaxDrains int

	hints  hintMemo // each message's extraction, made once
	drains drainSet
	watch  atomic.Pointer[turnWatch] // WatchTurns
}

// TurnWatcher is told of the transcript lines of the turns this process takes, so that
// the streams open here can show them without reading them back. Its methods run on the
// turn's goroutine and must not block.
type TurnWatcher interface {
	// Committing is told a turn's lines just before its transaction commits. The
	// turn's notification is sent once it has committed, and may be heard before
	// Committed is told.
	Committing(store.TurnLines)
	// Committed is told them once the turn has committed; Undone when it has not, or
	// when it cannot be known whether it has (the commit's answer was lost). An undone
	// turn sends no notification, even if it did commit.
	Committed(store.TurnLines)
	Undone(store.TurnLines)
}

type turnWatch struct{ w TurnWatcher }

// WatchTurns has w told of every turn this process takes from now on.
func (p *Pipeline) WatchTurns(w TurnWatcher) { p.watch.Store(&turnWatch{w}) }

// turnCommitting tells the watcher that a turn's transaction is about to commit, and
// returns the watcher told, for the turn's end to tell it too (turnWatch.ended): one
// watcher hears both, whatever WatchTurns does meanwhile.
func (p *Pipeline) turnCommitting(lines store.TurnLines) *turnWatch {
	if tw := p.watch.Load(); tw != nil && len(lines.Messages) > 0 {
		tw.w.Committing(lines)
		return tw
	}
	return nil
}

// ended tells a watcher told of a turn's commit how it ended: err is InTx's. A turn no
// watcher was told of tells nothing.
func (tw *turnWatch) ended(lines store.TurnLines, err error) {
	switch {
	case tw == nil:
	case err == nil:
		tw.w.Committed(lines)
	default:
		tw.w.Undone(lines)
	}
}

// drainSet is the conversations this process is draining: one drain per conversation,
// so that messages arriving while a turn runs do not queue for its row lock with a
// connection each, and at most MaxDrains at once.
type drainSet struct {
	mu      sync.Mutex
	running map[int64]bool // conversation -> another message arrived during the drain
	slots   chan struct{}
	// active counts the drain goroutines; idle is signalled when it falls to zero. Not a
	// WaitGroup: drains may start while Wait waits (a channel still delivering).
	active int
	idle   *sync.Cond
}

// enter records that the caller drains convID, unless it is being drained already: then
// it asks that drain to look again before it ends, and reports false.
func (d *drainSet) enter(convID int64, maxDrains int) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.running == nil {
		d.running, d.idle = map[int64]bool{}, sync.NewCond(&d.mu)
		if maxDrains <= 0 {
			maxDrains = 8
		}
		d.slots = make(chan struct{}, maxDrains)
	}
	if _, busy := d.running[convID]; busy {
		d.running[convID] = true
		return false
	}
	d.running[convID] = false
	d.active++
	return true
}

// leaveLocked records, with d.mu held, that the drain of convID ends: it is no longer
// running and no longer counted, in one step, so that a Kick for the same conversation
// that finds it gone never counts two drains for it.
func (d *drainSet) leaveLocked(convID int64) {
	delete(d.running, convID)
	d.active--
	if d.active == 0 {
		d.idle.Broadcast()
	}
}

// OutboxWriter queues replies for a channel. It decides from the traveller whether the
// replies are its to send; the pipeline stays unaware of channels.
type OutboxWriter interface {
	WriteReplies(ctx context.Context, tx *sqlx.Tx, conv *dialog.Conversation, travellerID int64, replies []dialog.Reply) error
}

// ReplyQueuer is an OutboxWriter that can leave the rows of a turn's replies to the
// turn's closing statement (store.TurnEnd.Outbox), one statement fewer a turn: it
// returns the rows nothing it queued has to follow, and queues the rest itself.
type ReplyQueuer interface {
	QueueReplies(ctx context.Context, tx *sqlx.Tx, conv *dialog.Conversation, travellerID int64, replies []dialog.Reply) ([]store.NewOutbox, error)
}

// OutboxFunc lets a function be an OutboxWriter.
type OutboxFunc func(ctx context.Context, tx *sqlx.Tx, conv *dialog.Conversation, travellerID int64, replies []dialog.Reply) error

// WriteReplies calls f.
func (f OutboxFunc) WriteReplies(ctx context.Context, tx *sqlx.Tx, conv *dialog.Conversation, travellerID int64, replies []dialog.Reply) error {
	return f(ctx, tx, conv, travellerID, replies)
}

// Receive stores a message and returns its conversation. dup reports a redelivery. A
// message over the traveller's rate is dropped with a *TooFast error.
func (p *Pipeline) Receive(ctx context.Context, in Inbound) (convID int64, dup bool, err error) {
	return p.ReceiveWith(ctx, in, nil)
}

// ReceiveWith is Receive with more work committed in the same transaction: then is
// called after the message is stored (dup says it was stored before), and an error from
// it undoes the storing. The traveller, their conversation, the message and what then
// writes cost one transaction; with no then, a known traveller's message is a single
// statement outside any transaction.
func (p *Pipeline) ReceiveWith(ctx context.Context, in Inbound, then func(tx *sqlx.Tx, convID int64, dup bool) error) (convID int64, dup bool, err error) {
	msg := p.inbound(&in)
	var tooFast *TooFast
	receive := func(q store.Queryer) error {
		var err error
		convID, dup, err = store.ReceiveInbound(ctx, q, msg)
		if tooFast = tooFastOf(err, in); tooFast != nil {
			return nil // the count is kept, the message is not
		}
		return err
	}
	if then == nil {
		// One statement, committed on its own: no transaction to open and close.
		err = receive(p.DB)
	} else {
		err = p.DB.InTx(ctx, func(tx *sqlx.Tx) error {
			if err := receive(tx); err != nil || tooFast != nil {
				return err
			}
			return then(tx, convID, dup)
		})
	}
	if err != nil {
		return 0, false, err
	}
	if tooFast != nil {
		return 0, false, tooFast
	}
	return convID, dup, nil
}

// ReceiveUpdate is ReceiveWith for a Telegram message with nothing more to commit than
// the outcome of the update that brought it: a known traveller's message and that
// outcome cost one statement and no transaction (store.ReceiveUpdate). Otherwise it
// takes the long way, the outcome recorded in ReceiveWith's transaction.
func (p *Pipeline) ReceiveUpdate(ctx context.Context, in Inbound, u store.UpdateDone) (convID int64, dup bool, err error) {
	msg := p.inbound(&in)
	convID, dup, ok, err := store.ReceiveUpdate(ctx, p.DB, msg, u)
	if tooFast := tooFastOf(err, in); tooFast != nil {
		return 0, false, tooFast
	}
	if err != nil || ok {
		return convID, dup, err
	}
	return p.ReceiveWith(ctx, in, func(tx *sqlx.Tx, convID int64, dup bool) error {
		outcome := u.Outcome
		if dup {
			outcome = u.DupOutcome
		}
		return store.FinishNextTelegramUpdate(ctx, tx, u.UpdateID, u.ChatID, outcome)
	})
}

// inbound cleans a channel's message and says how the store takes it.
func (p *Pipeline) inbound(in *Inbound) store.NewInbound {
	in.Text, in.Action, in.DisplayName = Clean(in.Text, api.MaxMessageLen), Clean(in.Action, 256), Clean(in.DisplayName, 128)
	if in.Place != nil {
		in.Place.Name = Clean(in.Place.Name, 256)
	}
	msg := store.NewInbound{Channel: in.Channel, ExternalID: in.ExternalID,
		DisplayName: in.DisplayName, Lang: dialog.LangOfHint(in.LangHint), TimeZone: in.TimeZone,
		InboundID: in.InboundID, Payload: *in}
	if p.MessageRate > 0 {
		msg.Rate = &store.RateLimit{Key: store.MessageRateKey(in.Channel, in.ExternalID), Limit: p.MessageRate, Window: time.Minute}
	}
	return msg
}

// tooFastOf is what a traveller over the message rate is told; nil for any other err.
func tooFastOf(err error, in Inbound) *TooFast {
	var refused *store.RateRefusal
	if !errors.As(err, &refused) {
		return nil
	}
	return &TooFast{RetryAfter: refused.RetryAfter, First: refused.First, Lang: dialog.LangOfHint(in.LangHint)}
}

// Clean makes channel text storable: valid UTF-8, no NUL (which PostgreSQL's text and
// jsonb refuse), at most n characters.
func Clean(s string, n int) string {
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
	if utf8.RuneCountInString(s) > n {
		s = string([]rune(s)[:n])
	}
	return s
}

// Handle receives a message and handles everything pending for its conversation.
func (p *Pipeline) Handle(ctx context.Context, in Inbound) (convID int64, dup bool, err error) {
	convID, dup, err = p.Receive(ctx, in)
	if err != nil || dup {
		return convID, dup, err
	}
	_, err = p.Drain(ctx, convID)
	return convID, false, err
}

// Kick runs the conversation's pending turns soon, in this process: at once when it is
// not being drained here already, otherwise right after the running drain, which picks
// the new message up. The inbox is only the record for a crash to recover from; nothing
// polls it on the way. ctx bounds the drain.
func (p *Pipeline) Kick(ctx context.Context, convID int64) {
	d := &p.drains
	if !d.enter(convID, p.MaxDrains) {
		return // the running drain picks the message up
	}
	go func() {
		select {
		case d.slots <- struct{}{}:
		case <-ctx.Done():
			d.mu.Lock()
			d.leaveLocked(convID)
			d.mu.Unlock()
			return // the sweeper finds the message
		}
		defer func() { <-d.slots }()
		for {
			// A drain that hangs (the database stalled) gives up; the sweeper retries.
			dctx, cancel := context.WithTimeout(ctx, time.Minute)
			if _, err := p.Drain(dctx, convID); err != nil && ctx.Err() == nil {
				p.Log.Warn("turn failed", "conversation", convID, "err", err)
			}
			cancel()
			d.mu.Lock()
			if again := d.running[convID]; !again || ctx.Err() != nil {
				d.leaveLocked(convID)
				d.mu.Unlock()
				return
			}
			d.running[convID] = false
			d.mu.Unlock()
		}
	}()
}

// Wait returns once no drain started by Kick is running.
func (p *Pipeline) Wait() {
	d := &p.drains
	d.mu.Lock()
	defer d.mu.Unlock()
	for d.active > 0 {
		d.idle.Wait()
	}
}

// Drain handles the conversation's pending messages in arrival order, one turn each.
func (p *Pipeline) Drain(ctx context.Context, convID int64) (handled int, err error) {
	waited := map[int64]bool{} // messages this drain put back to wait for their reading
	for {
		down := p.Notices.Downtime(ctx)
		var hint *extracted
		if !down.Active {
			// No model call for a message that only gets the maintenance notice.
			hint = p.extract(ctx, convID)
		}
		done, handledOne := false, false
		var itemID int64
		var lines store.TurnLines
		var told *turnWatch
		err := p.DB.InTx(ctx, func(tx *sqlx.Tx) error {
			lines, told = store.TurnLines{}, nil
			conv, travellerID, err := store.LockConversation(ctx, tx, convID)
			if err != nil {
				return err
			}
			if down.Active && conv.Status != dialog.StatusHuman {
				done = true
				n, err := p.hold(ctx, tx, &conv, travellerID, down)
				handled += n
				return err
			}
			item, ok, err := store.NextInbox(ctx, tx, convID)
			if err != nil {
				return err
			}
			if !ok {
				done = true
				return nil
			}
			handledOne, itemID = true, item.ID
			var in Inbound
			if err := json.Unmarshal(item.Payload, &in); err != nil {
				return fmt.Errorf("inbox %d: %w", item.ID, err)
			}
			var h *dialog.Extraction
			if hint != nil && hint.inboxID == item.ID {
				h = hint.ex
			} else if !waited[item.ID] && p.needsHint(in, conv) {
				// Another drain is reading this message, or nobody has yet: handle it
				// once its reading is made rather than without it.
				var ok bool
				if h, ok = p.hints.ready(item.ID); !ok {
					waited[item.ID] = true
					handledOne, itemID = false, 0
					return nil
				}
			}
			// The turn's end says whether more waits: that saves a transaction of its
			// own when nothing else arrived.
			more, err := p.turn(ctx, tx, &conv, travellerID, in, h, item.HeldAt.Valid, item.ID, &lines)
			done = !more
			if err == nil {
				told = p.turnCommitting(lines)
			}
			return err
		})
		told.ended(lines, err)
		if err != nil {
			if itemID != 0 && ctx.Err() == nil {
				p.turnFailed(context.WithoutCancel(ctx), convID, itemID, err)
			}
			return handled, err
		}
		if handledOne {
			handled++
		}
		if done {
			return handled, nil
		}
	}
}

type extracted struct {
	inboxID int64
	ex      *dialog.Extraction
}

// extract asks the extractor about the next pending message when the parsers cannot read
// it, before any transaction is open: the call may take seconds.
func (p *Pipeline) extract(ctx context.Context, convID int64) *extracted {
	if p.Extractor == nil {
		return nil
	}
	item, ok, err := store.NextInbox(ctx, p.DB, convID)
	if err != nil || !ok {
		return nil
	}
	var in Inbound
	if json.Unmarshal(item.Payload, &in) != nil || in.Text == "" || dialog.IsEmergency(in.Text, in.Action) {
		return nil
	}
	conv, err := store.GetConversation(ctx, p.DB, convID)
	if err != nil {
		return nil
	}
	pc, lang := p.Engine.ParseContextFor(conv.State, conv.TimeZone), conv.Lang
	if ex := dialog.Extract(in.Text, pc); !ex.Unparsed {
		return nil
	}
	ex := p.readOnce(ctx, item.ID, func() *dialog.Extraction {
		ctx, cancel := context.WithTimeout(p.spender(ctx, convID), 6*time.Second)
		defer cancel()
		ex, err := p.Extractor.Extract(ctx, in.Text, pc, lang)
		if err != nil {
			p.Log.Debug("extractor unavailable", "conversation", convID, "err", err)
			return nil
		}
		return ex
	})
	return &extracted{inboxID: item.ID, ex: ex}
}

// turn is one message's turn inside the transaction that holds the conversation lock;
// handled is the message's inbox row, marked handled with the turn's end. held says the
// message went into the transcript when it was answered with a maintenance notice. more
// reports another message of the conversation waiting. lines, if set, is given the lines
// the turn's end adds to the transcript, for the TurnWatcher.
func (p *Pipeline) turn(ctx context.Context, tx *sqlx.Tx, conv *dialog.Conversation, travellerID int64, in Inbound, hint *dialog.Extraction, held bool, handled int64, lines *store.TurnLines) (more bool, err error) {
	end := &store.TurnEnd{ConversationID: conv.ID, Handled: handled, Wrote: lines}
	if !held {
		end.Messages = append(end.Messages, store.NewMessage{Role: "traveller", Text: in.Text, Body: store.MessageBody{Action: in.Action}})
	}
	if conv.Status == dialog.StatusHuman {
		// An agent has the conversation: the bot stays silent and the agent sees the message.
		return store.FinishTurn(ctx, tx, *end)
	}
	if in.TimeZone != "" && conv.TimeZone == "" {
		conv.TimeZone = in.TimeZone
	}
	ev := dialog.Inbound{Text: in.Text, Action: in.Action, Hint: hint, ChannelLang: in.LangHint, Channel: in.Channel}
	if dialog.ReadCaseQuery(in.Text) {
		v, err := caseView(ctx, tx, conv.ID)
		if err != nil {
			return false, err
		}
		ev.Case = v
	}
	if in.Place != nil {
		ev.Event, ev.Place = dialog.EventLocation, in.Place
	}
	res := p.Engine.Handle(conv, ev)
	return p.commitResult(ctx, tx, conv, travellerID, res, end)
}

// hold answers a conversation's pending messages during downtime. Each new one goes into
// the transcript with the notice and the expected end, and stays pending so that the
// sweeper runs its turn once the window is over; an emergency runs its turn now, out of
// order, because a person must see it while the bot is down.
func (p *Pipeline) hold(ctx context.Context, tx *sqlx.Tx, conv *dialog.Conversation, travellerID int64, down notices.Downtime) (handled int, err error) {
	items, err := store.PendingInbox(ctx, tx, conv.ID, 100)
	if err != nil {
		return 0, err
	}
	changed := false
	for _, item := range items {
		var in Inbound
		if err := json.Unmarshal(item.Payload, &in); err != nil {
			return handled, fmt.Errorf("inbox %d: %w", item.ID, err)
		}
		// An emergency, and what follows it until the traveller is safe, is answered now.
		if dialog.IsEmergency(in.Text, in.Action) || conv.State == dialog.StateEmergency {
			if _, err := p.turn(ctx, tx, conv, travellerID, in, nil, item.HeldAt.Valid, item.ID, nil); err != nil {
				return handled, err
			}
			handled++
			continue
		}
		if item.HeldAt.Valid {
			continue // answered already; waits for the window to end
		}
		if _, err := store.AddMessage(ctx, tx, conv.ID, "traveller", in.Text, store.MessageBody{Action: in.Action}); err != nil {
			return handled, err
		}
		loc := p.Engine.DefaultLoc
		if p.Notices != nil && loc == nil {
			loc = p.Notices.Loc
		}
		text := notices.MaintenanceReply(conv.Lang, down, notices.LocOf(conv.TimeZone, loc))
		if _, err := store.AddMessage(ctx, tx, conv.ID, "system", text, store.MessageBody{Kind: dialog.ReplyText}); err != nil {
			return handled, err
		}
		if p.Outbox != nil {
			if err := p.Outbox.WriteReplies(ctx, tx, conv, travellerID, []dialog.Reply{{Kind: dialog.ReplyText, Text: text}}); err != nil {
				return handled, fmt.Errorf("outbox: %w", err)
			}
		}
		if err := store.HoldInbox(ctx, tx, item.ID); err != nil {
			return handled, err
		}
		changed = true
	}
	if changed {
		return handled, p.notify(ctx, tx, conv.ID)
	}
	return handled, nil
}

// Event applies an event (a plan ready, a hand-back) to a conversation as a turn of its own.
func (p *Pipeline) Event(ctx context.Context, convID int64, ev dialog.Inbound) error {
	return p.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		return p.EventTx(ctx, tx, convID, ev)
	})
}

// EventTx is Event inside a caller's transaction, for work that must commit together with
// the event (a plan stored and delivered at once).
func (p *Pipeline) EventTx(ctx context.Context, tx *sqlx.Tx, convID int64, ev dialog.Inbound) error {
	return p.eventTx(ctx, tx, convID, ev, nil)
}

// eventTx is EventTx; lines, if set, is given the lines the event's end adds to the
// transcript, for the TurnWatcher.
func (p *Pipeline) eventTx(ctx context.Context, tx *sqlx.Tx, convID int64, ev dialog.Inbound, lines *store.TurnLines) error {
	conv, travellerID, err := store.LockConversation(ctx, tx, convID)
	if err != nil {
		return err
	}
	return p.eventLocked(ctx, tx, &conv, travellerID, ev, lines)
}

// eventLocked is eventTx for a conversation tx has locked and read already.
func (p *Pipeline) eventLocked(ctx context.Context, tx *sqlx.Tx, conv *dialog.Conversation, travellerID int64, ev dialog.Inbound, lines *store.TurnLines) error {
	res := p.Engine.Handle(conv, ev)
	_, err := p.commitResult(ctx, tx, conv, travellerID, res, &store.TurnEnd{ConversationID: conv.ID, Wrote: lines})
	return err
}

// commitResult writes a turn's replies and effects and the conversation itself. end,
// if set, holds what the turn has to write already (the traveller's message, the inbox
// row it answers); the transcript, the conversation and the inbox are written in one
// statement at the end (store.FinishTurn), which says whether more messages wait.
func (p *Pipeline) commitResult(ctx context.Context, tx *sqlx.Tx, conv *dialog.Conversation, travellerID int64, res dialog.Result, end *store.TurnEnd) (more bool, err error) {
	if end == nil {
		end = &store.TurnEnd{ConversationID: conv.ID}
	}
	if err := fillPlanCards(ctx, tx, conv.ID, &res); err != nil {
		return false, err
	}
	for _, r := range res.Replies {
		body := store.MessageBody{Kind: r.Kind, Choices: r.Choices, Plan: r.Plan}
		end.Messages = append(end.Messages, store.NewMessage{Role: "bot", Text: r.Text, Body: body})
	}
	if p.Outbox != nil && len(res.Replies) > 0 {
		// No effect queues outbox rows: the replies' rows can wait for the turn's end.
		if q, ok := p.Outbox.(ReplyQueuer); ok {
			rows, err := q.QueueReplies(ctx, tx, conv, travellerID, res.Replies)
			if err != nil {
				return false, fmt.Errorf("outbox: %w", err)
			}
			end.Outbox = append(end.Outbox, rows...)
		} else if err := p.Outbox.WriteReplies(ctx, tx, conv, travellerID, res.Replies); err != nil {
			return false, fmt.Errorf("outbox: %w", err)
		}
	}
	for _, e := range res.Effects {
		if !effectWithoutTranscript[e.Kind] && len(end.Messages) > 0 {
			// The effect may read or add to the transcript: this turn's lines go first.
			if err := store.AddMessages(ctx, tx, conv.ID, end.Messages); err != nil {
				return false, err
			}
			end.Messages = nil
		}
		if err := p.applyEffect(ctx, tx, conv, travellerID, e); err != nil {
			return false, err
		}
	}
	end.Conversation = conv
	return store.FinishTurn(ctx, tx, *end)
}

// effectWithoutTranscript are the effects that neither read nor write the transcript:
// the turn's lines can wait for the turn's end to be written.
var effectWithoutTranscript = map[dialog.EffectKind]bool{
	dialog.EffectRequestPlan: true, dialog.EffectCheckWeather: true, dialog.EffectEditPlan: true, dialog.EffectShowPlan: true,
	dialog.EffectSubscribe: true, dialog.EffectUnsubscribe: true, dialog.EffectSetLanguage: true,
}

// PlanJob is the payload of a planning job.
type PlanJob struct {
	ConversationID int64              `json:"conversationId"`
	PlanRequest    int                `json:"planRequest"`
	Trip           dialog.TripRequest `json:"trip"`
	Lang           string             `json:"lang"`
	// An edit of plan version Version (on option Tier, or all when ""), instead of a new plan.
	Edit    *dialog.PlanEdit `json:"edit,omitempty"`
	Tier    dialog.Tier      `json:"tier,omitempty"`
	Version int              `json:"version,omitempty"`
}

// JobPlan is the kind of planning jobs.
const JobPlan = "plan"

func (p *Pipeline) applyEffect(ctx context.Context, tx *sqlx.Tx, conv *dialog.Conversation, travellerID int64, e dialog.Effect) error {
	var err error
	switch e.Kind {
	case dialog.EffectRequestPlan:
		job := PlanJob{ConversationID: conv.ID, PlanRequest: e.PlanRequest, Lang: e.Lang}
		if e.Trip != nil {
			job.Trip = *e.Trip
		}
		_, err = store.EnqueueJob(ctx, tx, JobPlan, conv.ID, job, time.Time{})
	case dialog.EffectCheckWeather:
		job := WeatherJob{ConversationID: conv.ID, Lang: e.Lang}
		if e.Trip != nil {
			job.Trip = *e.Trip
		}
		_, err = store.EnqueueJob(ctx, tx, JobWeather, conv.ID, job, time.Time{})
	case dialog.EffectEditPlan:
		job := PlanJob{ConversationID: conv.ID, PlanRequest: e.PlanRequest, Lang: e.Lang, Trip: conv.Trip, Edit: e.Edit, Tier: e.Tier, Version: e.Version}
		_, err = store.EnqueueJob(ctx, tx, JobPlan, conv.ID, job, time.Time{})
	case dialog.EffectShowPlan, dialog.EffectPlacesToDrop:
		// Shown by fillPlanCards, before the replies were written.
	case dialog.EffectEmergency, dialog.EffectFeedback, dialog.EffectSafe, dialog.EffectCallHuman, dialog.EffectCancelHuman:
		// The conversation's status and priority, saved with it, are the agents' queue;
		// the case follows the traveller's request (care.go).
		err = p.careEffect(ctx, tx, conv, e)
	case dialog.EffectNearby:
		err = nearbyJob(ctx, tx, conv, e)
	case dialog.EffectSubscribe:
		err = storeSubscription(ctx, tx, travellerID, e.Types)
	case dialog.EffectUnsubscribe:
		err = store.SetSubscribed(ctx, tx, travellerID, false)
	case dialog.EffectSetLanguage:
		err = store.SetTravellerLang(ctx, tx, travellerID, e.Lang)
	case dialog.EffectAlertsOn, dialog.EffectAlertsOff:
		err = store.SetWeatherAlerts(ctx, tx, travellerID, e.Kind == dialog.EffectAlertsOn)
	default:
		err = fmt.Errorf("unknown effect %q", e.Kind)
	}
	if err != nil {
		return fmt.Errorf("effect %s: %w", e.Kind, err)
	}
	return nil
}

// notify tells listeners (widget streams, the console) that the conversation changed,
// once the transaction has committed (store.NotifyAfterCommit).
func (p *Pipeline) notify(ctx context.Context, tx *sqlx.Tx, convID int64) error {
	return store.NotifyAfterCommit(ctx, tx, store.ConversationChannel, strconv.FormatInt(convID, 10))
}

// TravellerID identifies the traveller for the daily token budget.
func (j PlanJob) TravellerID() string { return fmt.Sprint("conversation:", j.ConversationID) }

// DrainPending handles every conversation with messages stored but not handled, for
// instance those received just before a crash.
func (p *Pipeline) DrainPending(ctx context.Context) {
	ids, err := store.PendingConversations(ctx, p.DB, 1000)
	if err != nil {
		p.Log.Warn("pending conversations", "err", err)
		return
	}
	for _, id := range ids {
		if _, err := p.Drain(ctx, id); err != nil {
			p.Log.Warn("drain pending", "conversation", id, "err", err)
		}
	}
}

// maxTurnAttempts is how often a message's turn may fail before it is given up.
const maxTurnAttempts = 3

// turnFailed records a failed turn. A message whose turn keeps failing would hold up every
// message behind it, so after a few attempts it is set aside with an apology to the
// traveller, and the failure logged for someone to look at.
func (p *Pipeline) turnFailed(ctx context.Context, convID, itemID int64, cause error) {
	n, err := store.FailedTurn(ctx, p.DB, itemID)
	if err != nil {
		p.Log.Error("turn failed", "conversation", convID, "inbox", itemID, "err", cause)
		return
	}
	if n < maxTurnAttempts {
		p.Log.Warn("turn failed; will retry", "conversation", convID, "inbox", itemID, "attempt", n, "err", cause)
		return
	}
	p.Log.Error("turn failed repeatedly; message set aside", "conversation", convID, "inbox", itemID, "attempts", n, "err", cause)
	// The channel itself may be what fails: then the apology stays in the transcript.
	if err := p.setAside(ctx, convID, itemID, true); err != nil {
		if err := p.setAside(ctx, convID, itemID, false); err != nil {
			p.Log.Error("set aside failed message", "conversation", convID, "inbox", itemID, "err", err)
		}
	}
}

func (p *Pipeline) setAside(ctx context.Context, convID, itemID int64, viaChannel bool) error {
	return p.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		conv, travellerID, err := store.LockConversation(ctx, tx, convID)
		if err != nil {
			return err
		}
		if err := store.MarkHandled(ctx, tx, itemID); err != nil {
			return err
		}
		text := dialog.T(conv.Lang, "turn_failed")
		if _, err := store.AddMessage(ctx, tx, convID, "system", text, store.MessageBody{Kind: dialog.ReplyText}); err != nil {
			return err
		}
		if p.Outbox != nil && viaChannel {
			if err := p.Outbox.WriteReplies(ctx, tx, &conv, travellerID, []dialog.Reply{{Kind: dialog.ReplyText, Text: text}}); err != nil {
				return err
			}
		}
		return p.notify(ctx, tx, convID)
	})
}

// defaultSweepAge is how long a message waits before the sweeper takes it: longer than a
// turn with its extractor call (6 s) takes, so that a slow turn is not started twice.
const defaultSweepAge = 15 * time.Second

// Sweep picks up, every few seconds, messages that nobody handled: their handler failed,
// or the instance that received them died. It also prunes finished work once an hour.
func (p *Pipeline) Sweep(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	lastPrune := time.Time{}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		age := p.SweepAge
		if age == 0 {
			age = defaultSweepAge
		}
		ids, err := store.StalePending(ctx, p.DB, age, 100)
		if err != nil && ctx.Err() == nil {
			p.Log.Warn("sweep", "err", err)
		}
		for _, id := range ids {
			if _, err := p.Drain(ctx, id); err != nil && ctx.Err() == nil {
				p.Log.Warn("sweep: drain", "conversation", id, "err", err)
			}
		}
		if time.Since(lastPrune) > time.Hour {
			lastPrune = time.Now()
			if n, err := store.Prune(ctx, p.DB); err != nil && ctx.Err() == nil {
				p.Log.Warn("prune", "err", err)
			} else if len(n) > 0 {
				p.Log.Info("pruned finished rows", "deleted", n)
			}
		}
	}
}
