package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// InboxItem is an inbound message stored before it is handled.
type InboxItem struct {
	ID             int64           `db:"id"`
	ConversationID int64           `db:"conversation_id"`
	InboundID      string          `db:"inbound_id"`
	Payload        json.RawMessage `db:"payload"`
	ReceivedAt     time.Time       `db:"received_at"`
	// HeldAt is when the message was answered with a maintenance notice and kept for its
	// real turn; its text is in the transcript from then on.
	HeldAt sql.NullTime `db:"held_at"`
}

const qReceive = `
INSERT INTO inbox (conversation_id, inbound_id, payload) VALUES ($1, $2, $3)
ON CONFLICT (conversation_id, inbound_id) DO NOTHING RETURNING id`

// Receive stores an inbound message for a conversation. dup is true when a message with
// the same inbound id was stored before: a redelivery, which must change nothing.
func Receive(ctx context.Context, q Queryer, convID int64, inboundID string, payload any) (id int64, dup bool, err error) {
	b, err := json.Marshal(payload)
	if err != nil {
		return 0, false, err
	}
	err = q.GetContext(ctx, &id, qReceive, convID, inboundID, b)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, true, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("receive: %w", err)
	}
	return id, false, nil
}

// NewInbound is an inbound message with the traveller it comes from, as a channel
// hands it over.
type NewInbound struct {
	Channel, ExternalID         string
	DisplayName, Lang, TimeZone string
	InboundID                   string
	Payload                     any
	// Rate, when set, counts the message under a limit first (CountRate): a message over
	// it is not stored, and ReceiveInbound returns a *RateRefusal, the count kept in tx.
	Rate *RateLimit
	// Take, when set, says the caller takes the message's turn in the same transaction:
	// the message is stored as handled already, unless an older message of its
	// conversation waits (then that one's turn comes first). Take says what was done.
	Take *Taken
}

// Taken is what was done with a message stored for its turn to be taken at once.
type Taken struct {
	Handled bool  // stored as handled: the caller must take its turn before committing
	InboxID int64 // the message's inbox row
}

// takeArg is the statements' parameter for in.Take.
func (in NewInbound) takeArg() bool { return in.Take != nil }

// received is what the statements storing an inbound message (qReceiveInbound,
// qReceiveUpdate) say about it.
type received struct {
	Count   sql.NullInt64   `db:"count"` // the rate count, when counted
	Left    sql.NullFloat64 `db:"left"`  // seconds left of the rate's window
	ConvID  sql.NullInt64   `db:"conversation_id"`
	InboxID sql.NullInt64   `db:"inbox_id"` // null: not stored (a redelivery, or nothing written)
	Handled sql.NullBool    `db:"handled"`
}

// refusal is the message's refusal when it went over its rate; nil within it.
func (r received) refusal(rate RateLimit) *RateRefusal {
	if r.Count.Valid && r.Count.Int64 > int64(rate.Limit) {
		return &RateRefusal{rateCount(int(r.Count.Int64), r.Left.Float64, rate.Limit)}
	}
	return nil
}

// took records in in.Take whether the message was stored as handled, and its row.
func (in NewInbound) took(r received) {
	if in.Take != nil {
		in.Take.Handled = r.Handled.Valid && r.Handled.Bool
		in.Take.InboxID = r.InboxID.Int64
	}
}

// RateLimit is a limit an event is counted under: at most Limit in each Window, per Key.
type RateLimit struct {
	Key    string
	Limit  int
	Window time.Duration
}

// RateRefusal is an event over its limit.
type RateRefusal struct{ RateCount }

func (r *RateRefusal) Error() string { return "over the rate limit" }

// args are the first ten parameters of the statements storing an inbound message: its
// fields, the payload as JSON ($7) and the rate limit ($8-$10; none when the message is
// not counted). The payload and the limit are returned as well.
func (in NewInbound) args() (payload []byte, rate RateLimit, params []any, err error) {
	payload, err = json.Marshal(in.Payload)
	rate = RateLimit{Limit: math.MaxInt32}
	if in.Rate != nil {
		rate = *in.Rate
	}
	params = []any{in.Channel, in.ExternalID, in.DisplayName, in.Lang, in.TimeZone, in.InboundID, payload,
		rate.Key, rate.Limit, rate.Window.Milliseconds()}
	return payload, rate, params, err
}

