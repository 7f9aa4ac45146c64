package main

import (
	"fmt"
	"net/url"

	"xingqu/store/backup"
)

// opsConfig is the part of the configuration about running the service's database:
// scheduled backups and the direct connection beside a transaction pooler.
type opsConfig struct {
	// DirectURL reaches PostgreSQL itself when DATABASE_URL goes through a transaction
	// pooler such as PgBouncer: LISTEN, advisory-lock leaders, migrations and pg_dump
	// need a session of their own. Empty: DATABASE_URL serves for both.
	DirectURL  string
	BackupDir  string
	BackupKeep int
	BackupKey  backup.Key
}

func parseOpsConfig(p *envParser) opsConfig {
	var c opsConfig
	c.DirectURL = p.str("DATABASE_DIRECT_URL", "")
	if c.DirectURL != "" {
		u, err := url.Parse(c.DirectURL)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			p.fail("DATABASE_DIRECT_URL", redactURL(c.DirectURL), "a postgres:// URL")
		}
	}
	c.BackupDir = p.str("XINGQU_BACKUP_DIR", "")
	c.BackupKeep = p.int("XINGQU_BACKUP_KEEP", 7, 1)
	k, err := backup.ParseKey(p.getenv("XINGQU_BACKUP_KEY"))
	if err != nil {
		p.errs = append(p.errs, fmt.Errorf("XINGQU_BACKUP_KEY: %w", err))
	}
	c.BackupKey = k
	return c
}

// sessionURL is the URL for connections that need a PostgreSQL session of their own.
func (c config) sessionURL() string {
	if c.ops.DirectURL != "" {
		return c.ops.DirectURL
	}
	return c.DatabaseURL
}
