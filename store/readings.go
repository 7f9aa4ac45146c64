package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"xingqu/dialog"
)

// ClaimReading claims the model's reading of inbox item id for the caller. claimed says
// the caller is now to make it (the row was new, or its claim older than stale); done
// says it was made already, and ex is it.
func ClaimReading(ctx context.Context, q Queryer, id int64, stale time.Duration) (claimed, done bool, ex *dialog.Extraction, err error) {
	var row struct {
		Claimed bool           `db:"claimed"`
		Done    bool           `db:"done"`
		Reading sql.NullString `db:"reading"`
	}
	err = q.GetContext(ctx, &row, `
WITH claim AS (
    INSERT INTO inbox_readings (inbox_id) VALUES ($1)
    ON CONFLICT (inbox_id) DO UPDATE SET claimed_at = now()
        WHERE NOT inbox_readings.done AND inbox_readings.claimed_at < now() - $2 * interval '1 millisecond'
    RETURNING true AS claimed, done, reading::text
)
SELECT claimed, done, reading FROM claim
UNION ALL
SELECT false, done, reading::text FROM inbox_readings WHERE inbox_id = $1 AND NOT EXISTS (SELECT 1 FROM claim)`,
		id, stale.Milliseconds())
	if errors.Is(err, sql.ErrNoRows) {
		// Claimed by a transaction that committed after this statement's snapshot was
		// taken: someone else has it.
		return false, false, nil, nil
	}
	if err != nil {
		return false, false, nil, fmt.Errorf("claim reading %d: %w", id, err)
	}
	ex, err = decodeReading(row.Reading)
	return row.Claimed, row.Done, ex, err
}

// SaveReading stores the reading made for inbox item id; nil says there was none.
func SaveReading(ctx context.Context, q Queryer, id int64, ex *dialog.Extraction) error {
	var b any
	if ex != nil {
		j, err := json.Marshal(ex)
		if err != nil {
			return fmt.Errorf("save reading %d: %w", id, err)
		}
		b = string(j)
	}
	if _, err := q.ExecContext(ctx, `UPDATE inbox_readings SET done = true, reading = $2 WHERE inbox_id = $1`, id, b); err != nil {
		return fmt.Errorf("save reading %d: %w", id, err)
	}
	return nil
}

// Reading returns the reading of inbox item id once it is made.
func Reading(ctx context.Context, q Queryer, id int64) (done bool, ex *dialog.Extraction, err error) {
	var row struct {
		Done    bool           `db:"done"`
		Reading sql.NullString `db:"reading"`
	}
	err = q.GetContext(ctx, &row, `SELECT done, reading::text AS reading FROM inbox_readings WHERE inbox_id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil, nil
	}
	if err != nil {
		return false, nil, fmt.Errorf("reading %d: %w", id, err)
	}
	ex, err = decodeReading(row.Reading)
	return row.Done, ex, err
}

func decodeReading(s sql.NullString) (*dialog.Extraction, error) {
	if !s.Valid {
		return nil, nil
	}
	var ex dialog.Extraction
	if err := json.Unmarshal([]byte(s.String), &ex); err != nil {
		return nil, fmt.Errorf("reading: %w", err)
	}
	return &ex, nil
}