// ReceiveInbound stores a message together with what it needs: the traveller (created
// or updated) and their current conversation (started if none). In a transaction, the
// traveller's row stays locked until it ends, so messages arriving together for a new
// traveller land in one conversation; given the pool, it takes a transaction of its own
// only for what a single statement cannot do. dup reports a redelivery.
//
// A known traveller with a conversation costs one statement, the rate count included,
// and their row is written only when something about them changed or they were last
// seen over a minute ago.
func ReceiveInbound(ctx context.Context, q Queryer, in NewInbound) (convID int64, dup bool, err error) {
	b, rate, params, err := in.args()
	if err != nil {
		return 0, false, err
	}
	var r struct {
		received
		TravellerID sql.NullInt64 `db:"traveller_id"`
	}
	if err = q.GetContext(ctx, &r, qReceiveInbound, append(params, in.takeArg())...); err != nil {
		return 0, false, fmt.Errorf("receive: %w", err)
	}
	if refused := r.refusal(rate); refused != nil {
		return 0, false, refused
	}
	if r.ConvID.Valid {
		in.took(r.received)
		return r.ConvID.Int64, !r.InboxID.Valid, nil
	}
	// A new traveller, one without a conversation, or one another transaction created
	// after this statement's snapshot: the long way, the message already counted.
	slow := func(tx Queryer) error {
		tr, err := EnsureTraveller(ctx, tx, in.Channel, in.ExternalID, in.DisplayName, in.Lang, in.TimeZone)
		if err != nil {
			return err
		}
		if convID, err = CurrentConversation(ctx, tx, tr.ID, tr.Lang); err != nil {
			return err
		}
		_, dup, err = Receive(ctx, tx, convID, in.InboundID, json.RawMessage(b))
		return err
	}
	if db, ok := q.(*DB); ok {
		err = db.InTx(ctx, func(tx *sqlx.Tx) error { return slow(tx) })
	} else {
		err = slow(q)
	}
	return convID, dup, err
}

// travellerSeen is the update of a known traveller's row when they write: only when
// something about them changed or they were last seen over a minute ago.
const travellerSeen = `
        display_name = CASE WHEN EXCLUDED.display_name <> '' THEN EXCLUDED.display_name ELSE travellers.display_name END,
        lang         = CASE WHEN travellers.lang = '' THEN EXCLUDED.lang ELSE travellers.lang END,
        time_zone    = CASE WHEN EXCLUDED.time_zone <> '' THEN EXCLUDED.time_zone ELSE travellers.time_zone END,
        last_seen_at = now()
    WHERE ` + travellerChanged

// travellerChanged is when a known traveller's row is written (travellerSeen).
const travellerChanged = `(travellers.last_seen_at < now() - interval '1 minute'
       OR (EXCLUDED.display_name <> '' AND EXCLUDED.display_name <> travellers.display_name)
       OR (travellers.lang = '' AND EXCLUDED.lang <> '')
       OR (EXCLUDED.time_zone <> '' AND EXCLUDED.time_zone <> travellers.time_zone))`

// travellerSeenByID is travellerSeen as a plain update of the row, for a statement that
// knows the traveller exists: an upsert locks the row it finds even when it then changes
// nothing, which costs a write of the row's page on every message. $3, $4 and $5 are
// the display name, language and time zone, as in qReceiveInbound.
var travellerSeenByID = strings.NewReplacer(
	"EXCLUDED.display_name", "$3::text", "EXCLUDED.lang", "$4::text", "EXCLUDED.time_zone", "$5::text",
).Replace(`UPDATE travellers SET ` + travellerSeen)

