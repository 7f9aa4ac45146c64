package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Outbox row states.
const (
	OutboxPending = "pending"
	OutboxSending = "sending" // claimed; the request may be in flight
	OutboxSent    = "sent"
	OutboxFailed  = "failed"  // a permanent error, or retries exhausted
	OutboxBlocked = "blocked" // the recipient blocked the bot or is gone
	OutboxUnknown = "unknown" // a sender died mid-request: maybe delivered, never resent
)

// OutboxRow is one request to send to a channel.
type OutboxRow struct {
	ID             int64           `db:"id"`
	Channel        string          `db:"channel"`
	TravellerID    sql.NullInt64   `db:"traveller_id"`
	ConversationID sql.NullInt64   `db:"conversation_id"`
	ChatID         string          `db:"chat_id"`
	IsGroup        bool            `db:"is_group"`
	Method         string          `db:"method"`
	Params         json.RawMessage `db:"params"`
	EditOf         sql.NullInt64   `db:"edit_of"`
	State          string          `db:"state"`
	Attempts       int             `db:"attempts"`
	LastError      string          `db:"last_error"`
	MessageID      sql.NullInt64   `db:"message_id"`
	NotBefore      time.Time       `db:"not_before"`
}

// NewOutbox is what a writer puts in the outbox.
type NewOutbox struct {
	Channel        string
	TravellerID    int64
	ConversationID int64
	ChatID         string
	IsGroup        bool
	Method         string
	Params         any
	EditOf         int64     // an earlier row whose sent message this one edits
	DedupeKey      string    // non-empty: a second row with the same key is dropped
	NotBefore      time.Time // zero: now
}

const outboxCols = `id, channel, traveller_id, conversation_id, chat_id, is_group, method, params, edit_of, state, attempts, last_error, message_id, not_before`

func nullable(v int64) sql.NullInt64 { return sql.NullInt64{Int64: v, Valid: v != 0} }

// EnqueueOutbox adds a row; inside a turn's transaction it exists only if the turn
// commits. id is 0 when the dedupe key was seen before.
func EnqueueOutbox(ctx context.Context, q Queryer, r NewOutbox) (int64, error) {
	b, err := json.Marshal(r.Params)
	if err != nil {
		return 0, err
	}
	if r.Channel == "" {
		r.Channel = "telegram"
	}
	var dedupe sql.NullString
	if r.DedupeKey != "" {
		dedupe = sql.NullString{String: r.DedupeKey, Valid: true}
	}
	var notBefore sql.NullTime
	if !r.NotBefore.IsZero() {
		notBefore = sql.NullTime{Time: r.NotBefore, Valid: true}
	}
	var id int64
	err = q.GetContext(ctx, &id, `
INSERT INTO outbox (channel, traveller_id, conversation_id, chat_id, is_group, method, params, edit_of, dedupe_key, not_before)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, COALESCE($10, now()))
ON CONFLICT (channel, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING RETURNING id`,
		r.Channel, nullable(r.TravellerID), nullable(r.ConversationID), r.ChatID, r.IsGroup, r.Method, b, nullable(r.EditOf), dedupe, notBefore)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("enqueue outbox: %w", err)
	}
	return id, nil
}

// The queue (migration 00095) lists the rows pending or in flight; the few in flight
// are skipped by their state.
const qDueOutbox = `
SELECT ` + outboxCols + ` FROM outbox
JOIN (SELECT id FROM outbox_queue WHERE channel = $1 AND id > $2 AND NOT (id = ANY($3))) q USING (id)
WHERE state = 'pending'
ORDER BY id LIMIT $4`

// DueOutbox lists pending rows of a channel after afterID in the order they must go
// out, skipping the ids the caller already holds. Rows not due yet are listed too, for
// the caller to hold until they are: a row held back does not wait to be read again.
func DueOutbox(ctx context.Context, q Queryer, channel string, afterID int64, skip []int64, limit int) ([]OutboxRow, error) {
	if skip == nil {
		skip = []int64{} // a NULL array would match nothing
	}
	var rs []OutboxRow
	err := q.SelectContext(ctx, &rs, qDueOutbox, channel, afterID, pq.Array(skip), limit)
	if err != nil {
		return nil, fmt.Errorf("due outbox: %w", err)
	}
	return rs, nil
}

// ClaimOutbox marks a pending row 'sending' and commits that before the caller makes
// the request, which is what makes delivery at most once. ok is false when another
// sender holds or finished it.
func ClaimOutbox(ctx context.Context, db *DB, id int64) (r OutboxRow, ok bool, err error) {
	err = db.GetContext(ctx, &r, `
UPDATE outbox SET state = 'sending', sending_at = now(), attempts = attempts + 1
WHERE id = (SELECT id FROM outbox WHERE id = $1 AND state = 'pending' FOR UPDATE SKIP LOCKED)
RETURNING `+outboxCols, id)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("claim outbox %d: %w", id, err)
	}
	return r, true, nil
}

