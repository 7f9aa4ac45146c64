package store

import (
	"context"
	"fmt"

	"github.com/lib/pq"
)

// The records a turn leaves besides its messages: what dialog.Effect asks for.

// RecordEmergency stores the words of an emergency for the agents.
func RecordEmergency(ctx context.Context, q Queryer, convID int64, text string) error {
	if _, err := q.ExecContext(ctx, `INSERT INTO emergencies (conversation_id, text) VALUES ($1, $2)`, convID, text); err != nil {
		return fmt.Errorf("record emergency: %w", err)
	}
	return nil
}

// SetSubscribed subscribes the traveller to announcements, or unsubscribes them.
func SetSubscribed(ctx context.Context, q Queryer, travellerID int64, on bool) error {
	stmt := `DELETE FROM subscriptions WHERE traveller_id = $1`
	if on {
		stmt = `INSERT INTO subscriptions (traveller_id) VALUES ($1) ON CONFLICT DO NOTHING`
	}
	if _, err := q.ExecContext(ctx, stmt, travellerID); err != nil {
		return fmt.Errorf("subscription of traveller %d: %w", travellerID, err)
	}
	return nil
}

// SetSubscription subscribes the traveller to the kinds of announcement named, replacing
// the kinds they had.
func SetSubscription(ctx context.Context, q Queryer, travellerID int64, types []string) error {
	const stmt = `
INSERT INTO subscriptions (traveller_id, types) VALUES ($1, $2)
ON CONFLICT (traveller_id) DO UPDATE SET types = EXCLUDED.types`
	if _, err := q.ExecContext(ctx, stmt, travellerID, pq.Array(types)); err != nil {
		return fmt.Errorf("subscription of traveller %d: %w", travellerID, err)
	}
	return nil
}

// SetTravellerLang records the language the traveller chose.
func SetTravellerLang(ctx context.Context, q Queryer, travellerID int64, lang string) error {
	if _, err := q.ExecContext(ctx, `UPDATE travellers SET lang = $2 WHERE id = $1`, travellerID, lang); err != nil {
		return fmt.Errorf("language of traveller %d: %w", travellerID, err)
	}
	return nil
}
