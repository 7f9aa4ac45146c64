package store

import (
	"context"
	"fmt"
)

// MigrationVersions reports the newest migration applied to db and the newest this build
// knows; a restored backup from another release can have either one larger.
func MigrationVersions(ctx context.Context, db *DB) (current, latest int64, err error) {
	p, err := provider(db)
	if err != nil {
		return 0, 0, err
	}
	current, err = p.GetDBVersion(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("migration version: %w", err)
	}
	for _, s := range p.ListSources() {
		latest = max(latest, s.Version)
	}
	return current, latest, nil
}