// qReceiveInbound counts the message under its rate limit (none when $8 is ”, as in
// CountRate), and
// within it upserts the traveller, finds their conversation and stores the message in
// it. ON CONFLICT locks the traveller's row even when its WHERE leaves the row as it is;
// then RETURNING has nothing, and t reads the row instead. The statement returns one row
// whatever happens.
const qReceiveInbound = `
WITH rate AS (
    INSERT INTO rate_counts AS r (key, window_start, count) SELECT $8, now(), 1 WHERE $8 <> ''
    ON CONFLICT (key) DO UPDATE SET
        count        = CASE WHEN r.window_start <= now() - $10 * interval '1 millisecond' THEN 1 ELSE r.count + 1 END,
        window_start = CASE WHEN r.window_start <= now() - $10 * interval '1 millisecond' THEN now() ELSE r.window_start END
    RETURNING count, extract(epoch FROM window_start + $10 * interval '1 millisecond' - now())::float8 AS "left"),
allowed AS (
    SELECT NOT EXISTS (SELECT 1 FROM rate WHERE count > $9) AS ok),
seen AS (
    INSERT INTO travellers (channel, external_id, display_name, lang, time_zone)
    SELECT $1, $2, $3, $4, $5 WHERE (SELECT ok FROM allowed)
    ON CONFLICT (channel, external_id) DO UPDATE SET ` + travellerSeen + `
    RETURNING id),
t AS (
    SELECT id FROM seen
    UNION ALL
    SELECT id FROM travellers WHERE channel = $1 AND external_id = $2 AND NOT EXISTS (SELECT 1 FROM seen)
      AND (SELECT ok FROM allowed)),
c AS (
    SELECT id FROM conversations WHERE traveller_id = (SELECT id FROM t) ORDER BY id DESC LIMIT 1),
i AS (
    INSERT INTO inbox (conversation_id, inbound_id, payload, handled_at)
    SELECT c.id, $6::text, $7::jsonb,
        -- handled already when its turn is taken in this transaction and none older waits
        CASE WHEN $11::bool AND NOT EXISTS (
            SELECT 1 FROM inbox p WHERE p.conversation_id = c.id AND p.handled_at IS NULL) THEN now() END
    FROM c
    ON CONFLICT (conversation_id, inbound_id) DO NOTHING RETURNING id, handled_at IS NOT NULL AS handled)
SELECT (SELECT count FROM rate), (SELECT "left" FROM rate),
       (SELECT id FROM t) AS traveller_id, (SELECT id FROM c) AS conversation_id, (SELECT id FROM i) AS inbox_id,
       (SELECT handled FROM i) AS handled`

const qNextInbox = `
SELECT id, conversation_id, inbound_id, payload, received_at, held_at FROM inbox
WHERE conversation_id = $1 AND handled_at IS NULL ORDER BY id LIMIT 1`

// NextInbox returns the oldest message of the conversation not handled yet. Called with
// the conversation locked, it hands out messages one at a time in arrival order.
func NextInbox(ctx context.Context, q Queryer, convID int64) (InboxItem, bool, error) {
	var it InboxItem
	err := q.GetContext(ctx, &it, qNextInbox, convID)
	if errors.Is(err, sql.ErrNoRows) {
		return it, false, nil
	}
	if err != nil {
		return it, false, fmt.Errorf("next inbox: %w", err)
	}
	return it, true, nil
}

const qMarkHandled = `UPDATE inbox SET handled_at = now() WHERE id = $1`

// UnmarkHandled puts back in the queue a message stored handled (NewInbound.Take) whose
// turn is not taken after all: it waits for a drain, in its place, and the transaction
// that stored it commits, keeping the order of what its traveller sends.
func UnmarkHandled(ctx context.Context, tx *sqlx.Tx, id int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE inbox SET handled_at = NULL WHERE id = $1`, id); err != nil {
		return fmt.Errorf("unmark handled: %w", err)
	}
	return nil
}

// MarkHandled records that an inbound message has had its turn.
func MarkHandled(ctx context.Context, tx *sqlx.Tx, id int64) error {
	if _, err := tx.ExecContext(ctx, qMarkHandled, id); err != nil {
		return fmt.Errorf("mark handled: %w", err)
	}
	return nil
}

// PendingInbox lists a conversation's messages not handled yet, in arrival order.
func PendingInbox(ctx context.Context, q Queryer, convID int64, limit int) ([]InboxItem, error) {
	var its []InboxItem
	err := q.SelectContext(ctx, &its, `
SELECT id, conversation_id, inbound_id, payload, received_at, held_at FROM inbox
WHERE conversation_id = $1 AND handled_at IS NULL ORDER BY id LIMIT $2`, convID, limit)
	if err != nil {
		return nil, fmt.Errorf("pending inbox: %w", err)
	}
	return its, nil
}

// HoldInbox records that a message was answered with a maintenance notice; it stays
// pending for its real turn.
func HoldInbox(ctx context.Context, tx *sqlx.Tx, id int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE inbox SET held_at = now() WHERE id = $1 AND held_at IS NULL`, id); err != nil {
		return fmt.Errorf("hold inbox: %w", err)
	}
	return nil
}

