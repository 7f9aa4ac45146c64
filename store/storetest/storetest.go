// Package storetest gives tests a real PostgreSQL: one server per `go test` process (the
// one DATABASE_URL names, or a private cluster started on first use), and a fresh,
// migrated database per test, dropped when the test ends.
//
// A package whose tests use it must run them through Main:
//
//	func TestMain(m *testing.M) { storetest.Main(m) }
package storetest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/lib/pq"

	"xingqu/migrations"
	"xingqu/store"
	"xingqu/store/localpg"
)

var (
	mu        sync.Mutex
	mainUsed  bool
	baseURL   string // server to create test databases on
	cluster   *localpg.Cluster
	clusterTm string
	admin     *sql.DB
	template  string
)

// Main runs the package's tests and stops the private cluster, if one was started.
func Main(m *testing.M) {
	mu.Lock()
	mainUsed = true
	mu.Unlock()
	code := m.Run()
	mu.Lock()
	if admin != nil {
		admin.Close()
	}
	if cluster != nil {
		cluster.Stop(context.Background())
		os.RemoveAll(clusterTm)
	}
	mu.Unlock()
	os.Exit(code)
}

// server returns the admin connection, starting a private cluster when needed.
func server(t testing.TB) *sql.DB {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if admin != nil {
		return admin
	}
	if !mainUsed {
		t.Fatal("storetest: add `func TestMain(m *testing.M) { storetest.Main(m) }` to this package")
	}
	baseURL = os.Getenv("DATABASE_URL")
	if baseURL == "" {
		dir, err := os.MkdirTemp("", "xqpg")
		if err != nil {
			t.Fatal(err)
		}
		os.Chmod(dir, 0o755)
		// pg_stat_statements lets tests count what a piece of work costs the database.
		c, err := localpg.Start(context.Background(), dir, localpg.Options{Fast: true, MaxConnections: 400,
			Settings: []string{"shared_preload_libraries=pg_stat_statements", "pg_stat_statements.track=all", "pg_stat_statements.track_planning=on"}})
		if err != nil {
			t.Fatalf("storetest: %v", err)
		}
		cluster, clusterTm = c, dir
		baseURL = c.URL("postgres")
	}
	db, err := sql.Open("postgres", baseURL)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	db.SetMaxOpenConns(4)
	if err := db.Ping(); err != nil {
		t.Fatalf("storetest: database %s: %v", store.Redact(baseURL), err)
	}
	admin = db
	return admin
}

// migrationsHash names the template database so that a change to any migration makes
// a new template instead of reusing a stale one.
func migrationsHash() string {
	h := sha256.New()
	fs.WalkDir(migrations.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := fs.ReadFile(migrations.FS, p)
			h.Write([]byte(p))
			h.Write(b)
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// ensureTemplate builds, once per server and migration set, a migrated database that
// test databases are copied from: a copy takes milliseconds, migrating each takes more.
func ensureTemplate(t testing.TB, db *sql.DB) string {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if template != "" {
		return template
	}
	ctx := context.Background()
	name := "xq_tmpl_" + migrationsHash()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Other test processes may be building the same template at this moment.
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(72616)"); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(ctx, "SELECT pg_advisory_unlock(72616)")
	var exists bool
	if err := conn.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if !exists {
		build := name + "_build"
		conn.ExecContext(ctx, "DROP DATABASE IF EXISTS "+build+" WITH (FORCE)")
		if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+build); err != nil {
			t.Fatalf("storetest: create template: %v", err)
		}
		sdb, err := store.Open(ctx, withDB(baseURL, build), store.PoolConfig{MaxOpen: 2})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.MigrateUp(ctx, sdb); err != nil {
			t.Fatalf("storetest: %v", err)
		}
		sdb.Close()
		if _, err := conn.ExecContext(ctx, "ALTER DATABASE "+build+" RENAME TO "+name); err != nil {
			t.Fatal(err)
		}
	}
	template = name
	return template
}

// withDB returns the server URL with its database name replaced.
func withDB(base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		panic(err)
	}
	u.Path = "/" + name
	return u.String()
}

// URL returns the URL of a fresh, migrated database that is dropped when t ends; for tests
// that hand a URL to another process.
func URL(t testing.TB) string {
	t.Helper()
	db := server(t)
	tmpl := ensureTemplate(t, db)
	var b [6]byte
	rand.Read(b[:])
	name := "xq_test_" + hex.EncodeToString(b[:])
	ctx := context.Background()
	var err error
	for attempt := 0; attempt < 50; attempt++ {
		_, err = db.ExecContext(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, tmpl))
		// Two copies of one template at the same moment: PostgreSQL refuses the second
		// while the first holds the template open.
		if err == nil || !strings.Contains(err.Error(), "being accessed by other users") {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("storetest: create database: %v", err)
	}
	t.Cleanup(func() {
		db.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	return withDB(baseURL, name)
}

// New returns a pool on a fresh, migrated database that is dropped when t ends.
func New(t testing.TB) *store.DB {
	t.Helper()
	sdb, err := store.Open(context.Background(), URL(t), store.PoolConfig{MaxOpen: 10})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sdb.Close() })
	return sdb
}

// NewCluster starts a private cluster of the test's own, for tests that stop and start
// the server; it is stopped when t ends.
func NewCluster(t testing.TB) *localpg.Cluster {
	t.Helper()
	dir, err := os.MkdirTemp("", "xqpg")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	c, err := localpg.Start(context.Background(), dir, localpg.Options{Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.Stop(context.Background())
		os.RemoveAll(dir)
	})
	return c
}
