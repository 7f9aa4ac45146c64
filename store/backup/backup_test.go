package backup

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lib/pq"

	"xingqu/store"
	"xingqu/store/storetest"
)

func TestMain(m *testing.M) {
	scryptWorkFactor = 12 // the format and the checks are the same; a try costs milliseconds
	storetest.Main(m)
}

// emptyDB creates a database with nothing in it on the server of base, dropped when t ends.
func emptyDB(t *testing.T, base string) string {
	t.Helper()
	admin, err := sql.Open("postgres", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	var b [6]byte
	rand.Read(b[:])
	name := "xq_empty_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE DATABASE " + pq.QuoteIdentifier(name) + " TEMPLATE template0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec("DROP DATABASE IF EXISTS " + pq.QuoteIdentifier(name) + " WITH (FORCE)") })
	u, err := withDatabase(base, name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// seeded returns a migrated database with a few rows in it.
func seeded(t *testing.T) string {
	t.Helper()
	u := storetest.URL(t)
	db, err := store.Open(context.Background(), u, store.PoolConfig{MaxOpen: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, name := range []string{"amy", "bo", "chen"} {
		if _, err := store.CreateAccount(context.Background(), db, name, "x", "agent"); err != nil {
			t.Fatal(err)
		}
	}
	return u
}

func mustKey(t *testing.T, s string) Key {
	t.Helper()
	k, err := ParseKey(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	secret, public, err := NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name       string
		make, open string // the key that makes the backup and the one that restores it
	}{
		{"plain", "", ""},
		{"age public key", public, secret},
		{"passphrase", "correct horse battery staple", "correct horse battery staple"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			src := seeded(t)
			out := filepath.Join(t.TempDir(), "b.tar")
			m, err := Create(ctx, src, out, mustKey(t, tc.make), "test")
			if err != nil {
				t.Fatal(err)
			}
			if m.Tables["accounts"] != 3 || m.Migration == 0 || m.Encrypted != (tc.make != "") {
				t.Errorf("manifest: accounts %d, migration %d, encrypted %v", m.Tables["accounts"], m.Migration, m.Encrypted)
			}
			head := make([]byte, 64)
			f, _ := os.Open(out)
			f.Read(head)
			f.Close()
			if enc := strings.HasPrefix(string(head), ageMagic); enc != (tc.make != "") {
				t.Errorf("file starts %q: encrypted %v, want %v", head[:21], enc, tc.make != "")
			}
			dst := emptyDB(t, src)
			rep, err := Restore(ctx, dst, out, mustKey(t, tc.open), false)
			if err != nil {
				t.Fatal(err)
			}
			if d := diffCounts(m.Tables, rep.Tables); d != "" || len(rep.Tables) < 10 {
				t.Errorf("restored %d tables, differences:\n%s", len(rep.Tables), d)
			}
			if n := unanalyzed(t, dst); n != "" {
				t.Errorf("restored tables without statistics: %s", n)
			}
			if _, err := Verify(ctx, src, out, mustKey(t, tc.open)); err != nil {
				t.Errorf("verify: %v", err)
			}
		})
	}
}

func TestRestoreRefusesNonEmpty(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := seeded(t)
	out := filepath.Join(t.TempDir(), "b.tar")
	if _, err := Create(ctx, src, out, Key{}, "test"); err != nil {
		t.Fatal(err)
	}
	dst := storetest.URL(t) // migrated: it has every table, with no rows in most
	if _, err := Restore(ctx, dst, out, Key{}, false); !errors.Is(err, ErrNotEmpty) || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("restore into a migrated database: %v, want ErrNotEmpty naming --force", err)
	}
	rep, err := Restore(ctx, dst, out, Key{}, true)
	if err != nil {
		t.Fatalf("restore --force: %v", err)
	}
	if rep.Tables["accounts"] != 3 {
		t.Errorf("accounts after restore --force: %d, want 3", rep.Tables["accounts"])
	}
	// --force with a damaged backup leaves the database as it was.
	b, _ := os.ReadFile(out)
	os.WriteFile(out, b[:len(b)/2], 0o600)
	if _, err := Restore(ctx, dst, out, Key{}, true); !errors.Is(err, ErrDamaged) {
		t.Fatalf("restore --force of a damaged backup: %v, want ErrDamaged", err)
	}
	db, _ := sql.Open("postgres", dst)
	defer db.Close()
	if counts, err := countRows(ctx, db); err != nil || counts["accounts"] != 3 {
		t.Errorf("after a refused restore --force: accounts %d, err %v; want the 3 still there", counts["accounts"], err)
	}
}

func TestBadBackupsFailClearly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := seeded(t)
	dir := t.TempDir()
	secret, public, _ := NewIdentity()
	otherSecret, _, _ := NewIdentity()
	enc := filepath.Join(dir, "enc.tar.age")
	plain := filepath.Join(dir, "plain.tar")
	if _, err := Create(ctx, src, enc, mustKey(t, public), "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := Create(ctx, src, plain, Key{}, "test"); err != nil {
		t.Fatal(err)
	}
	// truncated copies, with and without their checksum files
	cut := func(path, name string, keepSum bool) string {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		os.WriteFile(p, b[:len(b)*2/3], 0o600)
		if keepSum {
			s, _ := os.ReadFile(path + ".sha256")
			os.WriteFile(p+".sha256", s, 0o600)
		}
		return p
	}
	for _, tc := range []struct {
		name, file, key string
		want            error
		says            string
	}{
		{"wrong secret key", enc, otherSecret, ErrWrongKey, "not the key"},
		{"wrong passphrase", enc, "a passphrase of some length", ErrWrongKey, "not the key"},
		{"no key", enc, "", ErrKeyNeeded, "XINGQU_BACKUP_KEY"},
		{"public key only", enc, public, ErrKeyNeeded, "secret key"},
		{"truncated, encrypted, with checksum", cut(enc, "c1.tar.age", true), secret, ErrDamaged, "checksum"},
		{"truncated, encrypted, no checksum", cut(enc, "c2.tar.age", false), secret, ErrDamaged, "damaged"},
		{"truncated, plain, with checksum", cut(plain, "c3.tar", true), "", ErrDamaged, "checksum"},
		{"truncated, plain, no checksum", cut(plain, "c4.tar", false), "", ErrDamaged, "damaged"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			k := mustKey(t, tc.key)
			dst := emptyDB(t, src)
			_, err := Restore(ctx, dst, tc.file, k, false)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("restore: %v, want %v saying %q", err, tc.want, tc.says)
			}
			if n := tableCount(t, dst); n != 0 {
				t.Errorf("restore failed but left %d tables behind", n)
			}
			if _, err := Verify(ctx, src, tc.file, k); !errors.Is(err, tc.want) {
				t.Errorf("verify: %v, want %v", err, tc.want)
			}
		})
	}
}

