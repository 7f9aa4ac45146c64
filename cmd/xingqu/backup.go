package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"time"

	"xingqu/store"
	"xingqu/store/backup"
)

const backupUsage = "usage: xingqu backup [--out FILE] | backup verify FILE | backup keygen"

// backupCmd makes a backup, checks one, or makes a key pair for XINGQU_BACKUP_KEY.
func backupCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "verify":
			return verifyCmd(ctx, args[1:], getenv, stdout)
		case "keygen":
			secret, public, err := backup.NewIdentity()
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "# public key: give it to the servers as XINGQU_BACKUP_KEY\n%s\n# secret key: keep it off the servers; restoring needs it as XINGQU_BACKUP_KEY\n%s\n", public, secret)
			return nil
		}
	}
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "file to write (default: a dated name in XINGQU_BACKUP_DIR, or the current folder)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errors.New(backupUsage)
	}
	cfg, err := parseConfig(getenv)
	if err != nil {
		return err
	}
	if cfg.DatabaseURL == "" {
		return errors.New("DATABASE_URL is not set")
	}
	path := *out
	if path == "" {
		dir := cfg.ops.BackupDir
		if dir == "" {
			dir = "."
		}
		path = filepath.Join(dir, backup.FileName(time.Now(), cfg.ops.BackupKey.Encrypts()))
	}
	m, err := backup.Create(ctx, cfg.sessionURL(), path, cfg.ops.BackupKey, version)
	if err != nil {
		return err
	}
	var rows int64
	for _, n := range m.Tables {
		rows += n
	}
	fmt.Fprintf(stdout, "wrote %s (%d tables, %d rows, migration %d, encryption: %s) and %s.sha256\n",
		path, len(m.Tables), rows, m.Migration, cfg.ops.BackupKey, filepath.Base(path))
	return nil
}

func verifyCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) != 1 {
		return errors.New(backupUsage)
	}
	cfg, err := parseConfig(getenv)
	if err != nil {
		return err
	}
	if cfg.DatabaseURL == "" {
		return errors.New("DATABASE_URL is not set: verify restores into a scratch database on that server")
	}
	rep, err := backup.Verify(ctx, cfg.sessionURL(), args[0], cfg.ops.BackupKey)
	if err != nil {
		return fmt.Errorf("backup verify %s: %w", args[0], err)
	}
	printReport(stdout, rep)
	fmt.Fprintf(stdout, "verified %s: every table restored with the rows its manifest records\n", args[0])
	return nil
}

// restoreCmd restores a backup into the database DATABASE_URL names.
func restoreCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	force := fs.Bool("force", false, "replace what the database holds")
	// The file may come before or after --force.
	var file string
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		file, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if file == "" && fs.NArg() == 1 {
		file = fs.Arg(0)
	} else if fs.NArg() != 0 || file == "" {
		return errors.New("usage: xingqu restore FILE [--force]")
	}
	cfg, err := parseConfig(getenv)
	if err != nil {
		return err
	}
	if cfg.DatabaseURL == "" {
		return errors.New("DATABASE_URL is not set: it names the database to restore into")
	}
	rep, err := backup.Restore(ctx, cfg.sessionURL(), file, cfg.ops.BackupKey, *force)
	if err != nil {
		return fmt.Errorf("restore %s: %w", file, err)
	}
	m := rep.Manifest
	fmt.Fprintf(stdout, "restored %s (made %s by xingqu %s from database %s)\n", file,
		m.CreatedAt.Format(time.RFC3339), m.Version, m.Database)
	printReport(stdout, rep)

	db, err := store.Open(ctx, cfg.sessionURL(), store.PoolConfig{MaxOpen: 2})
	if err != nil {
		return err
	}
	defer db.Close()
	cur, latest, err := store.MigrationVersions(ctx, db)
	if err != nil {
		return err
	}
	switch {
	case cur > latest:
		return fmt.Errorf("the restored database is at migration %d, newer than this build knows (%d): run the release that made the backup (xingqu %s)", cur, latest, m.Version)
	case cur < latest:
		fmt.Fprintf(stdout, "migrations: the backup is at %d, this build at %d; `xingqu serve` applies the rest at start (or run `xingqu migrate up`)\n", cur, latest)
	default:
		fmt.Fprintf(stdout, "migrations: current (%d)\n", cur)
	}
	return nil
}

// printReport lists the rows of every table, one per line.
func printReport(w io.Writer, rep backup.Report) {
	fmt.Fprintf(w, "%10s  %s\n", "rows", "table")
	for _, t := range slices.Sorted(maps.Keys(rep.Tables)) {
		fmt.Fprintf(w, "%10d  %s\n", rep.Tables[t], t)
	}
}