const qPendingConversations = `
SELECT conversation_id FROM inbox WHERE handled_at IS NULL
GROUP BY conversation_id ORDER BY min(id) LIMIT $1`

// PendingConversations lists conversations with inbound messages not handled yet, oldest
// first, so that a restart finishes what a crash interrupted.
func PendingConversations(ctx context.Context, q Queryer, limit int) ([]int64, error) {
	var ids []int64
	err := q.SelectContext(ctx, &ids, qPendingConversations, limit)
	if err != nil {
		return nil, fmt.Errorf("pending conversations: %w", err)
	}
	return ids, nil
}

// FailedTurn counts a failed attempt at a message's turn and returns how many there have
// been.
func FailedTurn(ctx context.Context, q Queryer, id int64) (int, error) {
	var n int
	if err := q.GetContext(ctx, &n, `UPDATE inbox SET attempts = attempts + 1 WHERE id = $1 RETURNING attempts`, id); err != nil {
		return 0, fmt.Errorf("count failed turn: %w", err)
	}
	return n, nil
}

const qStalePending = `
SELECT conversation_id FROM inbox
WHERE handled_at IS NULL AND received_at < now() - $1 * interval '1 millisecond'
GROUP BY conversation_id ORDER BY min(id) LIMIT $2`

// StalePending lists conversations with a message that has waited longer than age, for a
// sweeper to pick up what a failed or dead handler left behind.
func StalePending(ctx context.Context, q Queryer, age time.Duration, limit int) ([]int64, error) {
	var ids []int64
	err := q.SelectContext(ctx, &ids, qStalePending, age.Milliseconds(), limit)
	if err != nil {
		return nil, fmt.Errorf("stale pending: %w", err)
	}
	return ids, nil
}

// retention says how long finished rows are kept. Outbox rows stay longest: an
// announcement's delivery counts and its at-most-once keys are read from them.
var retention = []struct{ table, stmt string }{
	{"inbox", `DELETE FROM inbox WHERE handled_at < now() - interval '7 days'`},
	{"jobs", `DELETE FROM jobs WHERE done_at < now() - interval '7 days'`},
	{"outbox", `DELETE FROM outbox WHERE created_at < now() - interval '90 days' AND done_at < now() - interval '90 days'`},
	{"telegram_updates", `DELETE FROM telegram_updates WHERE processed_at < now() - interval '7 days'`},
	{"telegram_callbacks", `DELETE FROM telegram_callbacks WHERE created_at < now() - interval '30 days'`},
	{"widget_sessions", `DELETE FROM widget_sessions WHERE expires_at < now() - interval '1 day'`},
	{"refresh_tokens", `DELETE FROM refresh_tokens WHERE expires_at < now() - interval '1 day'`},
	{"login_throttle", `DELETE FROM login_throttle WHERE window_start < now() - interval '1 day' AND (locked_until IS NULL OR locked_until < now())`},
}

// Prune deletes finished rows nothing reads any more: handled inbox messages and done
// jobs (the transcript keeps the messages), delivered outbox rows, processed Telegram
// updates, old keyboards, expired sessions and tokens, stale login counters.
func Prune(ctx context.Context, q Queryer) (map[string]int64, error) {
	deleted := map[string]int64{}
	for _, r := range retention {
		res, err := q.ExecContext(ctx, r.stmt)
		if err != nil {
			return deleted, fmt.Errorf("prune %s: %w", r.table, err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			deleted[r.table] = n
		}
	}
	return deleted, nil
}
