package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"xingqu/store"
	"xingqu/store/localpg"
)

// reference is pgbench's figure for turn-shaped transactions on the same database.
type reference struct {
	Clients    int     `json:"clients"`
	Seconds    float64 `json:"seconds"`
	TPS        float64 `json:"tps"`
	DatabaseMS float64 `json:"postgresCpuMsPerTransaction"`
	Load       string  `json:"loadAverage"`
	Command    string  `json:"command"`
}

// runReference runs pgbench with turnScript against a database a load run left behind.
func runReference(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("xingqu-load pgbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := fs.String("database", "", "PostgreSQL URL (default: the 1,000-traveller Telegram run's database in -pgdir)")
	pgdir := fs.String("pgdir", "var/loadpg", "the load runs' cluster")
	clients := fs.Int("clients", 16, "pgbench clients")
	duration := fs.Duration("duration", 30*time.Second, "how long pgbench runs")
	jsonOut := fs.String("json", "", "also write the result as JSON to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dsn == "" {
		c, err := localpg.Start(ctx, *pgdir, localpg.Options{MaxConnections: 200,
			Settings: []string{"shared_preload_libraries=pg_stat_statements"}})
		if err != nil {
			return err
		}
		*dsn = c.URL("xqload_telegram_1000")
	}
	db, err := sqlx.Open("postgres", *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	lo, hi, err := store.ConversationIDRange(ctx, db)
	if err != nil || hi == 0 {
		return fmt.Errorf("no conversations to run on (run the load first): %v", err)
	}
	pgbench, err := findPgbench()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "xqpgbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	script := filepath.Join(dir, "turn.sql")
	if err := os.WriteFile(script, []byte(store.TurnBenchScript), 0o644); err != nil {
		return err
	}
	postmaster, err := postmasterPID(ctx, db)
	if err != nil {
		return err
	}
	cpuBefore, err := serverCPU(postmaster)
	if err != nil {
		return err
	}
	secs := int(duration.Seconds())
	cmdArgs := []string{"-n", "-c", strconv.Itoa(*clients), "-j", "2", "-T", strconv.Itoa(secs),
		"-D", fmt.Sprintf("lo=%d", lo), "-D", fmt.Sprintf("hi=%d", hi), "-f", script, *dsn}
	cmd := exec.CommandContext(ctx, pgbench, cmdArgs...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("pgbench: %w\n%s", err, out)
	}
	// pgbench's backends end with it: their CPU counts once the server has reaped them.
	time.Sleep(2 * time.Second)
	cpuAfter, err := serverCPU(postmaster)
	if err != nil {
		return err
	}
	m := regexp.MustCompile(`tps = ([0-9.]+)`).FindSubmatch(out)
	n := regexp.MustCompile(`number of transactions actually processed: ([0-9]+)`).FindSubmatch(out)
	if m == nil || n == nil {
		return fmt.Errorf("pgbench output not understood:\n%s", out)
	}
	r := reference{Clients: *clients, Seconds: float64(secs),
		Command: "pgbench -n -c " + strconv.Itoa(*clients) + " -j 2 -T " + strconv.Itoa(secs) + " -f turn.sql"}
	r.TPS, _ = strconv.ParseFloat(string(m[1]), 64)
	txs, _ := strconv.ParseFloat(string(n[1]), 64)
	if txs > 0 {
		r.DatabaseMS = float64((cpuAfter - cpuBefore).Microseconds()) / 1000 / txs
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		r.Load = strings.Join(strings.Fields(string(b))[:3], " ")
	}
	fmt.Fprintf(stdout, "pgbench, turn-shaped transactions, %d clients, %d s: %.0f tps, PostgreSQL CPU %.2f ms a transaction (load average %s)\n",
		r.Clients, secs, r.TPS, r.DatabaseMS, r.Load)
	if *jsonOut != "" {
		b, _ := json.MarshalIndent(r, "", "  ")
		return os.WriteFile(*jsonOut, b, 0o644)
	}
	return nil
}

// findPgbench looks beside the server's programs, then on the PATH, then in Debian's
// folders.
func findPgbench() (string, error) {
	if bin, err := localpg.FindBinaries(); err == nil {
		if p := filepath.Join(bin, "pgbench"); fileExists(p) {
			return p, nil
		}
	}
	if p, err := exec.LookPath("pgbench"); err == nil {
		return p, nil
	}
	if ps, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pgbench"); len(ps) > 0 {
		return ps[len(ps)-1], nil
	}
	return "", errors.New("pgbench not found (Debian: apt-get install postgresql-contrib or postgresql)")
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