// The arrays are read through scalar subqueries ((SELECT $1::bigint[])) so that the
// plan kept for the statement serves every call. PostgreSQL estimates an array
// parameter at 10 elements in a kept plan and at its real length, usually 1-8, in a plan
// made for the call, so the call's plan always looked cheaper and the statement was
// planned anew at nearly every call (0.58 ms of planning against 0.85 of execution at
// 1,000 Telegram travellers). A subquery's value is unknown to both plans alike.
const qClaimOutboxRows = `
WITH delivered AS (
    UPDATE outbox o SET state = 'sent', done_at = now(), message_id = NULLIF(d.mid, 0), last_error = ''
    FROM unnest((SELECT $2::bigint[]), (SELECT $3::bigint[])) AS d(id, mid)
    WHERE o.id = d.id AND o.state = 'sending'
    RETURNING o.id),
claimed AS (
    UPDATE outbox SET state = 'sending', sending_at = now(), attempts = attempts + 1
    WHERE id = ANY((SELECT $1::bigint[])::bigint[]) AND state = 'pending'
    RETURNING ` + outboxCols + `)
SELECT * FROM claimed ORDER BY id`

// ClaimOutboxRows is ClaimOutbox for many rows in one statement: the rows of ids still
// pending are marked 'sending', and that is committed before any of their requests
// leaves. The rows returned are those claimed, in id order: a row another writer changed
// meanwhile (blocked, dropped) is waited for and then not claimed. The same statement records
// deliveries made since the last (see MarkOutboxDelivered): a sender pays one round trip
// and one transaction for both.
func ClaimOutboxRows(ctx context.Context, db *DB, ids []int64, delivered []Delivery) ([]OutboxRow, error) {
	dids, mids := make([]int64, len(delivered)), make([]int64, len(delivered))
	for i, d := range delivered {
		dids[i], mids[i] = d.ID, d.MessageID
	}
	var rs []OutboxRow
	err := db.SelectContext(ctx, &rs, qClaimOutboxRows, pq.Array(ids), pq.Array(dids), pq.Array(mids))
	if err != nil {
		return nil, fmt.Errorf("claim outbox rows: %w", err)
	}
	return rs, nil
}

// UnclaimOutbox puts claimed rows whose requests were never made back in the queue, as
// if they had not been claimed.
func UnclaimOutbox(ctx context.Context, q Queryer, ids []int64) error {
	_, err := q.ExecContext(ctx, `UPDATE outbox SET state = 'pending', attempts = greatest(attempts - 1, 0) WHERE id = ANY($1) AND state = 'sending'`,
		pq.Array(ids))
	if err != nil {
		return fmt.Errorf("unclaim outbox: %w", err)
	}
	return nil
}

// DropPendingOutbox deletes rows of ids that are still waiting to be sent: they are no
// longer needed.
func DropPendingOutbox(ctx context.Context, q Queryer, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	// The array through a subquery, for one kept plan (qClaimOutboxRows).
	if _, err := q.ExecContext(ctx, `DELETE FROM outbox WHERE id = ANY((SELECT $1::bigint[])::bigint[]) AND state = 'pending'`, pq.Array(ids)); err != nil {
		return fmt.Errorf("drop pending outbox: %w", err)
	}
	return nil
}

// Delivery is a sent row with the channel's id of its message (0: none).
type Delivery struct {
	ID, MessageID int64
}

const qMarkOutboxDelivered = `
UPDATE outbox o SET state = 'sent', done_at = now(), message_id = NULLIF(d.mid, 0), last_error = ''
FROM unnest($1::bigint[], $2::bigint[]) AS d(id, mid)
WHERE o.id = d.id AND o.state = 'sending'`

// MarkOutboxDelivered records many deliveries in one statement.
func MarkOutboxDelivered(ctx context.Context, q Queryer, ds []Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	ids, mids := make([]int64, len(ds)), make([]int64, len(ds))
	for i, d := range ds {
		ids[i], mids[i] = d.ID, d.MessageID
	}
	_, err := q.ExecContext(ctx, qMarkOutboxDelivered, pq.Array(ids), pq.Array(mids))
	if err != nil {
		return fmt.Errorf("mark %d outbox rows sent: %w", len(ds), err)
	}
	return nil
}

// OutboxMessageID returns the channel's message id of a sent row (0 if not sent).
func OutboxMessageID(ctx context.Context, q Queryer, id int64) (int64, error) {
	var mid sql.NullInt64
	err := q.GetContext(ctx, &mid, `SELECT message_id FROM outbox WHERE id = $1`, id)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("outbox message id: %w", err)
	}
	return mid.Int64, nil
}

