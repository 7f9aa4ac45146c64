package main

import (
	"bytes"
	"context"
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
