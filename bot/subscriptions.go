package bot

import (
	"context"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"xingqu/dialog"
)

// storeSubscription sets the kinds of notice a traveller gets; none named means every kind.
func storeSubscription(ctx context.Context, tx *sqlx.Tx, travellerID int64, types []string) error {
	if len(types) == 0 {
		types = dialog.NoticeTypes
	}
	_, err := tx.ExecContext(ctx, `
INSERT INTO subscriptions (traveller_id, types) VALUES ($1, $2)
ON CONFLICT (traveller_id) DO UPDATE SET types = EXCLUDED.types`, travellerID, pq.Array(types))
	return err
}
