package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"xingqu/auth"
	"xingqu/store"
	"xingqu/store/localpg"
)

// privateDBDir is where `make run` keeps its private PostgreSQL, relative to the
// repository root the commands are run from.
const privateDBDir = "var/pg"

// privateDatabase finds the private database `make run` made in dir, starting its server
// if it has stopped and bringing its tables up to date, and returns its URL. Without one
// it says how to get one.
func privateDatabase(ctx context.Context, dir string, stderr io.Writer) (string, error) {
	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); err != nil {
		return "", fmt.Errorf("DATABASE_URL is not set and there is no private database in ./%s: run `make run` once from the repository root (it creates one), or set DATABASE_URL", dir)
	}
	c, err := localpg.Start(ctx, dir, localpg.Options{Log: stderr})
	if err != nil {
		return "", err
	}
	if err := c.CreateDatabase(ctx, "xingqu"); err != nil {
		return "", err
	}
	url := c.URL("xingqu")
	db, err := store.Open(ctx, url, store.PoolConfig{MaxOpen: 1})
	if err != nil {
		return "", err
	}
	defer db.Close()
	if _, err := store.MigrateUp(ctx, db); err != nil {
		return "", err
	}
	fmt.Fprintf(stderr, "using the private database in ./%s\n", dir)
	return url, nil
}

// user manages console accounts: add, passwd, disable, list. Passwords come on standard
// input, never as arguments, so they stay out of shell history and process lists.
func user(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	const usage = "usage: xingqu user add --role agent|admin --username NAME --password-stdin | passwd --username NAME --password-stdin | disable --username NAME | list"
	if len(args) < 1 {
		return errors.New(usage)
	}
	fs := flag.NewFlagSet("user "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	role := fs.String("role", "", "agent or admin")
	name := fs.String("username", "", "account name")
	pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cfg, err := parseConfig(getenv)
	if err != nil {
		return err
	}
	if cfg.DatabaseURL == "" {
		// After `make run`, the accounts live in its private database under ./var/pg.
		if cfg.DatabaseURL, err = privateDatabase(ctx, privateDBDir, stderr); err != nil {
			return err
		}
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	password := func() (string, error) {
		if !*pwStdin {
			return "", errors.New("give the password on standard input with --password-stdin")
		}
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", err
		}
		return auth.HashPassword(strings.TrimRight(line, "\r\n"))
	}
	switch args[0] {
	case "add":
		if *role != auth.RoleAgent && *role != auth.RoleAdmin {
			return errors.New("--role must be agent or admin")
		}
		if strings.TrimSpace(*name) == "" {
			return errors.New("--username is required")
		}
		if len(*name) > auth.MaxUsernameLen {
			return fmt.Errorf("--username: at most %d bytes", auth.MaxUsernameLen)
		}
		h, err := password()
		if err != nil {
			return err
		}
		a, err := store.CreateAccount(ctx, db, *name, h, *role)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "added %s %s (id %d)\n", a.Role, a.Username, a.ID)
	case "passwd":
		h, err := password()
		if err != nil {
			return err
		}
		if err := store.SetPassword(ctx, db, *name, h); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "password changed for %s; its sessions are signed out\n", store.NormalizeUsername(*name))
	case "disable":
		if err := store.DisableAccount(ctx, db, *name); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "disabled %s\n", store.NormalizeUsername(*name))
	case "list":
		as, err := store.Accounts(ctx, db)
		if err != nil {
			return err
		}
		for _, a := range as {
			state := "active"
			if a.Disabled {
				state = "disabled"
			}
			fmt.Fprintf(stdout, "%d\t%s\t%s\t%s\n", a.ID, a.Username, a.Role, state)
		}
	default:
		return errors.New(usage)
	}
	return nil
}
