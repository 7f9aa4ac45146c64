// Command xingqu-load plays concurrent travellers against a xingqu service and reports
// what they got and what it cost: turns a second, the time from a message to its first
// reply, errors, and the CPU the service and PostgreSQL spent and the transactions
// PostgreSQL committed per turn.
//
// It starts the service itself (the binary given) against the database given, and in
// Telegram mode a fake Bot API server the service polls, which paces every chat as
// Telegram does. It must run on the database's machine: CPU is read from /proc.
//
//	xingqu-load [-mode telegram|widget] [-travellers N] [-ramp D] [-duration D] ...
//	xingqu-load pgbench [-clients N] [-duration D]   a turn-shaped pgbench reference
//	xingqu-load docs [-reference F] REPORT.json...   the figures into docs/benchmarks.md
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"

	"xingqu/store"
	"xingqu/store/localpg"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch args := os.Args[1:]; {
	case len(args) > 0 && args[0] == "pgbench":
		err = runReference(ctx, args[1:], os.Stdout, os.Stderr)
	case len(args) > 0 && args[0] == "docs":
		err = writeDocs(args[1:], os.Stderr)
	default:
		err = run(ctx, args, os.Stdout, os.Stderr)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "xingqu-load:", err)
		os.Exit(1)
	}
}

type options struct {
	mode       string
	travellers int
	ramp       time.Duration
	duration   time.Duration
	think      time.Duration
	bin        string
	database   string
	pgdir      string
	rate       int
	jsonOut    string
	seconds    string
	logFile    string
}

