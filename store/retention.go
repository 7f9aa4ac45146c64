package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Retired is what deleting travellers removed.
type Retired struct {
	Travellers    int64 `db:"travellers"`
	Conversations int64 `db:"conversations"`
	Messages      int64 `db:"messages"`
}

// retire adds the travellers' counts to retired_totals and deletes them; every table
// holding their data references them or their conversations with ON DELETE CASCADE.
func retire(ctx context.Context, q Queryer, ids []int64) (Retired, error) {
	var r Retired
	if len(ids) == 0 {
		return r, nil
	}
	err := q.GetContext(ctx, &r, `
WITH per AS (
    SELECT t.id, date_trunc('month', t.created_at)::date AS month, t.channel,
           (SELECT count(*) FROM conversations c WHERE c.traveller_id = t.id) AS conversations,
           (SELECT count(*) FROM conversations c JOIN messages m ON m.conversation_id = c.id WHERE c.traveller_id = t.id) AS messages,
           (SELECT count(*) FROM conversations c JOIN emergencies e ON e.conversation_id = c.id WHERE c.traveller_id = t.id) AS emergencies,
           (SELECT count(*) FROM conversations c JOIN feedback f ON f.conversation_id = c.id WHERE c.traveller_id = t.id) AS feedback,
           (SELECT count(f.rating) FROM conversations c JOIN feedback f ON f.conversation_id = c.id WHERE c.traveller_id = t.id) AS ratings,
           (SELECT coalesce(sum(f.rating), 0) FROM conversations c JOIN feedback f ON f.conversation_id = c.id WHERE c.traveller_id = t.id) AS rating_sum
    FROM travellers t WHERE t.id = ANY($1)
), added AS (
    INSERT INTO retired_totals AS r (month, channel, travellers, conversations, messages, emergencies, feedback, ratings, rating_sum)
    SELECT month, channel, count(*), sum(conversations), sum(messages), sum(emergencies), sum(feedback), sum(ratings), sum(rating_sum)
    FROM per GROUP BY month, channel
    ON CONFLICT (month, channel) DO UPDATE SET
        travellers = r.travellers + EXCLUDED.travellers, conversations = r.conversations + EXCLUDED.conversations,
        messages = r.messages + EXCLUDED.messages, emergencies = r.emergencies + EXCLUDED.emergencies,
        feedback = r.feedback + EXCLUDED.feedback, ratings = r.ratings + EXCLUDED.ratings,
        rating_sum = r.rating_sum + EXCLUDED.rating_sum
)
SELECT count(*) AS travellers, coalesce(sum(conversations), 0) AS conversations, coalesce(sum(messages), 0) AS messages FROM per`,
		pq.Array(ids))
	if err != nil {
		return r, fmt.Errorf("retire travellers: %w", err)
	}
	if _, err := q.ExecContext(ctx, `DELETE FROM travellers WHERE id = ANY($1)`, pq.Array(ids)); err != nil {
		return r, fmt.Errorf("retire travellers: %w", err)
	}
	return r, nil
}

// RetireInactive deletes up to limit travellers who have not written for longer than
// inactive, with their conversations, messages, cases and feedback, keeping only their
// counts. Run it in a transaction: instances running it at once skip each other's rows.
func RetireInactive(ctx context.Context, q Queryer, inactive time.Duration, limit int) (Retired, error) {
	var ids []int64
	err := q.SelectContext(ctx, &ids, `
SELECT id FROM travellers WHERE last_seen_at < now() - $1 * interval '1 millisecond'
ORDER BY last_seen_at LIMIT $2 FOR UPDATE SKIP LOCKED`, inactive.Milliseconds(), limit)
	if err != nil {
		return Retired{}, fmt.Errorf("inactive travellers: %w", err)
	}
	r, err := retire(ctx, q, ids)
	if err != nil {
		return r, err
	}
	// The rate counters are keyed by traveller too, and useless after a day.
	if _, err := q.ExecContext(ctx, `DELETE FROM rate_counts WHERE window_start < now() - interval '1 day'`); err != nil {
		return r, fmt.Errorf("rate counters: %w", err)
	}
	return r, nil
}

// RetireAllInactive runs RetireInactive in batches until no inactive traveller is left,
// each batch a transaction of its own so that none holds its locks for long.
func RetireAllInactive(ctx context.Context, db *DB, inactive time.Duration) (Retired, error) {
	const batch = 200
	var total Retired
	for {
		var r Retired
		err := db.InTx(ctx, func(tx *sqlx.Tx) error {
			var err error
			r, err = RetireInactive(ctx, tx, inactive, batch)
			return err
		})
		total.Travellers += r.Travellers
		total.Conversations += r.Conversations
		total.Messages += r.Messages
		if err != nil || r.Travellers < batch {
			return total, err
		}
	}
}

// ForgetTraveller deletes one traveller's data on request: everything RetireInactive
// deletes, and also the raw Telegram updates and messages to their chat that are not
// tied to a conversation. ErrNotFound when no such traveller exists.
func ForgetTraveller(ctx context.Context, db *DB, channel, externalID string) (Retired, error) {
	var r Retired
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		var ids []int64
		if err := tx.SelectContext(ctx, &ids, `SELECT id FROM travellers WHERE channel = $1 AND external_id = $2 FOR UPDATE`, channel, externalID); err != nil {
			return err
		}
		if len(ids) == 0 {
			return fmt.Errorf("traveller %s:%s: %w", channel, externalID, ErrNotFound)
		}
		var err error
		if r, err = retire(ctx, tx, ids); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE channel = $1 AND chat_id = $2`, channel, externalID); err != nil {
			return err
		}
		if channel == "telegram" {
			if _, err := tx.ExecContext(ctx, `DELETE FROM telegram_updates WHERE chat_id = $1`, externalID); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM rate_counts WHERE key = $1`, MessageRateKey(channel, externalID))
		return err
	})
	return r, err
}
