package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// WidgetSession is a web visitor's session: one traveller and the conversation it chats in.
type WidgetSession struct {
	ID             string    `db:"id"`
	TravellerID    int64     `db:"traveller_id"`
	ConversationID int64     `db:"conversation_id"`
	ExpiresAt      time.Time `db:"expires_at"`
}

// CreateWidgetSession records a session whose token hashes to hash.
func CreateWidgetSession(ctx context.Context, q Queryer, id string, hash []byte, travellerID, convID int64, ttl time.Duration) error {
	_, err := q.ExecContext(ctx, `INSERT INTO widget_sessions (id, token_hash, traveller_id, conversation_id, expires_at)
VALUES ($1, $2, $3, $4, now() + $5 * interval '1 second')`, id, hash, travellerID, convID, int64(ttl.Seconds()))
	if err != nil {
		return fmt.Errorf("create widget session: %w", err)
	}
	return nil
}

// WidgetSessionByToken finds the live session whose token hashes to hash. A session is
// never changed once made: it only expires.
func WidgetSessionByToken(ctx context.Context, q Queryer, hash []byte) (WidgetSession, error) {
	var ws WidgetSession
	err := q.GetContext(ctx, &ws, `SELECT id, traveller_id, conversation_id, expires_at FROM widget_sessions WHERE token_hash = $1 AND expires_at > now()`, hash)
	if errors.Is(err, sql.ErrNoRows) {
		return ws, fmt.Errorf("widget session: %w", ErrNotFound)
	}
	if err != nil {
		return ws, fmt.Errorf("widget session: %w", err)
	}
	return ws, nil
}
