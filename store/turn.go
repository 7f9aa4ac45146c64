package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"xingqu/dialog"
)

// NewMessage is a line to append to a transcript.
type NewMessage struct {
	Role, Text string
	Body       MessageBody
}

// TurnEnd is what a turn writes when it ends, in one statement: the transcript lines it
// added, the conversation as it left it, the inbox message it handled.
type TurnEnd struct {
	ConversationID int64
	Messages       []NewMessage
	// Conversation, when set, is saved (SaveConversation); nil leaves the row as it is.
	Conversation *dialog.Conversation
	// Handled is the inbox message the turn answered; 0 for none (an event's turn).
	Handled int64
	// Outbox are rows to queue with the turn's end, after every row the turn queued
	// before it: plain sends, without a dedupe key, an edited row or a later time.
	Outbox []NewOutbox
	// Wrote, when set, is given the lines the statement added and the message before
	// them, so that once the turn commits they can be shown without reading them back.
	Wrote *TurnLines
}

// TurnLines are transcript lines one statement of a turn added. After is the
// conversation's last message before them as the statement saw it, the conversation
// locked: together with a transaction's earlier lines, every line up to After was
// committed already, and none lies between After and Messages. 0: no message before.
type TurnLines struct {
	ConversationID int64
	After          int64
	Messages       []Message
}

// outboxArrays turns plain outbox rows into the arrays qFinishTurn unnests.
func outboxArrays(rs []NewOutbox) (channels []string, travellers, convs []int64, chats []string, groups []bool, methods, params []string, err error) {
	for _, r := range rs {
		if r.DedupeKey != "" || r.EditOf != 0 || !r.NotBefore.IsZero() {
			return nil, nil, nil, nil, nil, nil, nil, fmt.Errorf("outbox row of chat %s is not a plain send", r.ChatID)
		}
		b, err := json.Marshal(r.Params)
		if err != nil {
			return nil, nil, nil, nil, nil, nil, nil, err
		}
		if r.Channel == "" {
			r.Channel = "telegram"
		}
		channels, travellers, convs = append(channels, r.Channel), append(travellers, r.TravellerID), append(convs, r.ConversationID)
		chats, groups = append(chats, r.ChatID), append(groups, r.IsGroup)
		methods, params = append(methods, r.Method), append(params, string(b))
	}
	return channels, travellers, convs, chats, groups, methods, params, nil
}

// messageArrays turns messages into the arrays the statements below unnest.
func messageArrays(ms []NewMessage) (roles, texts, bodies []string, err error) {
	roles, texts, bodies = make([]string, len(ms)), make([]string, len(ms)), make([]string, len(ms))
	for i, m := range ms {
		b, err := json.Marshal(m.Body)
		if err != nil {
			return nil, nil, nil, err
		}
		roles[i], texts[i], bodies[i] = m.Role, m.Text, string(b)
	}
	return roles, texts, bodies, nil
}

// The messages get their ids in the order given: the transcript's order.
const qAddMessages = `
INSERT INTO messages (conversation_id, role, text, body)
SELECT $1, m.role, m.text, m.body::jsonb
FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS m(role, text, body, n)
ORDER BY m.n`

// AddMessages appends messages to a transcript in one statement.
func AddMessages(ctx context.Context, q Queryer, convID int64, ms []NewMessage) error {
	if len(ms) == 0 {
		return nil
	}
	roles, texts, bodies, err := messageArrays(ms)
	if err != nil {
		return err
	}
	if _, err := q.ExecContext(ctx, qAddMessages, convID, pq.Array(roles), pq.Array(texts), pq.Array(bodies)); err != nil {
		return fmt.Errorf("add messages: %w", err)
	}
	return nil
}

