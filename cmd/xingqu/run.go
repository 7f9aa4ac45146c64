package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"xingqu/channel/telegram"
	"xingqu/channel/web"
	"xingqu/httpapi"
	"xingqu/store"
	"xingqu/store/localpg"

	"github.com/prometheus/client_golang/prometheus"
)

const usage = `usage: xingqu <command> [arguments]

commands:
  serve [--no-migrate]      run the service (migrates the database first unless told not to)
  migrate up|down|status    apply, roll back one, or list the database migrations
  devdb start|stop [DIR]    start or stop a private PostgreSQL in DIR (default ./var/pg);
                            start prints its DATABASE_URL
  user add|passwd|disable|list  manage console accounts (see README)
  backup [--out FILE]       back up the database (XINGQU_BACKUP_KEY encrypts; see docs/operations.md)
  backup verify FILE        restore FILE into a scratch database and compare it with its manifest
  backup keygen             make an age key pair for XINGQU_BACKUP_KEY
  restore FILE [--force]    restore a backup into the (empty) database DATABASE_URL names
  traveller forget --channel C --id X  delete one traveller's data on their request
  chat                      talk to the dialog engine in the terminal (offline planner, no database)
  version                   print the version
`

// wrapHandler lets tests add routes around the real surface.
var wrapHandler func(http.Handler) http.Handler

// run is the whole program; main only supplies the process's context and streams.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) < 2 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cmd, rest := args[1], args[2:]
	switch cmd {
	case "serve":
		return serve(ctx, rest, getenv, stdout, stderr)
	case "migrate":
		return migrate(ctx, rest, getenv, stdout)
	case "devdb":
		return devdb(ctx, rest, stdout, stderr)
	case "user":
		return user(ctx, rest, getenv, stdin, stdout, stderr)
	case "backup":
		return backupCmd(ctx, rest, getenv, stdout, stderr)
	case "restore":
		return restoreCmd(ctx, rest, getenv, stdout, stderr)
	case "traveller":
		return traveller(ctx, rest, getenv, stdout, stderr)
	case "chat":
		return chat(ctx, getenv, stdin, stdout)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "xingqu", version)
		return nil
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

func newLogger(w io.Writer) *slog.Logger {
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			return slog.New(slog.NewTextHandler(w, nil))
		}
	}
	return slog.New(slog.NewJSONHandler(w, nil))
}

// openDB connects with a bounded wait, so a wrong DATABASE_URL fails start-up in seconds.
func openDB(ctx context.Context, cfg config) (*store.DB, error) {
	if cfg.DatabaseURL == "" {
		return nil, errors.New("DATABASE_URL is not set: set it to a postgres:// URL, or use `make run`, which starts a private PostgreSQL under ./var/pg")
	}
	ctx, cancel := context.WithTimeout(ctx, 8*time.Second)
	defer cancel()
	db, err := store.Open(ctx, cfg.DatabaseURL, store.PoolConfig{})
	if err != nil {
		return nil, fmt.Errorf("%w (check DATABASE_URL)", err)
	}
	return db, nil
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	noMigrate := fs.Bool("no-migrate", false, "do not apply pending migrations at start")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := parseConfig(getenv)
	if err != nil {
		return err
	}
	log := newLogger(stderr)

	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	// Closed last: its Close sends the notifications still waiting for the pool's
	// notifier, which sends them once their turns have committed, in batches.
	defer db.Close()
	db.Notifier().SetLog(log)
	sdb, closeSession, err := openSessionDB(ctx, cfg, db)
	if err != nil {
		return err
	}
	defer closeSession()
	if !*noMigrate {
		n, err := store.MigrateUp(ctx, sdb)
		if err != nil {
			return err
		}
		if n > 0 {
			log.Info("migrations applied", "count", n)
		}
	}

	// One LISTEN connection for the whole process: the event streams, the Telegram
	// channel and the plan workers subscribe to it.
	listener := store.NewListener(cfg.sessionURL(), log)
	defer listener.Close()
	// Every part is made with what it needs, in the order of its needs: the HTTP server
	// last, given the Telegram webhook and the backups' staleness check.
	reg := prometheus.NewRegistry()
	svc := newService(cfg, db, log, reg)
	reg.MustRegister(serviceCollector{db: db, chain: svc.chain})
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	tg, webhook := startTelegram(workCtx, cfg, db, sdb, svc, reg, listener, log)
	waitWork := svc.start(workCtx, listener)
	stale, waitBackups := startBackups(workCtx, cfg, db, reg, log)
	defer func() { stopWork(); waitWork(); tg(); waitBackups() }()
	srv := httpapi.New(httpapi.Config{
		DB: db, Log: log, Version: version, Registry: reg, TelegramWebhook: webhook,
		Pipeline: svc.pipeline, Recommend: svc.recommend, EditRecommendation: svc.editRecommendation,
		ProviderHealth: svc.chain.Health, Spending: svc.chain.Spending, ReadyWarn: stale,
		MetricsElsewhere: cfg.MetricsAddr != "",
		Web: web.Config{WidgetOrigins: cfg.WidgetOrigins, SessionRate: cfg.SessionRate,
			MessageRate: cfg.MessageRate, TrustedProxies: cfg.TrustedProxies, Listener: listener},
	})
	go srv.RecordProviderHealth(workCtx, time.Minute)
	var h http.Handler = srv.Handler()
	if wrapHandler != nil {
		h = wrapHandler(h)
	}
	// Listening before announcing means a taken port fails start-up, not a later request.
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("XINGQU_HTTP_ADDR=%s: %w", cfg.HTTPAddr, err)
	}
	hs := httpapi.HTTPServer(cfg.HTTPAddr, h, log)
	hs.RegisterOnShutdown(srv.Close)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	url := "http://" + ln.Addr().String()
	if !strings.HasPrefix(cfg.HTTPAddr, "127.") && !strings.HasPrefix(cfg.HTTPAddr, "localhost") {
		url = cfg.PublicURL
	}
	fmt.Fprintf(stdout, "xingqu %s listening on %s\n", version, url)
	log.Info("serving", "addr", ln.Addr().String(), "public_url", cfg.PublicURL, "version", version)

	if cfg.MetricsAddr != "" {
		ms, err := serveMetrics(cfg.MetricsAddr, srv, log, stdout)
		if err != nil {
			hs.Close()
			return err
		}
		defer ms.Close()
	}

	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests")
	// The serving context is already cancelled; shutdown gets a fresh deadline of its own.
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = hs.Shutdown(shutCtx)
	if err != nil {
		hs.Close()
	}
	// Widget turns outlive their requests and use the database: wait for them before the
	// deferred db.Close. The Close registered above runs in a goroutine nobody waits for.
	srv.Close()
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// serveMetrics serves /metrics alone on a listener of its own (XINGQU_METRICS_ADDR), for
// a scraper on a private network, leaving it off the public listener.
func serveMetrics(addr string, srv *httpapi.Server, log *slog.Logger, stdout io.Writer) (*http.Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("XINGQU_METRICS_ADDR=%s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", srv.MetricsHandler())
	ms := httpapi.HTTPServer(addr, mux, log)
	go func() {
		if err := ms.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener", "err", err)
		}
	}()
	fmt.Fprintf(stdout, "metrics on http://%s/metrics\n", ln.Addr())
	log.Info("metrics listener", "addr", ln.Addr().String())
	return ms, nil
}

