package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // registers the "postgres" driver
)

// ErrNotFound is returned when a row a caller asked for does not exist.
var ErrNotFound = errors.New("not found")

// DB is the connection pool every repository works through.
type DB struct {
	*sqlx.DB
	mig migrator
	// txs orders transactions waiting for a connection (InTx); nil admits all at once.
	txs *gate

	mu       sync.Mutex
	notifier *Notifier // started by the first Notifier call
	closed   bool      // Close was called: no notifier starts any more
}

// Notifier is the pool's sender of notifications after their transaction's commit
// (NotifyAfterCommit), one for the process, started on first use; Close flushes it.
func (db *DB) Notifier() *Notifier {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.notifier == nil {
		db.notifier = NewNotifier(db.DB, slog.Default())
		if db.closed {
			// A transaction that commits as the pool closes: its notification is dropped
			// rather than a sender started on a closed pool.
			db.notifier.Close()
		}
	}
	return db.notifier
}

// Close sends the notifications still waiting, then closes the pool.
func (db *DB) Close() error {
	db.mu.Lock()
	n := db.notifier
	db.closed = true
	db.mu.Unlock()
	if n != nil {
		n.Close()
	}
	return db.DB.Close()
}

// PoolConfig bounds the connection pool. The zero value gets defaults sized for one
// instance on a 2-core machine sharing PostgreSQL's default 100 connections with others.
type PoolConfig struct {
	MaxOpen     int
	MaxIdle     int
	MaxLifetime time.Duration
	MaxIdleTime time.Duration
}

func (p PoolConfig) withDefaults() PoolConfig {
	if p.MaxOpen == 0 {
		p.MaxOpen = 20
	}
	if p.MaxIdle == 0 {
		// Every connection opened is kept: closing one past an idle limit ends a backend
		// that the next burst forks again, plans every statement anew and warms up.
		p.MaxIdle = p.MaxOpen
	}
	if p.MaxLifetime == 0 {
		p.MaxLifetime = 30 * time.Minute
	}
	if p.MaxIdleTime == 0 {
		p.MaxIdleTime = 5 * time.Minute
	}
	return p
}

// Open connects to the database at dsn and checks it answers within the context's
// deadline. A connect timeout is added to the URL when it has none, so that an
// unreachable server fails a request in seconds rather than hanging it.
func Open(ctx context.Context, dsn string, pool PoolConfig) (*DB, error) {
	dsn, err := withConnectTimeout(dsn, 5)
	if err != nil {
		return nil, err
	}
	// A transaction pooler (PgBouncer) refuses server settings among the startup
	// parameters and keeps its own keepalives; sessions that hold advisory locks go to
	// PostgreSQL directly (DATABASE_DIRECT_URL), and get them.
	if !binaryParameters(dsn) {
		if dsn, err = withKeepalives(dsn); err != nil {
			return nil, err
		}
	}
	var db *sqlx.DB
	if binaryParameters(dsn) {
		// A transaction pooler in front (pooler.go).
		raw, err := openPooled(dsn)
		if err != nil {
			return nil, fmt.Errorf("database %s: %w", Redact(dsn), err)
		}
		db = sqlx.NewDb(raw, "postgres")
	} else {
		// Statements prepared once per connection (stmtcache.go).
		raw, err := openCaching(dsn)
		if err != nil {
			return nil, fmt.Errorf("database %s: %w", Redact(dsn), err)
		}
		db = sqlx.NewDb(raw, "postgres")
	}
	pool = pool.withDefaults()
	db.SetMaxOpenConns(pool.MaxOpen)
	db.SetMaxIdleConns(pool.MaxIdle)
	db.SetConnMaxLifetime(pool.MaxLifetime)
	db.SetConnMaxIdleTime(pool.MaxIdleTime)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("database %s is not reachable: %w", Redact(dsn), err)
	}
	return &DB{DB: db, txs: newGate(pool.MaxOpen)}, nil
}

// withConnectTimeout adds connect_timeout (seconds) to a URL or key=value DSN without one.
func withConnectTimeout(dsn string, seconds int) (string, error) {
	return withParam(dsn, "connect_timeout", fmt.Sprint(seconds))
}

// keepalives make the server notice within about a minute that a client has gone
// without closing its connections (a machine that died, a network cut): until it does,
// the client's session and its advisory locks live on, and with them the Telegram
// leadership of a dead instance, for the two hours of the kernel's default.
var keepalives = [][2]string{{"tcp_keepalives_idle", "30"}, {"tcp_keepalives_interval", "10"}, {"tcp_keepalives_count", "3"}}

// withKeepalives adds the keepalive settings, as connection parameters, to a DSN that
// sets none of its own.
func withKeepalives(dsn string) (string, error) {
	var err error
	for _, kv := range keepalives {
		if dsn, err = withParam(dsn, kv[0], kv[1]); err != nil {
			return "", err
		}
	}
	return dsn, nil
}

// withParam adds name=value to a URL or key=value DSN that does not name it.
func withParam(dsn, name, value string) (string, error) {
	if strings.Contains(dsn, name) {
		return dsn, nil
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", fmt.Errorf("database URL: %w", err)
		}
		q := u.Query()
		q.Set(name, value)
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	return fmt.Sprintf("%s %s=%s", dsn, name, value), nil
}

// Redact hides the password in a database URL so it can be logged.
func Redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		return "(unparsable database URL)"
	}
	return u.Redacted()
}

// Ready reports whether the database answers and its schema is current.
func (db *DB) Ready(ctx context.Context) error {
	if err := db.PingContext(ctx); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	pending, err := Pending(ctx, db)
	if err != nil {
		return err
	}
	if pending {
		return errors.New("database: migrations pending")
	}
	return nil
}

// InTx runs fn in a transaction, committing when fn returns nil and rolling back otherwise.
// The notifications fn asked for with NotifyAfterCommit go to the Notifier once the
// commit has succeeded; none when it failed or its outcome is unknown.
// Transactions wait for a connection in the order they began (gate).
func (db *DB) InTx(ctx context.Context, fn func(tx *sqlx.Tx) error) (err error) {
	if db.txs != nil {
		if err := db.txs.enter(ctx); err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		defer db.txs.leave()
	}
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	notes := &txNotes{}
	afterCommit.Store(tx, notes)
	defer afterCommit.Delete(tx)
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
		if err != nil {
			tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if len(notes.notes) > 0 {
		db.Notifier().hand(notes.notes)
	}
	return nil
}
