package store

import (
	"context"
	"fmt"
	"time"
)

// Figures about the database itself, for the metrics and the load harness.

// InboxStats is how many messages were ever received, how many wait to be handled, and
// how long the oldest of them has waited.
type InboxStats struct {
	Received int64
	Pending  int64
	Oldest   time.Duration
}

// GetInboxStats reads the inbox's figures.
func GetInboxStats(ctx context.Context, q Queryer) (InboxStats, error) {
	var s InboxStats
	var oldest float64
	err := q.QueryRowxContext(ctx, `
SELECT (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM inbox_id_seq),
       count(*), COALESCE(EXTRACT(EPOCH FROM now() - min(received_at)), 0)
FROM inbox WHERE handled_at IS NULL`).Scan(&s.Received, &s.Pending, &oldest)
	if err != nil {
		return InboxStats{}, fmt.Errorf("inbox stats: %w", err)
	}
	s.Oldest = time.Duration(oldest * float64(time.Second))
	return s, nil
}

// Activity is the database's transaction counters: transactions committed, and the
// next transaction id (which counts every transaction that wrote, committed or not).
type Activity struct {
	Commits int64 `db:"commits"`
	NextXID int64 `db:"next_xid"`
}

// GetActivity reads the database's transaction counters.
func GetActivity(ctx context.Context, q Queryer) (Activity, error) {
	var a Activity
	err := q.GetContext(ctx, &a, `
SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()) AS commits,
       pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS next_xid`)
	if err != nil {
		return Activity{}, fmt.Errorf("database activity: %w", err)
	}
	return a, nil
}

// Statement is one line of pg_stat_statements.
type Statement struct {
	Calls   int64   `db:"calls" json:"calls"`
	TotalMS float64 `db:"total_ms" json:"totalMs"`
	MeanMS  float64 `db:"mean_ms" json:"meanMs"`
	Buffers float64 `db:"buffers" json:"buffersPerCall"`
	Query   string  `db:"query" json:"query"`
}

// TopStatements lists the n statements that took most of the database's time since the
// last ResetStatements; an error when pg_stat_statements is not loaded.
func TopStatements(ctx context.Context, q Queryer, n int) ([]Statement, error) {
	var ss []Statement
	err := q.SelectContext(ctx, &ss, `
SELECT calls, total_exec_time AS total_ms, mean_exec_time AS mean_ms,
       (shared_blks_hit + shared_blks_read)::float8 / greatest(calls, 1) AS buffers,
       left(regexp_replace(query, '\s+', ' ', 'g'), 110) AS query
FROM pg_stat_statements
WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
ORDER BY total_exec_time DESC LIMIT $1`, n)
	return ss, err
}

// ResetStatements loads pg_stat_statements into the database when it can and empties
// it; an error when the server was not started with it.
func ResetStatements(ctx context.Context, q Queryer, create bool) error {
	if create {
		if _, err := q.ExecContext(ctx, `CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err != nil {
			return err
		}
	}
	_, err := q.ExecContext(ctx, `SELECT pg_stat_statements_reset()`)
	return err
}

// ConversationIDRange returns the lowest and highest conversation ids; 0, 0 for none.
func ConversationIDRange(ctx context.Context, q Queryer) (lo, hi int64, err error) {
	err = q.QueryRowxContext(ctx, `SELECT COALESCE(min(id), 0), COALESCE(max(id), 0) FROM conversations`).Scan(&lo, &hi)
	if err != nil {
		return 0, 0, fmt.Errorf("conversation ids: %w", err)
	}
	return lo, hi, nil
}

// TurnBenchScript is one turn's work as pgbench runs it, for a reference figure of the
// database alone: lock the conversation, add the traveller's message and the reply, save
// the conversation. pgbench sets :lo and :hi.
const TurnBenchScript = `\set conv random(:lo, :hi)
BEGIN;
SELECT state FROM conversations WHERE id = :conv FOR UPDATE;
INSERT INTO messages (conversation_id, role, text) VALUES (:conv, 'traveller', '每人2000');
INSERT INTO messages (conversation_id, role, text) VALUES (:conv, 'bot', 'Any special needs?');
UPDATE conversations SET state = state, updated_at = now() WHERE id = :conv;
END;
`
