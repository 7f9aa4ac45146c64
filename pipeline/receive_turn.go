package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"xingqu/dialog"
	"xingqu/store"
)

// errTurnLeft undoes receiveAndTurn's transaction when the message is to be stored on
// its own instead, its turn left to a drain: a traveller not known yet (the long way), or
// a turn that failed. (A failed turn's message may then be stored after one its
// traveller sent next; turns fail only on a fault, and are retried.)
var errTurnLeft = errors.New("turn left to a drain")

// ReceiveUpdateAndTurn is ReceiveUpdate followed by the message's turn, both in one
// transaction: one commit for the message, its update's outcome and the turn, instead
// of one for the message and another for its turn. The conversation's lock orders the
// turn against any other drain of it, here or in another instance, exactly as a drain's
// turn is ordered. When no older message of the conversation waits, the message is
// stored as handled and its turn taken from the message in hand; otherwise the turn is
// the oldest waiting message's, and a drain follows for the rest.
//
// kick reports that a drain must follow (Kick): more messages wait, or the turn was left
// to a drain because the conversation is being drained here already, downtime holds
// messages, the message waits for a model's reading, or the turn failed. A failed turn
// undoes nothing but itself: the message is then stored on its own, and the drain's
// retries and setting aside apply to it as to any message.
func (p *Pipeline) ReceiveUpdateAndTurn(ctx context.Context, in Inbound, u store.UpdateDone) (convID int64, dup, kick bool, err error) {
	return p.receiveAndTurn(ctx, in,
		func(q store.Queryer, msg store.NewInbound) (int64, bool, bool, error) {
			return store.ReceiveUpdate(ctx, q, msg, u)
		},
		func() (int64, bool, error) { return p.ReceiveUpdate(ctx, in, u) })
}

// ReceiveAndTurn is Receive followed by the message's turn in one transaction, as
// ReceiveUpdateAndTurn is for Telegram: the widget's messages.
func (p *Pipeline) ReceiveAndTurn(ctx context.Context, in Inbound) (convID int64, dup, kick bool, err error) {
	return p.receiveAndTurn(ctx, in,
		func(q store.Queryer, msg store.NewInbound) (int64, bool, bool, error) {
			convID, dup, err := store.ReceiveInbound(ctx, q, msg)
			return convID, dup, true, err
		},
		func() (int64, bool, error) { return p.Receive(ctx, in) })
}

// receiveAndTurn stores a message with receive (known false: it wrote nothing, the
// message is for alone) and takes its turn in the same transaction; alone stores the
// message by itself, the turn left to a drain.
func (p *Pipeline) receiveAndTurn(ctx context.Context, in Inbound,
	receive func(q store.Queryer, msg store.NewInbound) (convID int64, dup, known bool, err error),
	alone func() (convID int64, dup bool, err error)) (convID int64, dup, kick bool, err error) {
	if p.Notices.Downtime(ctx).Active {
		convID, dup, err = alone()
		return convID, dup, err == nil && !dup, err
	}
	msg := p.inbound(&in)
	var taken store.Taken
	msg.Take = &taken
	var (
		tooFast *TooFast
		entered bool // this call drains the conversation (p.drains)
		took    bool // the turn was taken
		more    bool // another message of the conversation waits
		turnErr error
		lines   store.TurnLines // what the turn added to the transcript
		told    *turnWatch      // the watcher told of its commit
	)
	// Leaving the drain set is deferred too, so that a panicking turn does not leave the
	// conversation marked as drained for good.
	left := false
	leave := func() (again bool) {
		if !entered || left {
			return false
		}
		left = true
		p.drains.mu.Lock()
		defer p.drains.mu.Unlock()
		again = p.drains.running[convID]
		p.drains.leaveLocked(convID)
		return again
	}
	defer leave()
	err = p.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		var known bool
		var err error
		taken, lines, told = store.Taken{}, store.TurnLines{}, nil
		convID, dup, known, err = receive(tx, msg)
		if tooFast = tooFastOf(err, in); tooFast != nil {
			return nil // the count is kept, the message is not
		}
		switch {
		case err != nil:
			return err
		case !known:
			return errTurnLeft
		case dup:
			return nil
		}
		if entered = p.drains.enter(convID, p.MaxDrains); !entered {
			if taken.Handled {
				// Back in the queue for the drain running here, in this transaction: its
				// locks keep what the traveller sends next behind it.
				return store.UnmarkHandled(ctx, tx, taken.InboxID)
			}
			return nil // the drain running here takes it
		}
		if taken.Handled {
			took, more, turnErr = p.takeTurnOf(ctx, tx, convID, in, taken.InboxID, &lines)
		} else {
			took, more, turnErr = p.takeTurn(ctx, tx, convID, &lines)
		}
		if turnErr != nil {
			return errTurnLeft // undone, and the message stored on its own below
		}
		told = p.turnCommitting(lines)
		return nil
	})
	told.ended(lines, err) // before the drain set is left: a later turn's lines follow
	again := leave()
	if again && err != nil {
		// A message left to this drain must not wait for the sweeper.
		p.Kick(context.WithoutCancel(ctx), convID)
	}
	switch {
	case errors.Is(err, errTurnLeft):
		if turnErr != nil && ctx.Err() == nil {
			p.Log.Warn("turn failed; the message is left to a drain", "conversation", convID, "err", turnErr)
		}
		convID, dup, err = alone()
		return convID, dup, err == nil && !dup, err
	case err != nil:
		return 0, false, false, err
	case tooFast != nil:
		return 0, false, false, tooFast
	}
	return convID, dup, again || !dup && (!took || more), nil
}

