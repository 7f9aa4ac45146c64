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

	"xingqu/dialog"
)

// Queryer is a pool or a transaction.
type Queryer interface {
	sqlx.ExtContext
	GetContext(ctx context.Context, dest any, query string, args ...any) error
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
}

// Traveller is a person on one channel.
type Traveller struct {
	ID          int64  `db:"id"`
	Channel     string `db:"channel"`
	ExternalID  string `db:"external_id"`
	DisplayName string `db:"display_name"`
	Lang        string `db:"lang"`
	TimeZone    string `db:"time_zone"`
	Reachable   bool   `db:"reachable"`
}

// EnsureTraveller returns the traveller with this channel identity, creating it if new,
// and records that they were seen now. Name, language and zone are filled in when given
// and not known yet.
func EnsureTraveller(ctx context.Context, q Queryer, channel, externalID, name, lang, tz string) (Traveller, error) {
	const stmt = `
INSERT INTO travellers (channel, external_id, display_name, lang, time_zone)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (channel, external_id) DO UPDATE SET
    display_name = CASE WHEN EXCLUDED.display_name <> '' THEN EXCLUDED.display_name ELSE travellers.display_name END,
    lang         = CASE WHEN travellers.lang = '' THEN EXCLUDED.lang ELSE travellers.lang END,
    time_zone    = CASE WHEN EXCLUDED.time_zone <> '' THEN EXCLUDED.time_zone ELSE travellers.time_zone END,
    last_seen_at = now()
RETURNING id, channel, external_id, display_name, lang, time_zone, reachable`
	var t Traveller
	if err := q.GetContext(ctx, &t, stmt, channel, externalID, name, lang, tz); err != nil {
		return Traveller{}, fmt.Errorf("ensure traveller: %w", err)
	}
	return t, nil
}

const qCurrentConversation = `SELECT id FROM conversations WHERE traveller_id = $1 ORDER BY id DESC LIMIT 1`

// CurrentConversation returns the traveller's latest conversation, starting one if none.
// Creation locks the traveller's row, so that messages arriving together for a new
// traveller all land in one conversation.
func CurrentConversation(ctx context.Context, q Queryer, travellerID int64, lang string) (int64, error) {
	var id int64
	err := q.GetContext(ctx, &id, qCurrentConversation, travellerID)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("current conversation: %w", err)
	}
	start := func(q Queryer) error {
		if _, err := q.ExecContext(ctx, `SELECT 1 FROM travellers WHERE id = $1 FOR UPDATE`, travellerID); err != nil {
			return err
		}
		err := q.GetContext(ctx, &id, `SELECT id FROM conversations WHERE traveller_id = $1 ORDER BY id DESC LIMIT 1`, travellerID)
		if errors.Is(err, sql.ErrNoRows) {
			err = q.GetContext(ctx, &id, `INSERT INTO conversations (traveller_id, lang) VALUES ($1, $2) RETURNING id`, travellerID, lang)
		}
		return err
	}
	if db, ok := q.(*DB); ok {
		err = db.InTx(ctx, func(tx *sqlx.Tx) error { return start(tx) })
	} else {
		err = start(q)
	}
	if err != nil {
		return 0, fmt.Errorf("start conversation: %w", err)
	}
	return id, nil
}

type conversationRow struct {
	ID          int64        `db:"id"`
	TravellerID int64        `db:"traveller_id"`
	State       string       `db:"state"`
	PrevState   string       `db:"prev_state"`
	Status      string       `db:"status"`
	Priority    int          `db:"priority"`
	Lang        string       `db:"lang"`
	TimeZone    string       `db:"time_zone"`
	Channel     string       `db:"channel"`
	ExternalID  string       `db:"external_id"`
	Slots       []byte       `db:"slots"`
	Data        []byte       `db:"data"`
	Waiting     sql.NullTime `db:"waiting_since"`
}

func (r conversationRow) toDialog() (dialog.Conversation, error) {
	c := dialog.Conversation{ID: r.ID, State: r.State, PrevState: r.PrevState, Status: dialog.Status(r.Status),
		Priority: r.Priority, Lang: r.Lang, TimeZone: r.TimeZone, Channel: r.Channel, ExternalID: r.ExternalID}
	if len(r.Slots) > 0 {
		if err := json.Unmarshal(r.Slots, &c.Trip); err != nil {
			return c, fmt.Errorf("conversation %d slots: %w", r.ID, err)
		}
	}
	m, err := dialog.UnmarshalMemo(r.Data)
	if err != nil {
		return c, fmt.Errorf("conversation %d memo: %w", r.ID, err)
	}
	c.Memo = m
	return c, nil
}

// LockConversation reads a conversation and locks its row until tx ends, so that turns of
// one conversation run one at a time.
func LockConversation(ctx context.Context, tx *sqlx.Tx, id int64) (dialog.Conversation, int64, error) {
	r, err := readConversation(ctx, tx, id, true)
	if err != nil {
		return dialog.Conversation{}, 0, err
	}
	c, err := r.toDialog()
	return c, r.TravellerID, err
}