// report is the outcome of one run.
type report struct {
	Mode        string            `json:"mode"`
	Travellers  int               `json:"travellers"`
	Seconds     float64           `json:"seconds"`
	Turns       int               `json:"turns"`
	TurnsPerSec float64           `json:"turnsPerSecond"`
	P50MS       float64           `json:"p50Ms"`
	P95MS       float64           `json:"p95Ms"`
	P99MS       float64           `json:"p99Ms"`
	MaxMS       float64           `json:"maxMs"`
	Over5s      int               `json:"over5s"`
	Timeouts    int               `json:"timeouts"`
	Errors      int               `json:"errors"`
	TooMany     int64             `json:"telegram429"`
	ServiceMS   float64           `json:"serviceCpuMsPerTurn"`
	DatabaseMS  float64           `json:"postgresCpuMsPerTurn"`
	TxPerTurn   float64           `json:"commitsPerTurn"`
	WritesTurn  float64           `json:"writeTransactionsPerTurn"`
	Load        string            `json:"loadAverage"`
	Statements  []store.Statement `json:"topStatements,omitempty"`
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("xingqu-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.StringVar(&o.mode, "mode", "telegram", "telegram (through a fake Bot API) or widget")
	fs.IntVar(&o.travellers, "travellers", 1000, "concurrent travellers")
	fs.DurationVar(&o.ramp, "ramp", 20*time.Second, "time over which the travellers start; not measured")
	fs.DurationVar(&o.duration, "duration", 60*time.Second, "measured time after the ramp")
	fs.DurationVar(&o.think, "think", time.Second, "a traveller's pause after each answer")
	fs.StringVar(&o.bin, "bin", "bin/xingqu", "the service binary")
	fs.StringVar(&o.database, "database", "", "PostgreSQL URL of a database to use as it is (default: a fresh one in -pgdir)")
	fs.StringVar(&o.pgdir, "pgdir", "var/loadpg", "folder of a private PostgreSQL cluster (with pg_stat_statements) when -database is not given")
	fs.IntVar(&o.rate, "telegram-rate", 1000, "TELEGRAM_RATE given to the service")
	fs.StringVar(&o.jsonOut, "json", "", "also write the report as JSON to this file")
	fs.StringVar(&o.seconds, "seconds", "", "also write the first replies of each second of the window (count, p50, p99, max) as CSV to this file")
	fs.StringVar(&o.logFile, "service-log", "", "file for the service's log (default: discarded)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.mode != "telegram" && o.mode != "widget" {
		return fmt.Errorf("-mode %q: telegram or widget", o.mode)
	}

	dsn := o.database
	if dsn == "" {
		c, err := localpg.Start(ctx, o.pgdir, localpg.Options{MaxConnections: 200,
			Settings: []string{"shared_preload_libraries=pg_stat_statements", "pg_stat_statements.track=all"}})
		if err != nil {
			return err
		}
		name := fmt.Sprintf("xqload_%s_%d", o.mode, o.travellers)
		admin, err := sqlx.Open("postgres", c.URL("postgres"))
		if err != nil {
			return err
		}
		admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name)
		_, err = admin.ExecContext(ctx, `CREATE DATABASE `+name)
		admin.Close()
		if err != nil {
			return err
		}
		dsn = c.URL(name)
	}
	db, err := sqlx.Open("postgres", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(2)

	// The fake Bot API also answers the planner's weather and geocoding calls, with 404.
	bot := newFakeBot()
	fakeLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fake := &http.Server{Handler: bot}
	go fake.Serve(fakeLn)
	defer fake.Close()
	fakeURL := "http://" + fakeLn.Addr().String()

	addr, err := freeAddr()
	if err != nil {
		return err
	}
	svc, err := startService(ctx, o.bin, serviceEnv(dsn, addr, fakeURL, o.mode, o.rate), o.logFile)
	if err != nil {
		return err
	}
	defer func() { svc.Cancel(); svc.Wait() }()
	base := "http://" + addr
	if err := waitReady(ctx, base+"/readyz", 60*time.Second); err != nil {
		return err
	}
	postmaster, err := postmasterPID(ctx, db)
	if err != nil {
		return err
	}
	haveStatements := statementsReady(ctx, db)
	if !haveStatements {
		fmt.Fprintln(stderr, "xingqu-load: pg_stat_statements is not loaded; no top statements")
	}

	rec := &recorder{}
	runCtx, stopTravellers := context.WithCancel(ctx)
	defer stopTravellers()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.travellers + 10}}
	var wg sync.WaitGroup
	start := time.Now()
	for i := range o.travellers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !pause(runCtx, time.Duration(i)*o.ramp/time.Duration(o.travellers)) {
				return
			}
			if o.mode == "telegram" {
				telegramTraveller(runCtx, bot, int64(100000+i), o.think, rec)
			} else {
				widgetTraveller(runCtx, base, i, o.think, rec, hc)
			}
		}()
	}
	// A service that has run a minute has had its tables analyzed by autovacuum
	// (autovacuum_naptime); this database was created empty at the ramp's start, so the
	// plans its statements were given are for empty tables (sequential scans of the
	// outbox, the inbox, ...) and would be kept until autovacuum's first visit, after a
	// 60-s run. The measured window is of a service past its first minute: the tables
	// are analyzed halfway through the ramp, once half the travellers have started. The
	// replanning that follows on every connection stalls turns for about a second on two
	// cores, and the travellers held up then come back together for some seconds more:
	// analyzed as the ramp ended, that wave was the first seconds of the window and its
	// slowest 1% of replies.
	if !pause(ctx, time.Until(start.Add(o.ramp/2))) {
		return ctx.Err()
	}
	if _, err := db.ExecContext(ctx, `ANALYZE`); err != nil {
		return fmt.Errorf("analyze during the ramp: %w", err)
	}
	if !pause(ctx, time.Until(start.Add(o.ramp))) {
		return ctx.Err()
	}
	if haveStatements {
		store.ResetStatements(ctx, db, false)
	}
	before, err := takeSnapshot(ctx, db, svc.Process.Pid, postmaster)
	if err != nil {
		return err
	}
	rec.window(before.at, before.at.Add(o.duration))
	tooManyBefore := bot.tooMany.Load()
	if !pause(ctx, o.duration) {
		return ctx.Err()
	}
	after, err := takeSnapshot(ctx, db, svc.Process.Pid, postmaster)
	if err != nil {
		return err
	}
	stopTravellers()
	wg.Wait()

	r := report{Mode: o.mode, Travellers: o.travellers, Seconds: after.at.Sub(before.at).Seconds(), TooMany: bot.tooMany.Load() - tooManyBefore}
	n, p50, p95, p99, maxD, timeouts, errs, over5s := rec.result()
	r.Turns, r.Timeouts, r.Errors, r.Over5s = n, timeouts, errs, over5s
	r.TurnsPerSec = float64(n) / r.Seconds
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	r.P50MS, r.P95MS, r.P99MS, r.MaxMS = ms(p50), ms(p95), ms(p99), ms(maxD)
	if n > 0 {
		r.ServiceMS = ms(after.serviceCPU-before.serviceCPU) / float64(n)
		r.DatabaseMS = ms(after.dbCPU-before.dbCPU) / float64(n)
		r.TxPerTurn = float64(after.commits-before.commits) / float64(n)
		r.WritesTurn = float64(after.nextXID-before.nextXID) / float64(n)
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		r.Load = strings.Join(strings.Fields(string(b))[:3], " ")
	}
	if haveStatements {
		if r.Statements, err = store.TopStatements(ctx, db, 10); err != nil {
			return err
		}
	}
	printReport(stdout, r)
	if o.jsonOut != "" {
		if err := os.MkdirAll(filepath.Dir(o.jsonOut), 0o755); err != nil {
			return err
		}
		b, _ := json.MarshalIndent(r, "", "  ")
		if err := os.WriteFile(o.jsonOut, b, 0o644); err != nil {
			return err
		}
	}
	if o.seconds != "" {
		return writeSeconds(o.seconds, rec)
	}
	return nil
}

