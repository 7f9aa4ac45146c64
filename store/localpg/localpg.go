// Package localpg runs a private PostgreSQL cluster in a folder, for development and
// tests: initialised once, listening only on a Unix socket inside that folder so that it
// cannot collide with another server's TCP port.
//
// initdb and postgres refuse to run as root. When the caller is root the cluster is
// owned by, and its programs run as, the unprivileged "postgres" system user that
// Debian's server package creates.
package localpg

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lib/pq"
)

// Superuser is the role initdb creates; every URL handed out connects as it.
const Superuser = "xingqu"

const port = 5432

// ErrNoServer says that no PostgreSQL server programs were found.
var ErrNoServer = errors.New("no PostgreSQL server binaries (initdb, pg_ctl) found on PATH or under /usr/lib/postgresql/*/bin: install them with `apt-get install postgresql` or set DATABASE_URL to a server you have")

// Options tune a cluster. Fast trades durability for speed and suits throw-away
// clusters in tests.
type Options struct {
	Fast           bool
	MaxConnections int
	Log            io.Writer // progress messages; nil discards them
	Settings       []string  // more server settings, each name=value
}

// Cluster is a running private server.
type Cluster struct {
	Dir   string
	bin   string
	owner *user.User // nil when the caller runs the programs as itself
}

// FindBinaries returns the folder holding initdb and pg_ctl.
func FindBinaries() (string, error) {
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if _, err := exec.LookPath("initdb"); err == nil {
			return filepath.Dir(p), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	// Newest major version first: "9.6" < "15" must compare numerically.
	sort.Slice(dirs, func(i, j int) bool { return pgVersion(dirs[i]) > pgVersion(dirs[j]) })
	for _, d := range dirs {
		if fileExists(filepath.Join(d, "initdb")) && fileExists(filepath.Join(d, "pg_ctl")) {
			return d, nil
		}
	}
	return "", ErrNoServer
}

func pgVersion(binDir string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(binDir)), 64)
	return v
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// Start initialises the cluster in dir if it has none yet and starts it unless it is
// already running. It is safe to call again on a running cluster.
func Start(ctx context.Context, dir string, opt Options) (*Cluster, error) {
	logw := opt.Log
	if logw == nil {
		logw = io.Discard
	}
	bin, err := FindBinaries()
	if err != nil {
		return nil, err
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	// The socket lives in dir; Unix socket paths are limited to 107 bytes.
	if n := len(filepath.Join(dir, ".s.PGSQL."+strconv.Itoa(port))); n > 107 {
		return nil, fmt.Errorf("postgres folder %s: path too long for a Unix socket (%d bytes, at most 107)", dir, n)
	}
	c := &Cluster{Dir: dir, bin: bin}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root, PostgreSQL must run as an unprivileged user, but user \"postgres\" does not exist (install the postgresql package, which creates it): %w", err)
		}
		c.owner = u
	}
	// Parents are made open to others: the server user must be able to reach its folder.
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	if c.owner != nil {
		if err := checkTraversable(dir); err != nil {
			return nil, err
		}
	}
	if err := c.chown(dir); err != nil {
		return nil, err
	}
	if !fileExists(filepath.Join(dir, "PG_VERSION")) {
		fmt.Fprintf(logw, "initialising PostgreSQL cluster in %s\n", dir)
		args := []string{"-D", dir, "-U", Superuser, "--auth=trust", "-E", "UTF8", "--no-locale"}
		if opt.Fast {
			args = append(args, "--no-sync")
		}
		if out, err := c.run(ctx, "initdb", args...); err != nil {
			return nil, fmt.Errorf("initdb: %w\n%s", err, out)
		}
	}
	if c.running(ctx) {
		return c, nil
	}
	maxConn := opt.MaxConnections
	if maxConn == 0 {
		maxConn = 100
	}
	serverOpts := fmt.Sprintf("-k %s -c listen_addresses='' -p %d -c max_connections=%d", dir, port, maxConn)
	if opt.Fast {
		serverOpts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	}
	for _, s := range opt.Settings {
		serverOpts += " -c " + s
	}
	fmt.Fprintf(logw, "starting PostgreSQL in %s\n", dir)
	out, err := c.run(ctx, "pg_ctl", "-D", dir, "-l", filepath.Join(dir, "server.log"), "-w", "-t", "60", "-o", serverOpts, "start")
	if err != nil {
		tail, _ := os.ReadFile(filepath.Join(dir, "server.log"))
		return nil, fmt.Errorf("pg_ctl start: %w\n%s\n%s", err, out, lastLines(tail, 15))
	}
	return c, nil
}

