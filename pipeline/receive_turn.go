package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"xingqu/store"
)

// errTurnLeft undoes receiveAndTurn's transaction when the message is to be stored on
// its own instead, its turn left to a drain: a traveller not known yet (the long way), a
// message stored as handled whose turn cannot be taken here after all, or a turn that
// failed.
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
	)
	err = p.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		var known bool
		var err error
		taken = store.Taken{}
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
				return errTurnLeft // stored as handled: undone, and stored for that drain below
			}
			return nil // the drain running here takes it
		}
		if taken.Handled {
			// Stored as handled, none older waiting: this message's turn, from memory.
			took, more, turnErr = p.takeTurnOf(ctx, tx, convID, in)
			if turnErr == nil && !took {
				return errTurnLeft // it waits for a reading after all: stored for a drain below
			}
		} else {
			took, more, turnErr = p.takeTurn(ctx, tx, convID)
		}
		if turnErr != nil {
			return errTurnLeft // undone, and the message stored on its own below
		}
		return nil
	})
	if entered {
		p.drains.mu.Lock()
		again := p.drains.running[convID]
		p.drains.leaveLocked(convID)
		p.drains.mu.Unlock()
		kick = again
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
	return convID, dup, kick || !dup && (!took || more), nil
}

// takeTurn takes the turn of the conversation's oldest pending message in tx, unless it
// is one for a drain: held during downtime, or waiting for a model's reading.
func (p *Pipeline) takeTurn(ctx context.Context, tx *sqlx.Tx, convID int64) (took, more bool, err error) {
	conv, travellerID, err := store.LockConversation(ctx, tx, convID)
	if err != nil {
		return false, false, err
	}
	item, ok, err := store.NextInbox(ctx, tx, convID)
	if err != nil || !ok {
		return false, false, err
	}
	var in Inbound
	if err := json.Unmarshal(item.Payload, &in); err != nil {
		return false, false, fmt.Errorf("inbox %d: %w", item.ID, err)
	}
	if item.HeldAt.Valid || p.needsHint(in, conv) {
		return false, false, nil
	}
	more, err = p.turn(ctx, tx, &conv, travellerID, in, nil, false, item.ID)
	return err == nil, more, err
}

// takeTurnOf takes the turn of in, a message stored as handled in tx with no older one
// waiting, unless it waits for a model's reading (took false: the caller undoes tx).
func (p *Pipeline) takeTurnOf(ctx context.Context, tx *sqlx.Tx, convID int64, in Inbound) (took, more bool, err error) {
	conv, travellerID, err := store.LockConversation(ctx, tx, convID)
	if err != nil || p.needsHint(in, conv) {
		return false, false, err
	}
	more, err = p.turn(ctx, tx, &conv, travellerID, in, nil, false, 0)
	return err == nil, more, err
}