// writeSeconds writes the window's replies second by second (recorder.perSecond).
func writeSeconds(path string, rec *recorder) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := rec.perSecond(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func printReport(w io.Writer, r report) {
	fmt.Fprintf(w, "%s, %d travellers, %.0f s measured (load average %s)\n", r.Mode, r.Travellers, r.Seconds, r.Load)
	fmt.Fprintf(w, "  turns %d (%.1f/s); first reply p50 %.0f ms, p95 %.0f ms, p99 %.0f ms, max %.0f ms; over 5 s %d\n",
		r.Turns, r.TurnsPerSec, r.P50MS, r.P95MS, r.P99MS, r.MaxMS, r.Over5s)
	fmt.Fprintf(w, "  timeouts %d, errors %d, Telegram 429s %d\n", r.Timeouts, r.Errors, r.TooMany)
	fmt.Fprintf(w, "  per turn: service CPU %.2f ms, PostgreSQL CPU %.2f ms, %.2f committed transactions (%.2f that wrote)\n",
		r.ServiceMS, r.DatabaseMS, r.TxPerTurn, r.WritesTurn)
	if len(r.Statements) > 0 {
		fmt.Fprintln(w, "  top statements (calls, mean ms, buffers per call):")
		for _, s := range r.Statements {
			fmt.Fprintf(w, "  %8d %7.3f %7.1f  %s\n", s.Calls, s.MeanMS, s.Buffers, s.Query)
		}
	}
}

// serviceEnv is the service's environment for a load run: the fake Bot API in place of
// Telegram and of the weather and geocoding services, offline planning, and limits that
// let one machine be many travellers.
func serviceEnv(dsn, addr, fakeURL, mode string, rate int) []string {
	env := append(os.Environ(),
		"DATABASE_URL="+dsn,
		"XINGQU_HTTP_ADDR="+addr,
		"OPENMETEO_BASE_URL="+fakeURL, "OPENWEATHER_BASE_URL="+fakeURL, "NOMINATIM_BASE_URL=off",
		"LLM_PROVIDERS=",
		// Every traveller comes from this machine: the per-address and per-traveller
		// limits would measure themselves, not the turn path.
		"XINGQU_MESSAGE_RATE=100000", "XINGQU_SESSION_RATE=1000000", "XINGQU_TRUSTED_PROXIES=127.0.0.1/32",
	)
	if mode == "telegram" {
		env = append(env, "TELEGRAM_BOT_TOKEN=123456:LOAD", "TELEGRAM_MODE=polling",
			"TELEGRAM_API_ENDPOINT="+fakeURL+"/bot%s/%s", fmt.Sprintf("TELEGRAM_RATE=%d", rate))
	}
	return env
}

// startService starts `bin serve`; ending ctx sends it SIGTERM.
func startService(ctx context.Context, bin string, env []string, logFile string) (*exec.Cmd, error) {
	svc := exec.CommandContext(ctx, bin, "serve")
	svc.Env = env
	svc.Stdout, svc.Stderr = io.Discard, io.Discard
	if logFile != "" {
		f, err := os.OpenFile(logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, err
		}
		svc.Stdout, svc.Stderr = f, f
	}
	svc.Cancel = func() error { return svc.Process.Signal(syscall.SIGTERM) }
	svc.WaitDelay = 20 * time.Second
	if err := svc.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	return svc, nil
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func waitReady(ctx context.Context, url string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		if !pause(ctx, 200*time.Millisecond) {
			return ctx.Err()
		}
	}
	return errors.New("the service did not become ready within " + within.String())
}
