package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// What the agents' console reads and changes of a conversation besides its transcript.

// LockHolder locks the conversation's row and says which agent has it taken over: 0 and
// "" for none. ErrNotFound when there is no such conversation.
func LockHolder(ctx context.Context, tx *sqlx.Tx, convID int64) (agentID int64, username string, err error) {
	var r struct {
		Agent sql.NullInt64  `db:"agent_id"`
		Name  sql.NullString `db:"username"`
	}
	err = tx.GetContext(ctx, &r, `
SELECT c.agent_id, a.username
FROM conversations c LEFT JOIN accounts a ON a.id = c.agent_id
WHERE c.id = $1 FOR UPDATE OF c`, convID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", ErrNotFound
	}
	if err != nil {
		return 0, "", fmt.Errorf("holder of conversation %d: %w", convID, err)
	}
	return r.Agent.Int64, r.Name.String, nil
}

// SetHolder records that the agent has the conversation from now; agentID 0 hands it back.
func SetHolder(ctx context.Context, q Queryer, convID, agentID int64) error {
	stmt := `UPDATE conversations SET agent_id = NULL, agent_since = NULL WHERE id = $1`
	args := []any{convID}
	if agentID != 0 {
		stmt = `UPDATE conversations SET agent_id = $2, agent_since = now() WHERE id = $1`
		args = append(args, agentID)
	}
	if _, err := q.ExecContext(ctx, stmt, args...); err != nil {
		return fmt.Errorf("holder of conversation %d: %w", convID, err)
	}
	return nil
}

// ConversationSlots returns the conversation's slots as stored (JSON).
func ConversationSlots(ctx context.Context, q Queryer, convID int64) ([]byte, error) {
	var slots []byte
	if err := q.GetContext(ctx, &slots, `SELECT slots FROM conversations WHERE id = $1`, convID); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("slots of conversation %d: %w", convID, err)
	}
	return slots, nil
}

// ConversationStanding is where a conversation stands in the agents' queue.
type ConversationStanding struct {
	Status   string `db:"status"`
	Priority int    `db:"priority"`
}

// GetStanding returns where the conversation stands in the agents' queue.
func GetStanding(ctx context.Context, q Queryer, convID int64) (ConversationStanding, error) {
	var st ConversationStanding
	if err := q.GetContext(ctx, &st, `SELECT status, priority FROM conversations WHERE id = $1`, convID); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return st, ErrNotFound
		}
		return st, fmt.Errorf("standing of conversation %d: %w", convID, err)
	}
	return st, nil
}

// ConversationLang returns the language the conversation is held in ("" when not known).
func ConversationLang(ctx context.Context, q Queryer, convID int64) (string, error) {
	var lang string
	if err := q.GetContext(ctx, &lang, `SELECT lang FROM conversations WHERE id = $1`, convID); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return "", ErrNotFound
		}
		return "", fmt.Errorf("language of conversation %d: %w", convID, err)
	}
	return lang, nil
}

// LatestMessageID returns the id of the conversation's newest message, 0 for none.
func LatestMessageID(ctx context.Context, q Queryer, convID int64) (int64, error) {
	var id int64
	if err := q.GetContext(ctx, &id, `SELECT COALESCE(max(id), 0) FROM messages WHERE conversation_id = $1`, convID); err != nil {
		return 0, fmt.Errorf("latest message of conversation %d: %w", convID, err)
	}
	return id, nil
}

// TravellerAddress returns the channel a traveller is on and their id there.
func TravellerAddress(ctx context.Context, q Queryer, travellerID int64) (channel, externalID string, err error) {
	if err := q.QueryRowxContext(ctx, `SELECT channel, external_id FROM travellers WHERE id = $1`, travellerID).Scan(&channel, &externalID); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return "", "", ErrNotFound
		}
		return "", "", fmt.Errorf("traveller %d: %w", travellerID, err)
	}
	return channel, externalID, nil
}
