package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"
)

// QueueRow is a conversation as the agents' queue lists it.
type QueueRow struct {
	ID            int64          `db:"id"`
	Channel       string         `db:"channel"`
	TravellerName string         `db:"traveller_name"`
	Status        string         `db:"status"`
	Priority      int            `db:"priority"`
	State         string         `db:"state"`
	Lang          string         `db:"lang"`
	WaitingSince  sql.NullTime   `db:"waiting_since"`
	Agent         sql.NullString `db:"agent"`
	Emergency     bool           `db:"emergency"`
	LastText      sql.NullString `db:"last_text"`
	LastRole      sql.NullString `db:"last_role"`
	LastAt        sql.NullTime   `db:"last_at"`
}

// The queues an agent can list.
const (
	QueueWaiting = "waiting"
	QueueMine    = "mine"
	QueueBot     = "bot"
	QueueHuman   = "human"
	QueueAll     = "all"
)

// QueueLimit is the most conversations one queue listing shows.
const QueueLimit = 200

// queueWhere filters each queue; $1 is the asking agent in "mine".
var queueWhere = map[string]string{
	QueueWaiting: "c.status = 'waiting'",
	QueueMine:    "c.agent_id = $1",
	QueueBot:     "c.status = 'bot'",
	QueueHuman:   "c.status = 'human'",
	QueueAll:     "true",
}

// queueOrder puts emergencies and other waiting conversations first, the longest waiting
// first among equals; the conversations_queue index has the same order.
const queueOrder = `(c.status = 'waiting') DESC, c.priority DESC, c.waiting_since ASC NULLS LAST, c.updated_at DESC`

// queueQuery picks the conversations first, with every column of theirs it shows, and
// only then reads their travellers, agents and last messages, so that a listing costs
// the same with a year of conversations behind it.
func queueQuery(where string) string {
	return `
WITH c AS (
    SELECT c.id, c.traveller_id, c.agent_id, c.status, c.priority, c.state, c.lang, c.waiting_since, c.updated_at
    FROM conversations c WHERE ` + where + `
    ORDER BY ` + queueOrder + ` LIMIT ` + fmt.Sprint(QueueLimit) + `
)
SELECT c.id, t.channel, t.display_name AS traveller_name, c.status, c.priority, c.state, c.lang,
       c.waiting_since, a.username AS agent,
       EXISTS (SELECT 1 FROM emergencies e WHERE e.conversation_id = c.id) AS emergency,
       m.text AS last_text, m.role AS last_role, m.created_at AS last_at
FROM c
JOIN travellers t ON t.id = c.traveller_id
LEFT JOIN accounts a ON a.id = c.agent_id
LEFT JOIN LATERAL (SELECT text, role, created_at FROM messages WHERE conversation_id = c.id AND role = 'traveller' AND text <> '' ORDER BY id DESC LIMIT 1) m ON true
ORDER BY ` + queueOrder
}

// AgentQueue lists the conversations of one queue (QueueWaiting ...) for the agent
// agentID, at most QueueLimit of them.
func AgentQueue(ctx context.Context, q Queryer, queue string, agentID int64) ([]QueueRow, error) {
	where, ok := queueWhere[queue]
	if !ok {
		return nil, fmt.Errorf("queue %q: %w", queue, ErrNotFound)
	}
	var args []any
	if queue == QueueMine {
		args = append(args, agentID)
	}
	rows := []QueueRow{}
	if err := q.SelectContext(ctx, &rows, queueQuery(where), args...); err != nil {
		return nil, fmt.Errorf("queue %s: %w", queue, err)
	}
	return rows, nil
}

// QueueEntry is one conversation as the queue shows it.
func QueueEntry(ctx context.Context, q Queryer, convID int64) (QueueRow, error) {
	var rows []QueueRow
	if err := q.SelectContext(ctx, &rows, queueQuery("c.id = $1"), convID); err != nil {
		return QueueRow{}, fmt.Errorf("conversation %d: %w", convID, err)
	}
	if len(rows) == 0 {
		return QueueRow{}, fmt.Errorf("conversation %d: %w", convID, ErrNotFound)
	}
	return rows[0], nil
}

const transcriptPageQuery = `
SELECT id, conversation_id, role, text, body, created_at FROM (
    SELECT id, conversation_id, role, text, body, created_at FROM messages
    WHERE conversation_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3
) m ORDER BY id`

// TranscriptPage returns up to limit messages of a conversation older than the message
// before (0: the latest), oldest first. more says older ones remain.
func TranscriptPage(ctx context.Context, q Queryer, convID, before int64, limit int) (ms []Message, more bool, err error) {
	if before <= 0 {
		before = math.MaxInt64
	}
	if err := q.SelectContext(ctx, &ms, transcriptPageQuery, convID, before, limit+1); err != nil {
		return nil, false, fmt.Errorf("transcript: %w", err)
	}
	if len(ms) > limit {
		return ms[1:], true, nil
	}
	return ms, false, nil
}

// PlanVersionRow is one plan made for a conversation.
type PlanVersionRow struct {
	Version   int       `db:"version"`
	Source    string    `db:"source"`
	Plan      []byte    `db:"plan"`
	CreatedAt time.Time `db:"created_at"`
}

const (
	plansQuery       = `SELECT version, source, plan, created_at FROM plans WHERE conversation_id = $1 ORDER BY version`
	feedbackQuery    = `SELECT rating, comment, created_at FROM feedback WHERE conversation_id = $1 ORDER BY id`
	emergenciesQuery = `SELECT text, created_at FROM emergencies WHERE conversation_id = $1 ORDER BY id`
)

// PlanVersions lists a conversation's plans, oldest version first.
func PlanVersions(ctx context.Context, q Queryer, convID int64) ([]PlanVersionRow, error) {
	rows := []PlanVersionRow{}
	if err := q.SelectContext(ctx, &rows, plansQuery, convID); err != nil {
		return nil, fmt.Errorf("plans: %w", err)
	}
	return rows, nil
}

// ConversationFeedback reads a conversation's ratings and comments into dest, a slice
// of structs with rating, comment and created_at fields.
func ConversationFeedback(ctx context.Context, q Queryer, convID int64, dest any) error {
	if err := q.SelectContext(ctx, dest, feedbackQuery, convID); err != nil {
		return fmt.Errorf("feedback: %w", err)
	}
	return nil
}

// ConversationEmergencies reads a conversation's emergencies into dest, a slice of structs
// with text and created_at fields.
func ConversationEmergencies(ctx context.Context, q Queryer, convID int64, dest any) error {
	if err := q.SelectContext(ctx, dest, emergenciesQuery, convID); err != nil {
		return fmt.Errorf("emergencies: %w", err)
	}
	return nil
}
