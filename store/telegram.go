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
	return StorePolledUpdates(ctx, q, us, lease, 0)
}

// StorePolledUpdates is StoreTelegramUpdates that also advances the polling offset to
// offset (SetTelegramOffset) in the same statement, when offset is positive: a poll's
// updates and the offset past them commit together, in one round trip.
func StorePolledUpdates(ctx context.Context, q Queryer, us []TelegramUpdate, lease time.Duration, offset int64) ([]TelegramUpdate, error) {
	if len(us) == 0 {
		if offset > 0 {
			return nil, SetTelegramOffset(ctx, q, offset)
		}
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
WITH polled AS (
    INSERT INTO telegram_state (key, value) SELECT 'offset', $5::bigint WHERE $5::bigint > 0
    ON CONFLICT (key) DO UPDATE SET value = greatest(telegram_state.value, EXCLUDED.value))
INSERT INTO telegram_updates (update_id, chat_id, payload, leased_until)
SELECT u.id, u.chat, u.payload::jsonb, now() + $4 * interval '1 millisecond'
FROM unnest($1::bigint[], $2::text[], $3::text[]) AS u(id, chat, payload)
ON CONFLICT DO NOTHING RETURNING update_id`, pq.Array(ids), pq.Array(chats), pq.Array(payloads), leaseMS, offset)
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

// UpdateDone is a Telegram update to record as processed together with the message it
// brought (ReceiveUpdate).
type UpdateDone struct {
	UpdateID            int64
	ChatID              string
	Outcome, DupOutcome string // recorded for a new message, for a redelivered one
}

// qReceiveUpdate is qReceiveInbound and FinishNextTelegramUpdate in one statement, for a
// traveller with a conversation: the update is recorded only if it is unprocessed and
// no older update of its chat is, and the message stored only if the update was; the
// rate count is taken only when both may happen.
var qReceiveUpdate = `
WITH conv AS (
    SELECT c.id, tr.id AS traveller FROM travellers tr JOIN conversations c ON c.traveller_id = tr.id
    WHERE tr.channel = $1 AND tr.external_id = $2 ORDER BY c.id DESC LIMIT 1),
next AS (
    SELECT EXISTS (SELECT 1 FROM telegram_updates WHERE update_id = $11 AND processed_at IS NULL)
       AND NOT EXISTS (SELECT 1 FROM telegram_updates o
                       WHERE o.chat_id = $12 AND o.processed_at IS NULL AND o.update_id < $11) AS ok),
rate AS (
    INSERT INTO rate_counts AS r (key, window_start, count)
    SELECT $8, now(), 1 WHERE $8 <> '' AND EXISTS (SELECT 1 FROM conv) AND (SELECT ok FROM next)
    ON CONFLICT (key) DO UPDATE SET
        count        = CASE WHEN r.window_start <= now() - $10 * interval '1 millisecond' THEN 1 ELSE r.count + 1 END,
        window_start = CASE WHEN r.window_start <= now() - $10 * interval '1 millisecond' THEN now() ELSE r.window_start END
    RETURNING count, extract(epoch FROM window_start + $10 * interval '1 millisecond' - now())::float8 AS "left"),
done AS (
    UPDATE telegram_updates SET processed_at = now(), leased_until = NULL,
        outcome = CASE WHEN EXISTS (SELECT 1 FROM inbox WHERE conversation_id = (SELECT id FROM conv) AND inbound_id = $6)
                       THEN $14 ELSE $13 END
    WHERE update_id = $11 AND processed_at IS NULL AND (SELECT ok FROM next) AND EXISTS (SELECT 1 FROM conv)
      AND NOT EXISTS (SELECT 1 FROM rate WHERE count > $9)
    RETURNING outcome = $14 AS dup),
seen AS (
    ` + travellerSeenByID + `
      AND travellers.id = (SELECT traveller FROM conv) AND EXISTS (SELECT 1 FROM done)),
i AS (
    INSERT INTO inbox (conversation_id, inbound_id, payload, handled_at)
    SELECT c.id, $6::text, $7::jsonb,
        -- handled already when its turn is taken in this transaction and none older waits
        CASE WHEN $15::bool AND NOT EXISTS (
            SELECT 1 FROM inbox p WHERE p.conversation_id = c.id AND p.handled_at IS NULL) THEN now() END
    FROM conv c WHERE EXISTS (SELECT 1 FROM done)
    ON CONFLICT (conversation_id, inbound_id) DO NOTHING RETURNING id, handled_at IS NOT NULL AS handled)
SELECT (SELECT count FROM rate) AS count, (SELECT "left" FROM rate) AS "left",
       (SELECT id FROM conv) AS conversation_id, (SELECT dup FROM done) AS dup, (SELECT id FROM i) AS inbox_id,
       (SELECT handled FROM i) AS handled,
       (SELECT ok FROM next) AS next,
       EXISTS (SELECT 1 FROM telegram_updates WHERE update_id = $11 AND processed_at IS NOT NULL) AS processed`

// ReceiveUpdate stores a known traveller's message and records the update that brought
// it as processed, in one statement that commits on its own when q is the pool. ok is
// false when the traveller or their conversation is new (or was made after the
// statement began): then nothing was written, and the caller takes the long way
// (ReceiveInbound and FinishNextTelegramUpdate in a transaction). Like those, it
// returns a *RateRefusal for a message over its limit (the count kept), and
// ErrUpdateDone or ErrUpdateNotNext, having written nothing, for an update that is not
// the chat's next.
func ReceiveUpdate(ctx context.Context, q Queryer, in NewInbound, u UpdateDone) (convID int64, dup, ok bool, err error) {
	_, rate, params, err := in.args()
	if err != nil {
		return 0, false, false, err
	}
	var r struct {
		received
		Dup       sql.NullBool `db:"dup"`
		Next      bool         `db:"next"`
		Processed bool         `db:"processed"`
	}
	err = q.GetContext(ctx, &r, qReceiveUpdate, append(params,
		u.UpdateID, u.ChatID, cleanOutcome(u.Outcome), cleanOutcome(u.DupOutcome), in.takeArg())...)
	refused := r.refusal(rate)
	switch {
	case err != nil:
		return 0, false, false, fmt.Errorf("receive update %d: %w", u.UpdateID, err)
	case !r.ConvID.Valid:
		return 0, false, false, nil
	case refused != nil:
		return 0, false, false, refused
	case r.Dup.Valid:
		in.took(r.received)
		return r.ConvID.Int64, r.Dup.Bool || !r.InboxID.Valid, true, nil
	case r.Processed:
		return 0, false, false, ErrUpdateDone
	case !r.Next:
		return 0, false, false, ErrUpdateNotNext
	}
	// Processed by another worker between this statement's snapshot and its update.
	return 0, false, false, ErrUpdateDone
}