// takeTurn takes the turn of the conversation's oldest pending message in tx, unless it
// is one for a drain: held during downtime, or waiting for a model's reading.
// lines is given what the turn adds to the transcript.
func (p *Pipeline) takeTurn(ctx context.Context, tx *sqlx.Tx, convID int64, lines *store.TurnLines) (took, more bool, err error) {
	conv, travellerID, err := store.LockConversation(ctx, tx, convID)
	if err != nil {
		return false, false, err
	}
	return p.takeNextTurn(ctx, tx, &conv, travellerID, lines)
}

// takeNextTurn is takeTurn with the conversation locked.
func (p *Pipeline) takeNextTurn(ctx context.Context, tx *sqlx.Tx, conv *dialog.Conversation, travellerID int64, lines *store.TurnLines) (took, more bool, err error) {
	item, ok, err := store.NextInbox(ctx, tx, conv.ID)
	if err != nil || !ok {
		return false, false, err
	}
	var in Inbound
	if err := json.Unmarshal(item.Payload, &in); err != nil {
		return false, false, fmt.Errorf("inbox %d: %w", item.ID, err)
	}
	if item.HeldAt.Valid || p.needsHint(in, *conv) {
		return false, false, nil
	}
	more, err = p.turn(ctx, tx, conv, travellerID, in, nil, false, item.ID, lines)
	return err == nil, more, err
}

// takeTurnOf takes the turn of in, a message stored as handled in tx (row inboxID). If a
// message of the conversation waits after all (stored while this one's statement waited
// for its traveller's row), or in waits for a model's reading, in goes back in the queue
// in its place and the waiting message's turn, if any, comes first.
func (p *Pipeline) takeTurnOf(ctx context.Context, tx *sqlx.Tx, convID int64, in Inbound, inboxID int64, lines *store.TurnLines) (took, more bool, err error) {
	conv, travellerID, waiting, err := store.LockConversationAlone(ctx, tx, convID)
	if err != nil {
		return false, false, err
	}
	if waiting || p.needsHint(in, conv) {
		if err := store.UnmarkHandled(ctx, tx, inboxID); err != nil {
			return false, false, err
		}
		if !waiting {
			return false, false, nil
		}
		return p.takeNextTurn(ctx, tx, &conv, travellerID, lines)
	}
	more, err = p.turn(ctx, tx, &conv, travellerID, in, nil, false, 0, lines)
	return err == nil, more, err
}
