package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"xingqu/dialog"
)

// TokenLedger keeps the tokens spent per spender and day in PostgreSQL, for every
// instance at once. It implements the LLM chain's TokenLedger.
type TokenLedger struct {
	DB *DB
	// Keep is how many days of rows to keep; older ones are deleted now and then. 0: 7.
	Keep int
}

// Spent returns what spender spent on day.
func (l TokenLedger) Spent(ctx context.Context, spender string, day dialog.Date) (int, error) {
	var n int64
	err := l.DB.GetContext(ctx, &n, `SELECT tokens FROM token_spend WHERE spender = $1 AND day = $2`, spender, day.String())
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("token ledger: %w", err)
	}
	return int(n), nil
}

// Add books tokens to spender on day. The first booking of a day also deletes the days
// past keeping, so the table holds a week, not a history.
func (l TokenLedger) Add(ctx context.Context, spender string, day dialog.Date, tokens int) error {
	var inserted bool
	err := l.DB.GetContext(ctx, &inserted, `
INSERT INTO token_spend (spender, day, tokens) VALUES ($1, $2, $3)
ON CONFLICT (spender, day) DO UPDATE SET tokens = token_spend.tokens + EXCLUDED.tokens
RETURNING xmax = 0`, spender, day.String(), tokens)
	if err != nil {
		return fmt.Errorf("token ledger: %w", err)
	}
	if inserted {
		keep := l.Keep
		if keep <= 0 {
			keep = 7
		}
		cutoff := day.AddDays(-keep)
		if _, err := l.DB.ExecContext(ctx, `DELETE FROM token_spend WHERE day < $1`, cutoff.String()); err != nil {
			return fmt.Errorf("token ledger prune: %w", err)
		}
	}
	return nil
}

// SetTravellerNetwork remembers the network a traveller writes from.
func SetTravellerNetwork(ctx context.Context, q Queryer, travellerID int64, network string) error {
	_, err := q.ExecContext(ctx, `
INSERT INTO traveller_networks (traveller_id, network, seen_at) VALUES ($1, $2, now())
ON CONFLICT (traveller_id) DO UPDATE SET network = EXCLUDED.network, seen_at = now()`, travellerID, network)
	if err != nil {
		return fmt.Errorf("traveller network: %w", err)
	}
	return nil
}

// Spender names who a conversation's model calls are charged to: the traveller as
// channel and id ("telegram:42", "web:<session>") and the network they last wrote from
// ("" when unknown, as for Telegram).
func Spender(ctx context.Context, q Queryer, convID int64) (traveller, network string, err error) {
	var row struct {
		Channel    string         `db:"channel"`
		ExternalID string         `db:"external_id"`
		Network    sql.NullString `db:"network"`
		SeenAt     sql.NullTime   `db:"seen_at"`
	}
	err = q.GetContext(ctx, &row, `
SELECT t.channel, t.external_id, n.network, n.seen_at
FROM conversations c JOIN travellers t ON t.id = c.traveller_id
LEFT JOIN traveller_networks n ON n.traveller_id = t.id
WHERE c.id = $1`, convID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", ErrNotFound
	}
	if err != nil {
		return "", "", fmt.Errorf("spender: %w", err)
	}
	network = row.Network.String
	if row.SeenAt.Valid && time.Since(row.SeenAt.Time) > 24*time.Hour {
		network = "" // an address from another day says nothing about today's
	}
	return row.Channel + ":" + row.ExternalID, network, nil
}

// TokensOn returns the tokens charged to travellers on a day (an ISO date) by every
// instance. Address rows count the same tokens again, so they are left out.
func TokensOn(ctx context.Context, q Queryer, day string) (int64, error) {
	var n int64
	err := q.GetContext(ctx, &n, `SELECT coalesce(sum(tokens), 0)::bigint FROM token_spend WHERE day = $1 AND spender LIKE 'traveller:%'`, day)
	if err != nil {
		return 0, fmt.Errorf("tokens on %s: %w", day, err)
	}
	return n, nil
}
