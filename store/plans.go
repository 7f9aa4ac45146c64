package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"xingqu/dialog"
)

// AddPlan stores the next version of a conversation's plan and returns its number, in
// one statement that numbers the plan and writes the number into it. Called with the
// conversation locked, versions are dense and never collide.
func AddPlan(ctx context.Context, tx *sqlx.Tx, convID int64, p dialog.Plan) (int, error) {
	p.Version = 0
	b, err := json.Marshal(p)
	if err != nil {
		return 0, err
	}
	var version int
	if err := tx.GetContext(ctx, &version, `
INSERT INTO plans (conversation_id, version, plan, source)
SELECT $1, n.v, jsonb_set($2::jsonb, '{version}', to_jsonb(n.v)), $3
FROM (SELECT COALESCE(max(version), 0) + 1 AS v FROM plans WHERE conversation_id = $1) n
RETURNING version`, convID, b, p.Source); err != nil {
		return 0, fmt.Errorf("add plan: %w", err)
	}
	return version, nil
}

// Plans returns every version of a conversation's plan, oldest first.
func Plans(ctx context.Context, q Queryer, convID int64) ([]dialog.Plan, error) {
	var rows [][]byte
	if err := q.SelectContext(ctx, &rows, `SELECT plan FROM plans WHERE conversation_id = $1 ORDER BY version`, convID); err != nil {
		return nil, fmt.Errorf("plans: %w", err)
	}
	out := make([]dialog.Plan, 0, len(rows))
	for _, r := range rows {
		var p dialog.Plan
		if err := json.Unmarshal(r, &p); err != nil {
			return nil, fmt.Errorf("plans: %w", err)
		}
		out = append(out, p)
	}
	return out, nil
}

// Recommendation is a plan made through the recommendations API.
type Recommendation struct {
	RequestID string          `db:"request_id"`
	Owner     string          `db:"owner"`
	Request   json.RawMessage `db:"request"`
	Plan      json.RawMessage `db:"plan"`
	CreatedAt time.Time       `db:"created_at"`
}

// AddRecommendation stores a plan made for an API request.
func AddRecommendation(ctx context.Context, q Queryer, requestID, owner string, request any, p dialog.Plan) error {
	rb, err := json.Marshal(request)
	if err != nil {
		return err
	}
	pb, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `INSERT INTO plans (version, request_id, owner, request, plan, source) VALUES (1, $1, $2, $3, $4, $5)`,
		requestID, owner, rb, pb, p.Source)
	if err != nil {
		return fmt.Errorf("add recommendation: %w", err)
	}
	return nil
}

// GetRecommendation returns the plan made for requestID.
func GetRecommendation(ctx context.Context, q Queryer, requestID string) (Recommendation, error) {
	var r Recommendation
	err := q.GetContext(ctx, &r, `SELECT request_id, owner, request, plan, created_at FROM plans WHERE request_id = $1 AND conversation_id IS NULL`, requestID)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("recommendation %s: %w", requestID, ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("recommendation %s: %w", requestID, err)
	}
	return r, nil
}
