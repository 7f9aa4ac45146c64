package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"xingqu/dialog"
)

// PlanAt returns version v of a conversation's plan; ErrNotFound when there is none.
func PlanAt(ctx context.Context, q Queryer, convID int64, v int) (dialog.Plan, error) {
	const query = `SELECT plan FROM plans WHERE conversation_id = $1 AND version = $2`
	var b []byte
	err := q.GetContext(ctx, &b, query, convID, v)
	if errors.Is(err, sql.ErrNoRows) {
		return dialog.Plan{}, fmt.Errorf("plan %d of conversation %d: %w", v, convID, ErrNotFound)
	}
	if err != nil {
		return dialog.Plan{}, fmt.Errorf("plan %d of conversation %d: %w", v, convID, err)
	}
	var p dialog.Plan
	if err := json.Unmarshal(b, &p); err != nil {
		return dialog.Plan{}, fmt.Errorf("plan %d of conversation %d: %w", v, convID, err)
	}
	p.Version = v
	return p, nil
}

// ChosenOption returns the plan option a conversation's traveller chose, "" before one is.
func ChosenOption(ctx context.Context, q Queryer, convID int64) (dialog.Tier, error) {
	const query = `SELECT COALESCE(data->>'chosen', '') FROM conversations WHERE id = $1`
	var t string
	err := q.GetContext(ctx, &t, query, convID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("conversation %d: %w", convID, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("chosen option of %d: %w", convID, err)
	}
	return dialog.Tier(t), nil
}
