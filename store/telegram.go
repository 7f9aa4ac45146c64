package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// TelegramUpdate is a raw update stored before it was acknowledged to Telegram.
type TelegramUpdate struct {
	UpdateID int64           `db:"update_id"`
	ChatID   string          `db:"chat_id"`
	Payload  json.RawMessage `db:"payload"`
	Attempts int             `db:"attempts"`
}

// StoreTelegramUpdate keeps an update for processing. dup reports a redelivery (the
// same update_id), which must change nothing.
func StoreTelegramUpdate(ctx context.Context, q Queryer, updateID int64, chatID string, payload []byte) (dup bool, err error) {
	fresh, err := StoreTelegramUpdates(ctx, q, []TelegramUpdate{{UpdateID: updateID, ChatID: chatID, Payload: payload}}, 0)
	return len(fresh) == 0, err
}

// StoreTelegramUpdates keeps a batch of updates in one statement and returns the ones
// not stored before, in the order given. A positive lease leaves them to the caller
// for that long, to process at once in memory: only what is still unprocessed when the
// lease ends is claimed from the table (ClaimTelegramUpdate), by whichever instance.
func StoreTelegramUpdates(ctx context.Context, q Queryer, us []TelegramUpdate, lease time.Duration) ([]TelegramUpdate, error) {
	if len(us) == 0 {
		return nil, nil
	}
	ids, chats, payloads := make([]int64, len(us)), make([]string, len(us)), make([]string, len(us))
	for i, u := range us {
		ids[i], chats[i], payloads[i] = u.UpdateID, u.ChatID, string(u.Payload)
	}
	var leaseMS any // NULL: not leased
	if lease > 0 {
		leaseMS = lease.Milliseconds()
	}
	var stored []int64
	err := q.SelectContext(ctx, &stored, `
INSERT INTO telegram_updates (update_id, chat_id, payload, leased_until)
SELECT u.id, u.chat, u.payload::jsonb, now() + $4 * interval '1 millisecond'
FROM unnest($1::bigint[], $2::text[], $3::text[]) AS u(id, chat, payload)
ON CONFLICT DO NOTHING RETURNING update_id`, pq.Array(ids), pq.Array(chats), pq.Array(payloads), leaseMS)
	if err != nil {
		return nil, fmt.Errorf("store telegram updates: %w", err)
	}
	fresh := make(map[int64]bool, len(stored))
	for _, id := range stored {
		fresh[id] = true
	}
	var out []TelegramUpdate
	for _, u := range us {
		if fresh[u.UpdateID] {
			delete(fresh, u.UpdateID) // the same id twice in one batch
			out = append(out, u)
		}
	}
	return out, nil
}

const qClaimTelegramUpdate = `
UPDATE telegram_updates SET leased_until = now() + $1 * interval '1 millisecond', attempts = attempts + 1
WHERE update_id = (
    SELECT u.update_id FROM telegram_updates u
    WHERE u.processed_at IS NULL AND (u.leased_until IS NULL OR u.leased_until < now())
      AND NOT EXISTS (SELECT 1 FROM telegram_updates o
                      WHERE o.chat_id = u.chat_id AND o.processed_at IS NULL AND o.update_id < u.update_id)
    ORDER BY u.update_id
    FOR UPDATE SKIP LOCKED
    LIMIT 1)
RETURNING update_id, chat_id, payload, attempts`

// ClaimTelegramUpdate leases the oldest unprocessed update of a chat with no older
// unprocessed update, so that one chat's updates are processed in order even by several
// instances, and an update whose worker died is processed again after the lease.
func ClaimTelegramUpdate(ctx context.Context, db *DB, lease time.Duration) (*TelegramUpdate, error) {
	var u TelegramUpdate
	err := db.GetContext(ctx, &u, qClaimTelegramUpdate, lease.Milliseconds())
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("claim telegram update: %w", err)
	}
	return &u, nil
}

// FinishTelegramUpdate records what was done with an update.
func FinishTelegramUpdate(ctx context.Context, q Queryer, updateID int64, outcome string) error {
	_, err := q.ExecContext(ctx, `UPDATE telegram_updates SET processed_at = now(), leased_until = NULL, outcome = $2 WHERE update_id = $1`,
		updateID, cleanOutcome(outcome))
	if err != nil {
		return fmt.Errorf("finish telegram update %d: %w", updateID, err)
	}
	return nil
}