// MarkOutboxSent records a delivery.
func MarkOutboxSent(ctx context.Context, q Queryer, id, messageID int64) error {
	_, err := q.ExecContext(ctx, `UPDATE outbox SET state = 'sent', done_at = now(), message_id = $2, last_error = '' WHERE id = $1 AND state = 'sending'`,
		id, nullable(messageID))
	if err != nil {
		return fmt.Errorf("mark outbox %d sent: %w", id, err)
	}
	return nil
}

// RetryOutbox puts a row whose request certainly did not succeed back in the queue.
func RetryOutbox(ctx context.Context, q Queryer, id int64, cause string, at time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE outbox SET state = 'pending', not_before = $2, last_error = $3 WHERE id = $1 AND state = 'sending'`,
		id, at, cause)
	if err != nil {
		return fmt.Errorf("retry outbox %d: %w", id, err)
	}
	return nil
}

// FailOutbox gives up on a row. The cause is what lists it among the problems.
func FailOutbox(ctx context.Context, q Queryer, id int64, state, cause string) error {
	if cause == "" {
		cause = state
	}
	_, err := q.ExecContext(ctx, `UPDATE outbox SET state = $2, done_at = now(), last_error = $3 WHERE id = $1 AND state = 'sending'`,
		id, state, cause)
	if err != nil {
		return fmt.Errorf("fail outbox %d: %w", id, err)
	}
	return nil
}

// BlockRecipient records that a chat refused the bot (blocked, deleted, kicked): the
// traveller is unreachable, unsubscribed, and nothing more is sent to the chat.
func BlockRecipient(ctx context.Context, db *DB, channel, chatID, cause string) (blocked int64, err error) {
	if cause == "" {
		cause = OutboxBlocked
	}
	err = db.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE travellers SET reachable = false WHERE channel = $1 AND external_id = $2`, channel, chatID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM subscriptions WHERE traveller_id IN (SELECT id FROM travellers WHERE channel = $1 AND external_id = $2)`, channel, chatID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'blocked', done_at = now(), last_error = $3 WHERE channel = $1 AND chat_id = $2 AND state IN ('pending', 'sending')`,
			channel, chatID, cause)
		if err != nil {
			return err
		}
		blocked, _ = res.RowsAffected()
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("block recipient: %w", err)
	}
	return blocked, nil
}

// SetReachable marks a traveller reachable again (they unblocked the bot).
func SetReachable(ctx context.Context, q Queryer, channel, chatID string, reachable bool) error {
	_, err := q.ExecContext(ctx, `UPDATE travellers SET reachable = $3 WHERE channel = $1 AND external_id = $2`, channel, chatID, reachable)
	if err != nil {
		return fmt.Errorf("set reachable: %w", err)
	}
	return nil
}

// AbandonSending turns every 'sending' row of a channel into 'unknown'. Only the single
// active sender calls it, when it takes over: rows still 'sending' were in flight when
// the previous sender died, and may or may not have reached the recipient.
func AbandonSending(ctx context.Context, q Queryer, channel string) (int64, error) {
	res, err := q.ExecContext(ctx, `
UPDATE outbox SET state = 'unknown', done_at = now(), last_error = 'sender stopped during the request: delivery unknown'
WHERE id IN (SELECT id FROM outbox_queue WHERE channel = $1) AND state = 'sending'`, channel)
	if err != nil {
		return 0, fmt.Errorf("abandon sending: %w", err)
	}
	return res.RowsAffected()
}

// OutboxStats counts a channel's rows by state.
func OutboxStats(ctx context.Context, q Queryer, channel string) (map[string]int64, error) {
	var rows []struct {
		State string `db:"state"`
		N     int64  `db:"n"`
	}
	if err := q.SelectContext(ctx, &rows, `SELECT state, count(*) AS n FROM outbox WHERE channel = $1 GROUP BY state`, channel); err != nil {
		return nil, fmt.Errorf("outbox stats: %w", err)
	}
	m := map[string]int64{}
	for _, r := range rows {
		m[r.State] = r.N
	}
	return m, nil
}

// OutboxProblem is a row that did not go out, or not yet, with when that was last known.
type OutboxProblem struct {
	OutboxRow
	At time.Time `db:"at"` // when it was given up, or last tried, or queued
}

// OutboxProblems lists the rows that did not go out (failed, blocked, unknown) or are
// being retried, newest first, with their last error.
func OutboxProblems(ctx context.Context, q Queryer, channel string, limit int) ([]OutboxProblem, error) {
	var rs []OutboxProblem
	err := q.SelectContext(ctx, &rs, `
SELECT `+outboxCols+`, COALESCE(done_at, sending_at, created_at) AS at FROM outbox
WHERE channel = $1 AND last_error <> '' AND state IN ('failed', 'blocked', 'unknown', 'pending')
ORDER BY id DESC LIMIT $2`, channel, limit)
	if err != nil {
		return nil, fmt.Errorf("outbox problems: %w", err)
	}
	return rs, nil
}
