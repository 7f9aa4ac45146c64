package store

import (
	"context"
	"time"
)

// AcquireLeader blocks until this instance holds the advisory lock key, then returns a context
// that ends when the lock is lost (its connection broke) or ctx ends, and a release
// function. The lock lives on a dedicated connection: PostgreSQL drops it the moment
// that connection closes, which is what hands leadership over when an instance dies.
func AcquireLeader(ctx context.Context, db *DB, key int64, retry time.Duration) (context.Context, func(), error) {
	for {
		conn, err := db.Conn(ctx)
		if err == nil {
			var got bool
			err = conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&got)
			if err == nil && got {
				lead, cancel := context.WithCancel(ctx)
				done := make(chan struct{})
				go func() {
					defer close(done)
					t := time.NewTicker(retry)
					defer t.Stop()
					for {
						select {
						case <-lead.Done():
							return
						case <-t.C:
						}
						pctx, pcancel := context.WithTimeout(lead, retry)
						err := conn.PingContext(pctx)
						pcancel()
						if err != nil && lead.Err() == nil {
							cancel() // the connection, and with it the lock, is gone
							return
						}
					}
				}()
				release := func() {
					cancel()
					<-done
					uctx, ucancel := context.WithTimeout(context.Background(), 2*time.Second)
					conn.ExecContext(uctx, `SELECT pg_advisory_unlock($1)`, key)
					ucancel()
					conn.Close()
				}
				return lead, release, nil
			}
			conn.Close()
		}
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-time.After(retry):
		}
	}
}