// Errors of FinishNextTelegramUpdate.
var (
	// ErrUpdateDone: the update was processed already, by another worker.
	ErrUpdateDone = errors.New("telegram update already processed")
	// ErrUpdateNotNext: an older update of the same chat is not processed yet.
	ErrUpdateNotNext = errors.New("an older update of the chat is not processed yet")
)

const qFinishNextTelegramUpdate = `
WITH done AS (
    UPDATE telegram_updates SET processed_at = now(), leased_until = NULL, outcome = $3
    WHERE update_id = $1 AND processed_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM telegram_updates o
                      WHERE o.chat_id = $2 AND o.processed_at IS NULL AND o.update_id < $1)
    RETURNING 1)
SELECT EXISTS (SELECT 1 FROM done)`

// FinishNextTelegramUpdate records what was done with an update, in the transaction
// that did it, provided the update is still unprocessed and no older update of its chat
// is: otherwise it changes nothing and says why, and the caller rolls back.
func FinishNextTelegramUpdate(ctx context.Context, q Queryer, updateID int64, chatID, outcome string) error {
	var ok bool
	err := q.GetContext(ctx, &ok, qFinishNextTelegramUpdate, updateID, chatID, cleanOutcome(outcome))
	if err != nil {
		return fmt.Errorf("finish telegram update %d: %w", updateID, err)
	}
	if ok {
		return nil
	}
	var processed bool
	if err := q.GetContext(ctx, &processed, `SELECT processed_at IS NOT NULL FROM telegram_updates WHERE update_id = $1`, updateID); err != nil {
		return fmt.Errorf("finish telegram update %d: %w", updateID, err)
	}
	if processed {
		return ErrUpdateDone
	}
	return ErrUpdateNotNext
}

// FailedTelegramUpdate counts a failed attempt at processing an update that was not
// claimed from the table, leaves it for after to be claimed again, and returns the
// attempts so far.
func FailedTelegramUpdate(ctx context.Context, q Queryer, updateID int64, after time.Duration) (int, error) {
	var n int
	err := q.GetContext(ctx, &n, `
UPDATE telegram_updates SET attempts = attempts + 1, leased_until = now() + $2 * interval '1 millisecond'
WHERE update_id = $1 RETURNING attempts`, updateID, after.Milliseconds())
	if err != nil {
		return 0, fmt.Errorf("count failed telegram update %d: %w", updateID, err)
	}
	return n, nil
}

// cleanOutcome makes an outcome storable: it quotes what the traveller sent (a /start
// payload, an error about their message), and a NUL or broken UTF-8 there would leave the
// update unfinishable.
func cleanOutcome(outcome string) string {
	outcome = strings.ToValidUTF8(strings.ReplaceAll(outcome, "\x00", ""), "\uFFFD")
	if len(outcome) > 1000 {
		outcome = strings.ToValidUTF8(outcome[:1000], "")
	}
	return outcome
}

// ReleaseTelegramUpdate lets an update be claimed again at once (its processing failed
// for a reason that may pass).
func ReleaseTelegramUpdate(ctx context.Context, q Queryer, updateID int64, after time.Duration) error {
	_, err := q.ExecContext(ctx, `UPDATE telegram_updates SET leased_until = now() + $2 * interval '1 millisecond' WHERE update_id = $1`,
		updateID, after.Milliseconds())
	if err != nil {
		return fmt.Errorf("release telegram update %d: %w", updateID, err)
	}
	return nil
}

// TelegramOffset returns the polling offset: the next update_id to ask for.
func TelegramOffset(ctx context.Context, q Queryer) (int64, error) {
	var v int64
	err := q.GetContext(ctx, &v, `SELECT value FROM telegram_state WHERE key = 'offset'`)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("telegram offset: %w", err)
	}
	return v, nil
}

