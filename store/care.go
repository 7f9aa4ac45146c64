package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// SaveFeedback stores feedback the way the conversation gives it: a complaint is stored
// the moment it is said (Opening, no rating, no comment), and the rating and comment
// that follow complete that same item rather than making a second one. Anything else
// is a new item. It returns the item's id.
func SaveFeedback(ctx context.Context, q Queryer, f NewFeedback) (int64, error) {
	if f.Opening != "" && (f.Rating > 0 || f.Comment != "") {
		var id int64
		err := q.GetContext(ctx, &id, `
UPDATE feedback SET rating = nullif($3, 0), comment = $4, category = $5, priority = $6
WHERE id = (SELECT id FROM feedback
            WHERE conversation_id = $1 AND opening = $2 AND rating IS NULL AND comment = '' AND status = 'open'
            ORDER BY id DESC LIMIT 1)
RETURNING id`, f.ConversationID, f.Opening, f.Rating, f.Comment, f.Category, f.Priority)
		if err == nil {
			return id, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, fmt.Errorf("complete feedback: %w", err)
		}
	}
	return RecordFeedback(ctx, q, f)
}

// OpenCaseOf returns a conversation's open case, or ErrNotFound when it has none.
func OpenCaseOf(ctx context.Context, q Queryer, conversationID int64) (Case, error) {
	var c Case
	err := q.GetContext(ctx, &c, `SELECT `+caseCols+` FROM cases WHERE conversation_id = $1 AND status <> 'resolved'`, conversationID)
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("open case of conversation %d: %w", conversationID, err)
	}
	return c, nil
}

// WithdrawCase closes a conversation's open request for a human when the traveller no
// longer wants one, with a note saying so. An emergency is never withdrawn this way:
// only an agent resolves it. closed reports whether a case was closed.
func WithdrawCase(ctx context.Context, q Queryer, conversationID int64, note string) (closed bool, err error) {
	var id int64
	err = q.GetContext(ctx, &id, `
UPDATE cases SET status = 'resolved', resolved_at = now(), updated_at = now()
WHERE conversation_id = $1 AND status <> 'resolved' AND kind = 'human'
RETURNING id`, conversationID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("withdraw case of conversation %d: %w", conversationID, err)
	}
	if _, err := AddCaseNote(ctx, q, id, NoteSystem, 0, note); err != nil {
		return false, err
	}
	return true, nil
}
