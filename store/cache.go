package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Cache keeps provider answers in PostgreSQL with an expiry, shared by every instance.
type Cache struct {
	DB *DB
}

// Get returns the value under key unless it has expired.
func (c Cache) Get(ctx context.Context, key string) ([]byte, bool, error) {
	v, _, ok, err := c.GetWithTTL(ctx, key)
	return v, ok, err
}

// GetWithTTL is Get that also says how long the entry has left, by the database's clock,
// so that a copy kept elsewhere does not outlive it.
func (c Cache) GetWithTTL(ctx context.Context, key string) ([]byte, time.Duration, bool, error) {
	var row struct {
		Value []byte `db:"value"`
		Left  int64  `db:"left_ms"`
	}
	err := c.DB.GetContext(ctx, &row, `
SELECT value, (extract(epoch FROM expires_at - now()) * 1000)::bigint AS left_ms
FROM cache WHERE key = $1 AND expires_at > now()`, key)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, false, nil
	}
	if err != nil {
		return nil, 0, false, fmt.Errorf("cache get: %w", err)
	}
	return row.Value, time.Duration(row.Left) * time.Millisecond, true, nil
}

// Set stores val under key for ttl. Now and then it also sweeps expired rows, so the
// table stays small without a scheduler of its own.
func (c Cache) Set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	_, err := c.DB.ExecContext(ctx, `
INSERT INTO cache (key, value, expires_at) VALUES ($1, $2, now() + $3 * interval '1 millisecond')
ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at`, key, val, ttl.Milliseconds())
	if err != nil {
		return fmt.Errorf("cache set: %w", err)
	}
	if rand.IntN(100) == 0 {
		c.DB.ExecContext(ctx, `DELETE FROM cache WHERE expires_at < now()`)
	}
	return nil
}
