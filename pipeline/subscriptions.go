package pipeline

import (
	"context"

	"github.com/jmoiron/sqlx"

	"xingqu/dialog"
	"xingqu/store"
)

// storeSubscription sets the kinds of notice a traveller gets; none named means every kind.
func storeSubscription(ctx context.Context, tx *sqlx.Tx, travellerID int64, types []string) error {
	if len(types) == 0 {
		types = dialog.NoticeTypes
	}
	return store.SetSubscription(ctx, tx, travellerID, types)
}