// Stop stops a cluster started in dir, if it runs. Fast shutdown: clients are
// disconnected, nothing is lost.
func Stop(ctx context.Context, dir string) error {
	bin, err := FindBinaries()
	if err != nil {
		return err
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return err
	}
	c := &Cluster{Dir: dir, bin: bin}
	if os.Geteuid() == 0 {
		if u, err := user.Lookup("postgres"); err == nil {
			c.owner = u
		}
	}
	return c.Stop(ctx)
}

// Stop stops the server.
func (c *Cluster) Stop(ctx context.Context) error {
	if !fileExists(filepath.Join(c.Dir, "postmaster.pid")) {
		return nil
	}
	out, err := c.run(ctx, "pg_ctl", "-D", c.Dir, "-m", "fast", "-w", "-t", "30", "stop")
	if err != nil {
		return fmt.Errorf("pg_ctl stop: %w\n%s", err, out)
	}
	return nil
}

// Restart starts a stopped cluster again with the options it had.
func (c *Cluster) Restart(ctx context.Context, opt Options) error {
	_, err := Start(ctx, c.Dir, opt)
	return err
}

// URL returns a lib/pq URL for the database name on this cluster's socket.
func (c *Cluster) URL(dbname string) string {
	return fmt.Sprintf("postgres://%s@/%s?host=%s&port=%d&sslmode=disable", Superuser, dbname, c.Dir, port)
}

// CreateDatabase creates the database name unless it exists.
func (c *Cluster) CreateDatabase(ctx context.Context, name string) error {
	db, err := sql.Open("postgres", c.URL("postgres"))
	if err != nil {
		return err
	}
	defer db.Close()
	var exists bool
	if err := db.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("postgres in %s: %w", c.Dir, err)
	}
	if exists {
		return nil
	}
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(name)); err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

func (c *Cluster) running(ctx context.Context) bool {
	if !fileExists(filepath.Join(c.Dir, "postmaster.pid")) {
		return false
	}
	_, err := c.run(ctx, "pg_ctl", "-D", c.Dir, "status")
	return err == nil
}

func (c *Cluster) run(ctx context.Context, prog string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, prog), args...)
	cmd.Env = []string{"PATH=" + c.bin + ":/usr/bin:/bin", "LC_ALL=C", "TZ=UTC"}
	cmd.Dir = c.Dir
	if c.owner != nil {
		uid, _ := strconv.Atoi(c.owner.Uid)
		gid, _ := strconv.Atoi(c.owner.Gid)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
		cmd.Env = append(cmd.Env, "HOME="+c.owner.HomeDir, "USER=postgres")
	}
	// pg_ctl start leaves the server running with our stdout open unless it is a file:
	// collecting output through a pipe would then block until the server exits.
	var buf bytes.Buffer
	f, err := os.CreateTemp("", "localpg-*.out")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	cmd.Stdout, cmd.Stderr = f, f
	cmd.WaitDelay = 5 * time.Second
	runErr := cmd.Run()
	f.Seek(0, io.SeekStart)
	io.Copy(&buf, f)
	return buf.Bytes(), runErr
}

func (c *Cluster) chown(dir string) error {
	if c.owner == nil {
		return nil
	}
	uid, _ := strconv.Atoi(c.owner.Uid)
	gid, _ := strconv.Atoi(c.owner.Gid)
	return filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	})
}

// checkTraversable fails early, with a useful message, when the postgres user could not
// reach dir because some parent folder is closed to others.
func checkTraversable(dir string) error {
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err == nil && fi.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("postgres folder %s: the postgres user cannot enter %s (mode %v); run from a folder others can traverse, or set DATABASE_URL", dir, p, fi.Mode().Perm())
		}
		if p == "/" || p == "." {
			return nil
		}
	}
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