// qFinishTurn is AddMessages, SaveConversation, MarkHandled and EnqueueOutbox for the
// turn's plain sends at once, and NextInbox's question: whether another message of the
// conversation waits. The statement's snapshot does not see its own marking, hence
// id <> $12, nor its own lines: after is the message before them. The lines' created_at
// is the default, now(). The turn's notification is not sent here but after the commit
// (NotifyAfterCommit): NOTIFY in the transaction would make its commit wait for
// PostgreSQL's lock on the notification queue, held by every other such commit.
const qFinishTurn = `
WITH m AS (
    INSERT INTO messages (conversation_id, role, text, body)
    SELECT $1, m.role, m.text, m.body::jsonb
    FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS m(role, text, body, n)
    ORDER BY m.n
    RETURNING id),
c AS (
    UPDATE conversations SET state = $5, prev_state = $6, status = $7, priority = $8, lang = $9,
        slots = $10, data = $11, updated_at = ` + conversationTouched + `,
        waiting_since = CASE WHEN $7 = 'bot' THEN NULL ELSE COALESCE(waiting_since, now()) END
    WHERE id = $1 AND $13::bool),
h AS (
    UPDATE inbox SET handled_at = now() WHERE id = $12),
o AS (
    INSERT INTO outbox (channel, traveller_id, conversation_id, chat_id, is_group, method, params)
    SELECT o.channel, NULLIF(o.traveller, 0), NULLIF(o.conv, 0), o.chat, o.grp, o.method, o.params::jsonb
    FROM unnest($14::text[], $15::bigint[], $16::bigint[], $17::text[], $18::bool[], $19::text[], $20::text[])
        WITH ORDINALITY AS o(channel, traveller, conv, chat, grp, method, params, n)
    ORDER BY o.n)
SELECT EXISTS (SELECT 1 FROM inbox WHERE conversation_id = $1 AND handled_at IS NULL AND id <> $12) AS more,
    (SELECT COALESCE(max(id), 0) FROM messages WHERE conversation_id = $1) AS after,
    ARRAY(SELECT id FROM m ORDER BY id) AS ids, now() AS created_at`

// FinishTurn writes the end of a turn in tx and, once tx has committed, tells listeners
// the conversation changed (ConversationChannel, naming the last line written:
// NotifyAfterCommit). more reports another message of the conversation waiting for its
// turn. e.Wrote, if set, is given the lines written.
func FinishTurn(ctx context.Context, tx *sqlx.Tx, e TurnEnd) (more bool, err error) {
	roles, texts, bodies, err := messageArrays(e.Messages)
	if err != nil {
		return false, err
	}
	channels, travellers, convs, chats, groups, methods, params, err := outboxArrays(e.Outbox)
	if err != nil {
		return false, err
	}
	save := e.Conversation != nil
	var c dialog.Conversation
	slots, memo := []byte("{}"), []byte("{}")
	if save {
		c = *e.Conversation
		if slots, err = json.Marshal(c.Trip); err != nil {
			return false, err
		}
		if memo, err = c.Memo.Marshal(); err != nil {
			return false, err
		}
	}
	var r struct {
		More      bool          `db:"more"`
		After     int64         `db:"after"`
		IDs       pq.Int64Array `db:"ids"`
		CreatedAt time.Time     `db:"created_at"`
	}
	err = tx.GetContext(ctx, &r, qFinishTurn, e.ConversationID, pq.Array(roles), pq.Array(texts), pq.Array(bodies),
		c.State, c.PrevState, string(c.Status), c.Priority, c.Lang, slots, memo,
		e.Handled, save,
		pq.Array(channels), pq.Array(travellers), pq.Array(convs), pq.Array(chats), pq.Array(groups), pq.Array(methods), pq.Array(params))
	if err != nil {
		return false, fmt.Errorf("finish turn of conversation %d: %w", e.ConversationID, err)
	}
	var last int64
	if len(r.IDs) > 0 {
		last = r.IDs[len(r.IDs)-1]
	}
	if err := NotifyAfterCommit(ctx, tx, ConversationChannel, ConversationPayload(e.ConversationID, last)); err != nil {
		return false, err
	}
	if e.Wrote != nil {
		if len(r.IDs) != len(e.Messages) {
			return false, fmt.Errorf("finish turn of conversation %d: %d lines written, %d ids", e.ConversationID, len(e.Messages), len(r.IDs))
		}
		*e.Wrote = TurnLines{ConversationID: e.ConversationID, After: r.After, Messages: make([]Message, len(r.IDs))}
		for i, m := range e.Messages {
			e.Wrote.Messages[i] = Message{ID: r.IDs[i], ConversationID: e.ConversationID, Role: m.Role, Text: m.Text,
				Body: json.RawMessage(bodies[i]), CreatedAt: r.CreatedAt}
		}
	}
	return r.More, nil
}
