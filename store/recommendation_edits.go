package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jmoiron/sqlx"

	"xingqu/dialog"
)

// LatestRecommendationPlan returns the newest version of a recommendation's plan: the
// plan first made, or its latest edit.
func LatestRecommendationPlan(ctx context.Context, q Queryer, requestID string) (dialog.Plan, error) {
	const query = `
SELECT plan, version FROM plans WHERE request_id = $1 AND conversation_id IS NULL
UNION ALL
SELECT plan, version FROM plans WHERE edit_of = $1
ORDER BY version DESC LIMIT 1`
	var row struct {
		Plan    []byte `db:"plan"`
		Version int    `db:"version"`
	}
	if err := q.GetContext(ctx, &row, query, requestID); err != nil {
		return dialog.Plan{}, fmt.Errorf("recommendation %s: %w", requestID, err)
	}
	var p dialog.Plan
	if err := json.Unmarshal(row.Plan, &p); err != nil {
		return dialog.Plan{}, fmt.Errorf("recommendation %s: %w", requestID, err)
	}
	p.Version = row.Version
	return p, nil
}

// AddRecommendationEdit stores p as the next version of recommendation requestID and
// returns its number. The recommendation's row is locked while the number is taken, so
// two edits at once get two versions.
func AddRecommendationEdit(ctx context.Context, tx *sqlx.Tx, requestID string, p dialog.Plan) (int, error) {
	var owner string
	var request []byte
	const lock = `SELECT owner, request FROM plans WHERE request_id = $1 AND conversation_id IS NULL FOR UPDATE`
	if err := tx.QueryRowxContext(ctx, lock, requestID).Scan(&owner, &request); err != nil {
		return 0, fmt.Errorf("recommendation %s: %w", requestID, err)
	}
	var version int
	const next = `SELECT GREATEST((SELECT max(version) FROM plans WHERE edit_of = $1), 1) + 1`
	if err := tx.GetContext(ctx, &version, next, requestID); err != nil {
		return 0, fmt.Errorf("recommendation %s version: %w", requestID, err)
	}
	p.Version = version
	b, err := json.Marshal(p)
	if err != nil {
		return 0, err
	}
	const insert = `INSERT INTO plans (version, edit_of, owner, request, plan, source) VALUES ($1, $2, $3, $4, $5, $6)`
	if _, err := tx.ExecContext(ctx, insert, version, requestID, owner, request, b, p.Source); err != nil {
		return 0, fmt.Errorf("recommendation %s edit: %w", requestID, err)
	}
	return version, nil
}