func migrate(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) != 1 {
		return errors.New("usage: xingqu migrate up|down|status")
	}
	cfg, err := parseConfig(getenv)
	if err != nil {
		return err
	}
	if cfg.ops.DirectURL != "" {
		cfg.DatabaseURL = cfg.ops.DirectURL // goose's lock needs a session of its own
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	switch args[0] {
	case "up":
		n, err := store.MigrateUp(ctx, db)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "applied %d migration(s)\n", n)
	case "down":
		v, err := store.MigrateDown(ctx, db)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "rolled back migration %d\n", v)
	case "status":
		return store.MigrationStatus(ctx, db, stdout)
	default:
		return fmt.Errorf("migrate %q: want up, down or status", args[0])
	}
	return nil
}

func devdb(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) < 1 || len(args) > 2 {
		return errors.New("usage: xingqu devdb start|stop [DIR]")
	}
	dir := "var/pg"
	if len(args) == 2 {
		dir = args[1]
	}
	switch args[0] {
	case "start":
		c, err := localpg.Start(ctx, dir, localpg.Options{Log: stderr})
		if err != nil {
			return err
		}
		if err := c.CreateDatabase(ctx, "xingqu"); err != nil {
			return err
		}
		fmt.Fprintln(stdout, c.URL("xingqu"))
		return nil
	case "stop":
		return localpg.Stop(ctx, dir)
	}
	return fmt.Errorf("devdb %q: want start or stop", args[0])
}

// startTelegram runs the Telegram channel when a token is configured. The channel keeps
// retrying while Telegram is unreachable, so the web is never held up by it; the
// returned function waits for it to stop after ctx ends. webhook is the channel's
// webhook for the HTTP server in webhook mode, else nil.
func startTelegram(ctx context.Context, cfg config, db, sessionDB *store.DB, svc *service, reg prometheus.Registerer, listener *store.Listener, log *slog.Logger) (wait func(), webhook http.Handler) {
	if cfg.TelegramToken == "" {
		return func() {}, nil
	}
	var g telegram.Geocoder
	if svc.planner.Geo != nil {
		g = svc.planner.Geo
	}
	ch := telegram.New(telegram.Config{
		Token: cfg.TelegramToken, Endpoint: cfg.TelegramEndpoint, Mode: cfg.TelegramMode,
		WebhookSecret: cfg.TelegramWebhookSecret, PublicURL: cfg.PublicURL, Rate: cfg.TelegramRate,
		Listener: listener, // plan progress, shown by editing one message
		LeaderDB: sessionDB,
	}, db, svc.pipeline, g, log, reg)
	if cfg.TelegramMode == telegram.ModeWebhook {
		webhook = ch.Webhook()
	}
	done := make(chan struct{})
	go func() { defer close(done); ch.Run(ctx) }()
	return func() { <-done }, webhook
}