func tableCount(t *testing.T, u string) int {
	t.Helper()
	db, err := sql.Open("postgres", u)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	counts, err := countRows(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return len(counts)
}

func TestParseKey(t *testing.T) {
	secret, public, _ := NewIdentity()
	for _, tc := range []struct {
		in, kind string
		ok       bool
	}{
		{"", "none", true},
		{public, "age public key", true},
		{secret, "age secret key", true},
		{"sixteen chars ok", "passphrase", true},
		{"too short", "", false},
		{"age1notakey", "", false},
		{"AGE-SECRET-KEY-1NOTAKEY", "", false},
	} {
		k, err := ParseKey(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("ParseKey(%q): err %v, want ok %v", tc.in, err, tc.ok)
			continue
		}
		if err != nil {
			if strings.Contains(err.Error(), tc.in) {
				t.Errorf("ParseKey error repeats the key: %v", err)
			}
			continue
		}
		if got := k.String(); got != tc.kind {
			t.Errorf("ParseKey(%q) kind %q, want %q", tc.in, got, tc.kind)
		}
	}
}

// A restore whose rows differ from the manifest fails, naming the table: here the
// manifest of an otherwise sound archive claims rows the dump does not hold.
func TestRowsDifferingFromManifestFail(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := seeded(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.tar")
	if _, err := Create(ctx, src, good, Key{}, "test"); err != nil {
		t.Fatal(err)
	}
	m, dump, err := unpack(good, Key{}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	m.Tables["accounts"] = 99
	bad := filepath.Join(dir, "bad.tar")
	if err := writeArchive(bad, dump, m, Key{}); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(ctx, src, bad, Key{}); !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), "accounts: 3 rows, backup has 99") {
		t.Errorf("verify: %v, want ErrMismatch naming accounts", err)
	}
	if _, err := Restore(ctx, emptyDB(t, src), bad, Key{}, false); !errors.Is(err, ErrMismatch) {
		t.Errorf("restore: %v, want ErrMismatch", err)
	}
}

// unanalyzed names the tables of the database at dbURL that hold rows but have no
// column statistics (pg_restore's index builds count a table's rows, nothing more).
func unanalyzed(t *testing.T, dbURL string) string {
	t.Helper()
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var names string
	err = db.QueryRow(`SELECT COALESCE(string_agg(c.relname, ', ' ORDER BY c.relname), '')
FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
WHERE ns.nspname = 'public' AND c.relkind = 'r' AND c.reltuples > 0
  AND NOT EXISTS (SELECT 1 FROM pg_statistic s WHERE s.starelid = c.oid)`).Scan(&names)
	if err != nil {
		t.Fatal(err)
	}
	return names
}