// SetTelegramOffset advances the polling offset; it never goes back.
func SetTelegramOffset(ctx context.Context, q Queryer, offset int64) error {
	_, err := q.ExecContext(ctx, `
INSERT INTO telegram_state (key, value) VALUES ('offset', $1)
ON CONFLICT (key) DO UPDATE SET value = greatest(telegram_state.value, EXCLUDED.value)`, offset)
	if err != nil {
		return fmt.Errorf("set telegram offset: %w", err)
	}
	return nil
}

// SaveCallbackAction stores a button action too long for callback_data and returns its id.
func SaveCallbackAction(ctx context.Context, q Queryer, action string) (int64, error) {
	var id int64
	if err := q.GetContext(ctx, &id, `INSERT INTO telegram_callbacks (action) VALUES ($1) RETURNING id`, action); err != nil {
		return 0, fmt.Errorf("save callback action: %w", err)
	}
	return id, nil
}

// CallbackAction returns a stored button action.
func CallbackAction(ctx context.Context, q Queryer, id int64) (string, error) {
	var a string
	err := q.GetContext(ctx, &a, `SELECT action FROM telegram_callbacks WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("callback action: %w", err)
	}
	return a, nil
}

// PlanOfVersion returns the plan of a given version shown in a conversation, from the
// transcript, for the day-by-day detail behind a plan card's button.
func PlanOfVersion(ctx context.Context, q Queryer, convID int64, version int) (json.RawMessage, error) {
	var b json.RawMessage
	err := q.GetContext(ctx, &b, `
SELECT body->'plan' FROM messages
WHERE conversation_id = $1 AND role = 'bot' AND body->>'kind' = 'plan' AND (body->'plan'->>'version')::int = $2
ORDER BY id DESC LIMIT 1`, convID, version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("plan of version: %w", err)
	}
	return b, nil
}

// KeyedOutboxRow is an outbox row found by its dedupe key.
type KeyedOutboxRow struct {
	ID    int64  `db:"id"`
	Key   string `db:"dedupe_key"`
	State string `db:"state"`
}

const qOutboxByKeys = `SELECT id, dedupe_key, state FROM outbox WHERE channel = $1 AND dedupe_key = ANY($2)`

// OutboxByKeys returns the rows of a channel that carry any of keys.
func OutboxByKeys(ctx context.Context, q Queryer, channel string, keys []string) ([]KeyedOutboxRow, error) {
	var rs []KeyedOutboxRow
	err := q.SelectContext(ctx, &rs, qOutboxByKeys, channel, pq.Array(keys))
	if err != nil {
		return nil, fmt.Errorf("outbox by keys: %w", err)
	}
	return rs, nil
}

// MessageRow is the newest outbox row of one message: the row that sent it or its
// latest edit.
type MessageRow struct {
	ID      int64          `db:"id"`
	Key     sql.NullString `db:"dedupe_key"`
	State   string         `db:"state"`
	Text    string         `db:"text"`
	DoneAgo float64        `db:"done_ago"` // seconds since it was done, by the database's clock; 0 while not done
}

// LastOfMessage returns the newest row of the message that row first sent. The chat
// narrows the search to that chat's rows since first, which the outbox_chat index serves.
func LastOfMessage(ctx context.Context, q Queryer, channel, chatID string, first int64) (MessageRow, error) {
	const stmt = `
SELECT id, dedupe_key, state, COALESCE(params->>'text', '') AS text,
       COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - done_at), 0)::float8 AS done_ago
FROM outbox
WHERE channel = $1 AND chat_id = $2 AND id >= $3 AND (id = $3 OR edit_of = $3)
ORDER BY id DESC LIMIT 1`
	var r MessageRow
	if err := q.GetContext(ctx, &r, stmt, channel, chatID, first); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return r, ErrNotFound
		}
		return r, fmt.Errorf("last of message %d: %w", first, err)
	}
	return r, nil
}

// LockTimeout bounds how long the rest of tx waits for a row lock, for work that should
// give way to a turn in progress rather than queue behind it.
func LockTimeout(ctx context.Context, tx *sqlx.Tx, d time.Duration) error {
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("SET LOCAL lock_timeout = %d", d.Milliseconds())); err != nil {
		return fmt.Errorf("lock timeout: %w", err)
	}
	return nil
}

// IsLockTimeout reports whether err is a lock wait that ran out (see LockTimeout).
func IsLockTimeout(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && pqErr.Code == "55P03"
}
