package backup

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// ErrNoClientTools says that pg_dump and pg_restore were not found.
var ErrNoClientTools = errors.New("pg_dump and pg_restore not found on PATH or under /usr/lib/postgresql/*/bin: install the PostgreSQL client tools (`apt-get install postgresql-client`), of the server's major version or newer")

// Tools are the PostgreSQL client programs a backup and a restore run.
type Tools struct {
	Dump, Restore string
}

// FindTools looks for pg_dump and pg_restore the way the development database looks for
// the server programs: the newest /usr/lib/postgresql/*/bin first, where Debian keeps
// every installed major version (pg_dump must be at least as new as the server), then
// PATH.
func FindTools() (Tools, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return majorOf(dirs[i]) > majorOf(dirs[j]) })
	for _, d := range dirs {
		t := Tools{Dump: filepath.Join(d, "pg_dump"), Restore: filepath.Join(d, "pg_restore")}
		if isExec(t.Dump) && isExec(t.Restore) {
			return t, nil
		}
	}
	d, err1 := exec.LookPath("pg_dump")
	r, err2 := exec.LookPath("pg_restore")
	if err1 == nil && err2 == nil {
		return Tools{Dump: d, Restore: r}, nil
	}
	return Tools{}, ErrNoClientTools
}

func majorOf(binDir string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(binDir)), 64)
	return v
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// connArgs turns a database URL into the --dbname argument and environment of a client
// program. The password travels in PGPASSWORD, not on the command line, where every
// user of the machine could read it in the process list.
func connArgs(dbURL string) (dbname string, env []string, err error) {
	u, err := url.Parse(dbURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", nil, errors.New("database URL: want a postgres:// URL")
	}
	env = os.Environ()
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			env = append(env, "PGPASSWORD="+pw)
			u.User = url.User(u.User.Username())
		}
	}
	// Options only lib/pq knows (binary_parameters is what a transaction pooler needs)
	// would make libpq refuse the URL.
	q := u.Query()
	for _, k := range []string{"binary_parameters", "disable_prepared_binary_result"} {
		q.Del(k)
	}
	u.RawQuery = q.Encode()
	return u.String(), env, nil
}

// runTool runs a client program, returning its error with the last lines it wrote to
// standard error, which is where pg_dump and pg_restore say what went wrong.
func runTool(ctx context.Context, prog string, env []string, args ...string) error {
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if lines := strings.Split(msg, "\n"); len(lines) > 8 {
			msg = strings.Join(lines[len(lines)-8:], "\n")
		}
		return fmt.Errorf("%s: %w: %s", filepath.Base(prog), err, msg)
	}
	return nil
}
