package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"xingqu/store"
	"xingqu/store/storetest"
)

func TestUserCommands(t *testing.T) {
	url := storetest.URL(t)
	env := func(k string) string {
		if k == "DATABASE_URL" {
			return url
		}
		return ""
	}
	run1 := func(stdin string, args ...string) (string, error) {
		var out, errb bytes.Buffer
		err := run(context.Background(), append([]string{"xingqu", "user"}, args...), env, strings.NewReader(stdin), &out, &errb)
		return out.String(), err
	}
	if _, err := run1("", "list"); err != nil {
		t.Fatal(err)
	}
	if out, err := run1("s3cret-passw0rd\n", "add", "--role", "admin", "--username", "Root", "--password-stdin"); err != nil || !strings.Contains(out, "admin root") {
		t.Fatalf("add: %q %v", out, err)
	}
	if _, err := run1("short\n", "add", "--role", "agent", "--username", "x", "--password-stdin"); err == nil {
		t.Error("a short password was accepted")
	}
	if _, err := run1("s3cret-passw0rd\n", "add", "--role", "boss", "--username", "y", "--password-stdin"); err == nil {
		t.Error("an unknown role was accepted")
	}
	if _, err := run1("s3cret-passw0rd\n", "add", "--role", "agent", "--username", strings.Repeat("n", 65), "--password-stdin"); err == nil {
		t.Error("a 65-byte username was accepted")
	}
	db, err := store.Open(context.Background(), url, store.PoolConfig{MaxOpen: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a, err := store.AccountByName(context.Background(), db, "root")
	if err != nil {
		t.Fatal(err)
	}
	if cost, _ := bcrypt.Cost([]byte(a.PasswordHash)); cost < 12 {
		t.Errorf("bcrypt cost %d, want 12 or more", cost)
	}
	if _, err := run1("another-passw0rd\n", "passwd", "--username", "root", "--password-stdin"); err != nil {
		t.Fatal(err)
	}
	if _, err := run1("", "disable", "--username", "root"); err != nil {
		t.Fatal(err)
	}
	if out, _ := run1("", "list"); !strings.Contains(out, "root\tadmin\tdisabled") {
		t.Errorf("list: %q", out)
	}
}

// Without DATABASE_URL, run from the repository root after `make run`, the command finds
// the private database under ./var/pg by itself.
func TestUserAddFindsThePrivateDatabase(t *testing.T) {
	c := storetest.NewCluster(t)
	// Not t.TempDir: its parent is closed to the server's own user, as a home folder can be.
	root, err := os.MkdirTemp("", "xquser")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	os.Chmod(root, 0o755)
	if err := os.MkdirAll(filepath.Join(root, "var"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(c.Dir, filepath.Join(root, privateDBDir)); err != nil {
		t.Fatal(err)
	}
	t.Chdir(root)
	noEnv := func(string) string { return "" }
	var out, errb bytes.Buffer
	err = run(context.Background(), []string{"xingqu", "user", "add", "--role", "agent", "--username", "ana", "--password-stdin"},
		noEnv, strings.NewReader("correct horse battery\n"), &out, &errb)
	if err != nil || !strings.Contains(out.String(), "added agent ana") {
		t.Fatalf("user add: %v\n%s%s", err, out.String(), errb.String())
	}
	if !strings.Contains(errb.String(), "private database in ./var/pg") {
		t.Errorf("the command did not say which database it used: %q", errb.String())
	}
	db, err := store.Open(context.Background(), c.URL("xingqu"), store.PoolConfig{MaxOpen: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := store.AccountByName(context.Background(), db, "ana"); err != nil {
		t.Fatalf("the account is not in the private database: %v", err)
	}

	// Elsewhere, with no private database, the error says what to do.
	t.Chdir(t.TempDir())
	err = run(context.Background(), []string{"xingqu", "user", "list"}, noEnv, strings.NewReader(""), &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "make run") {
		t.Errorf("user list with no database: %v", err)
	}
}
