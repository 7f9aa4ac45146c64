package store

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"xingqu/migrations"
)

// migrator holds goose's provider, made once per DB: it is safe for concurrent use and
// caches the parsed migrations, and readiness checks ask it every few seconds.
type migrator struct {
	once sync.Once
	p    *goose.Provider
	err  error
}

func provider(db *DB) (*goose.Provider, error) {
	db.mig.once.Do(func() {
		// The session lock lets several instances start at once: one migrates, the others wait.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			db.mig.err = err
			return
		}
		db.mig.p, db.mig.err = goose.NewProvider(goose.DialectPostgres, db.DB.DB, migrations.FS, goose.WithSessionLocker(locker))
		if db.mig.err != nil {
			db.mig.err = fmt.Errorf("migrations: %w", db.mig.err)
		}
	})
	return db.mig.p, db.mig.err
}

// MigrateUp applies every pending migration, each in its own transaction.
func MigrateUp(ctx context.Context, db *DB) (applied int, err error) {
	p, err := provider(db)
	if err != nil {
		return 0, err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("migrate up: %w", err)
	}
	return len(res), nil
}

// MigrateDown rolls back the newest applied migration.
func MigrateDown(ctx context.Context, db *DB) (version int64, err error) {
	p, err := provider(db)
	if err != nil {
		return 0, err
	}
	res, err := p.Down(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrate down: %w", err)
	}
	return res.Source.Version, nil
}

// MigrateDownTo rolls back every migration newer than version (0: all of them).
func MigrateDownTo(ctx context.Context, db *DB, version int64) error {
	p, err := provider(db)
	if err != nil {
		return err
	}
	if _, err := p.DownTo(ctx, version); err != nil {
		return fmt.Errorf("migrate down to %d: %w", version, err)
	}
	return nil
}

// Pending reports whether migrations remain to be applied.
func Pending(ctx context.Context, db *DB) (bool, error) {
	p, err := provider(db)
	if err != nil {
		return false, err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return false, fmt.Errorf("migration status: %w", err)
	}
	return pending, nil
}

// MigrationStatus writes one line per migration: version, state, file, applied at.
func MigrationStatus(ctx context.Context, db *DB, w io.Writer) error {
	p, err := provider(db)
	if err != nil {
		return err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return fmt.Errorf("migration status: %w", err)
	}
	for _, s := range st {
		applied := "-"
		if !s.AppliedAt.IsZero() {
			applied = s.AppliedAt.UTC().Format("2006-01-02 15:04:05Z")
		}
		fmt.Fprintf(w, "%05d  %-8s %-40s %s\n", s.Source.Version, s.State, s.Source.Path, applied)
	}
	return nil
}
