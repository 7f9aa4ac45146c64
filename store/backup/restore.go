package backup

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sort"
	"time"

	"github.com/lib/pq"
)

// Report is what a restore found: the backup's manifest and the rows now in each table.
type Report struct {
	Manifest Manifest
	Tables   map[string]int64
}

type queryer interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// userRelations selects the relations outside PostgreSQL's own schemas.
const userRelations = `
SELECT n.nspname, c.relname
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
ORDER BY 1, 2`

// countRows counts the rows of every table; tables outside the public schema are named
// schema.table.
func countRows(ctx context.Context, q queryer) (map[string]int64, error) {
	rows, err := q.QueryContext(ctx, userRelations)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	type rel struct{ schema, name string }
	var rels []rel
	for rows.Next() {
		var r rel
		if err := rows.Scan(&r.schema, &r.name); err != nil {
			rows.Close()
			return nil, err
		}
		rels = append(rels, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	counts := make(map[string]int64, len(rels))
	for _, r := range rels {
		name := r.name
		if r.schema != "public" {
			name = r.schema + "." + r.name
		}
		var n int64
		if err := q.QueryRowContext(ctx, "SELECT count(*) FROM "+pq.QuoteIdentifier(r.schema)+"."+pq.QuoteIdentifier(r.name)).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", name, err)
		}
		counts[name] = n
	}
	return counts, nil
}

// migrationVersion is the newest migration applied, 0 for a database never migrated.
func migrationVersion(ctx context.Context, q queryer) (int64, error) {
	var v int64
	err := q.QueryRowContext(ctx, `
SELECT CASE WHEN to_regclass('goose_db_version') IS NULL THEN 0
            ELSE (SELECT COALESCE(max(version_id), 0) FROM goose_db_version WHERE is_applied) END`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("migration version: %w", err)
	}
	return v, nil
}

// Restore restores the backup at path into the database at dbURL, which must hold no
// tables unless force is set: then everything in its public schema is dropped first.
// The restore is one transaction, so a failure leaves the database as it was. The
// rows are counted afterwards and compared with the manifest.
func Restore(ctx context.Context, dbURL, path string, key Key, force bool) (Report, error) {
	tools, err := FindTools()
	if err != nil {
		return Report{}, err
	}
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		return Report{}, err
	}
	defer db.Close()
	var n int
	var name string
	if err := db.QueryRowContext(ctx, `SELECT current_database(), (SELECT count(*) FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'S', 'v', 'm', 'f') AND ns.nspname <> 'information_schema' AND ns.nspname NOT LIKE 'pg\_%')`).Scan(&name, &n); err != nil {
		return Report{}, fmt.Errorf("restore: %w", err)
	}
	if n > 0 && !force {
		return Report{}, fmt.Errorf("%w: %s holds %d tables, sequences or views; restore into an empty database, or give --force to replace what it holds", ErrNotEmpty, name, n)
	}
	// The backup is checked whole before anything in the database is dropped.
	tmp, err := os.MkdirTemp("", "xingqu-restore-")
	if err != nil {
		return Report{}, err
	}
	defer os.RemoveAll(tmp)
	m, dump, err := unpack(path, key, tmp)
	if err != nil {
		return Report{}, err
	}
	if n > 0 {
		if _, err := db.ExecContext(ctx, `DROP SCHEMA public CASCADE; CREATE SCHEMA public`); err != nil {
			return Report{}, fmt.Errorf("restore --force: emptying %s: %w", name, err)
		}
	}
	rep, err := restoreInto(ctx, tools, db, dbURL, dump, m)
	if err != nil {
		return rep, err
	}
	// A restored table has no statistics until autovacuum first visits the database, up
	// to a minute later; the instances started meanwhile would keep, statement by
	// statement, the plans made for tables the planner takes to be empty (a sequential
	// scan of the whole outbox for every batch the sender confirms).
	if _, err := db.ExecContext(ctx, `ANALYZE`); err != nil {
		return rep, fmt.Errorf("restore: analyze the restored tables: %w", err)
	}
	return rep, nil
}

func restoreInto(ctx context.Context, tools Tools, db *sql.DB, dbURL, dump string, m Manifest) (Report, error) {
	dbname, env, err := connArgs(dbURL)
	if err != nil {
		return Report{}, err
	}
	// Owners and grants are the source server's; here the restoring role owns everything.
	if err := runTool(ctx, tools.Restore, env, "--no-owner", "--no-privileges", "--single-transaction",
		"--exit-on-error", "--dbname="+dbname, dump); err != nil {
		return Report{}, fmt.Errorf("restore: %w", err)
	}
	got, err := countRows(ctx, db)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Manifest: m, Tables: got}
	if d := diffCounts(m.Tables, got); d != "" {
		return rep, fmt.Errorf("%w:\n%s", ErrMismatch, d)
	}
	return rep, nil
}

// Verify restores the backup at path into a scratch database on the server dbURL names,
// compares every table's rows with the manifest, and drops the scratch database.
func Verify(ctx context.Context, dbURL, path string, key Key) (Report, error) {
	tools, err := FindTools()
	if err != nil {
		return Report{}, err
	}
	tmp, err := os.MkdirTemp("", "xingqu-verify-")
	if err != nil {
		return Report{}, err
	}
	defer os.RemoveAll(tmp)
	m, dump, err := unpack(path, key, tmp)
	if err != nil {
		return Report{}, err
	}
	admin, err := sql.Open("postgres", dbURL)
	if err != nil {
		return Report{}, err
	}
	defer admin.Close()
	var b [6]byte
	rand.Read(b[:])
	scratch := "xingqu_verify_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(scratch)+" TEMPLATE template0"); err != nil {
		return Report{}, fmt.Errorf("verify: create a scratch database (the role needs CREATEDB): %w", err)
	}
	defer func() {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		admin.ExecContext(dctx, "DROP DATABASE IF EXISTS "+pq.QuoteIdentifier(scratch)+" WITH (FORCE)")
	}()
	scratchURL, err := withDatabase(dbURL, scratch)
	if err != nil {
		return Report{}, err
	}
	sdb, err := sql.Open("postgres", scratchURL)
	if err != nil {
		return Report{}, err
	}
	defer sdb.Close()
	rep, err := restoreInto(ctx, tools, sdb, scratchURL, dump, m)
	sdb.Close() // before the deferred DROP DATABASE
	return rep, err
}

// withDatabase returns dbURL naming another database on the same server.
func withDatabase(dbURL, name string) (string, error) {
	u, err := url.Parse(dbURL)
	if err != nil {
		return "", fmt.Errorf("database URL: %w", err)
	}
	u.Path = "/" + name
	u.RawPath = ""
	return u.String(), nil
}

func sortedKeys(m map[string]int64) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
