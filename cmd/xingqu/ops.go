package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"xingqu/store"
	"xingqu/store/backup"

	"github.com/prometheus/client_golang/prometheus"
)

// openSessionDB opens the small pool for work that needs a PostgreSQL session of its own
// (migrations' lock, the Telegram leader's lock) when DATABASE_DIRECT_URL is set; without
// it, db serves. close is never nil.
func openSessionDB(ctx context.Context, cfg config, db *store.DB) (sdb *store.DB, close func(), err error) {
	if cfg.ops.DirectURL == "" {
		return db, func() {}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 8*time.Second)
	defer cancel()
	sdb, err = store.Open(ctx, cfg.ops.DirectURL, store.PoolConfig{MaxOpen: 4})
	if err != nil {
		return nil, nil, fmt.Errorf("%w (check DATABASE_DIRECT_URL)", err)
	}
	return sdb, func() { sdb.Close() }, nil
}

// startBackups runs the daily backup when XINGQU_BACKUP_DIR is set; stale says when the
// latest backup is older than it should be (for /readyz to log), and the returned wait
// function waits for the backups to stop after ctx ends.
func startBackups(ctx context.Context, cfg config, db *store.DB, reg prometheus.Registerer, log *slog.Logger) (stale func(context.Context) error, wait func()) {
	if cfg.ops.BackupDir == "" {
		return nil, func() {}
	}
	host, _ := os.Hostname()
	s := &backup.Scheduler{
		DB: db.DB.DB, URL: cfg.sessionURL(), Dir: cfg.ops.BackupDir, Keep: cfg.ops.BackupKeep, Key: cfg.ops.BackupKey,
		Version: version, Instance: fmt.Sprintf("%s:%d", host, os.Getpid()), Log: log,
	}
	s.Register(reg)
	log.Info("daily backups on", "dir", cfg.ops.BackupDir, "keep", cfg.ops.BackupKeep, "encryption", cfg.ops.BackupKey.String())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); s.Run(ctx) }()
	return s.Stale, wg.Wait
}