// LockConversationAlone is LockConversation for the turn of a message stored handled
// (NewInbound.Take): it also says whether a message of the conversation is waiting,
// which then comes first. Read after the message was stored, so any earlier message of
// the same traveller, whose storing the receive statement waited for, is seen.
func LockConversationAlone(ctx context.Context, tx *sqlx.Tx, id int64) (c dialog.Conversation, travellerID int64, waiting bool, err error) {
	var r struct {
		conversationRow
		Waiting bool `db:"waiting"`
	}
	q := strings.Replace(selectConversation, "\nFROM conversations c", `,
       EXISTS (SELECT 1 FROM inbox i WHERE i.conversation_id = c.id AND i.handled_at IS NULL) AS waiting
FROM conversations c`, 1) + "\nFOR UPDATE OF c"
	if err := tx.GetContext(ctx, &r, q, id); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return c, 0, false, fmt.Errorf("conversation %d: %w", id, ErrNotFound)
		}
		return c, 0, false, fmt.Errorf("lock conversation %d: %w", id, err)
	}
	c, err = r.toDialog()
	return c, r.TravellerID, r.Waiting, err
}

const selectConversation = `
SELECT c.id, c.traveller_id, c.state, c.prev_state, c.status, c.priority, c.lang, t.time_zone, t.channel, t.external_id,
       c.slots, c.data, c.waiting_since
FROM conversations c JOIN travellers t ON t.id = c.traveller_id
WHERE c.id = $1`

func readConversation(ctx context.Context, q Queryer, id int64, lock bool) (conversationRow, error) {
	query := selectConversation
	if lock {
		query += "\nFOR UPDATE OF c"
	}
	var r conversationRow
	if err := q.GetContext(ctx, &r, query, id); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return r, fmt.Errorf("conversation %d: %w", id, ErrNotFound)
		}
		return r, fmt.Errorf("read conversation %d: %w", id, err)
	}
	return r, nil
}

// GetConversation reads a conversation without locking it: what it says may change the
// moment after, so it suits only decisions a later change will correct.
func GetConversation(ctx context.Context, q Queryer, id int64) (dialog.Conversation, error) {
	r, err := readConversation(ctx, q, id, false)
	if err != nil {
		return dialog.Conversation{}, err
	}
	return r.toDialog()
}

// conversationTouched is a saved conversation's updated_at: now, unless it moved less
// than a minute ago. updated_at orders the agents' queue and is in its index; an update
// that changes no indexed column is heap-only (HOT), the new row written beside the old
// with no new index entries. A conversation in a lively exchange so costs a turn one
// heap row instead of a row and an entry in each of its indexes, and the queue's order
// of recent activity is kept to the minute.
const conversationTouched = `CASE WHEN updated_at < now() - interval '1 minute' THEN now() ELSE updated_at END`

// SaveConversation writes back what a turn changed. The waiting time starts when a
// conversation starts waiting for a human and is kept while it waits.
func SaveConversation(ctx context.Context, tx *sqlx.Tx, c *dialog.Conversation) error {
	slots, err := json.Marshal(c.Trip)
	if err != nil {
		return err
	}
	memo, err := c.Memo.Marshal()
	if err != nil {
		return err
	}
	const q = `
UPDATE conversations SET state = $2, prev_state = $3, status = $4, priority = $5, lang = $6,
    slots = $7, data = $8, updated_at = ` + conversationTouched + `,
    waiting_since = CASE WHEN $4 = 'bot' THEN NULL ELSE COALESCE(waiting_since, now()) END
WHERE id = $1`
	_, err = tx.ExecContext(ctx, q, c.ID, c.State, c.PrevState, string(c.Status), c.Priority, c.Lang, slots, memo)
	if err != nil {
		return fmt.Errorf("save conversation %d: %w", c.ID, err)
	}
	return nil
}

// Message is one line of a transcript.
type Message struct {
	ID             int64           `db:"id" json:"id"`
	ConversationID int64           `db:"conversation_id" json:"conversationId"`
	Role           string          `db:"role" json:"role"`
	Text           string          `db:"text" json:"text"`
	Body           json.RawMessage `db:"body" json:"body"`
	CreatedAt      time.Time       `db:"created_at" json:"createdAt"`
}

// MessageBody is the structured part of a message: buttons, a plan card, a notice kind.
type MessageBody struct {
	Kind    dialog.ReplyKind `json:"kind,omitempty"`
	Choices []dialog.Choice  `json:"choices,omitempty"`
	Plan    *dialog.Plan     `json:"plan,omitempty"`
	Action  string           `json:"action,omitempty"` // the button a traveller pressed
	Author  string           `json:"author,omitempty"` // the agent who wrote a message of role agent
}

// AddMessage appends a message to a transcript.
func AddMessage(ctx context.Context, q Queryer, convID int64, role, text string, body MessageBody) (int64, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return 0, err
	}
	var id int64
	err = q.GetContext(ctx, &id, `INSERT INTO messages (conversation_id, role, text, body) VALUES ($1, $2, $3, $4) RETURNING id`,
		convID, role, text, b)
	if err != nil {
		return 0, fmt.Errorf("add message: %w", err)
	}
	return id, nil
}

const qMessages = `
SELECT id, conversation_id, role, text, body, created_at FROM messages
WHERE conversation_id = $1 AND id > $2 ORDER BY id LIMIT $3`

// Messages returns a transcript after a message id, oldest first.
func Messages(ctx context.Context, q Queryer, convID, afterID int64, limit int) ([]Message, error) {
	var ms []Message
	err := q.SelectContext(ctx, &ms, qMessages, convID, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("messages: %w", err)
	}
	return ms, nil
}
