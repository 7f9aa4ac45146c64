package backup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// StaleAfter is how old the newest backup may be before it is reported: a day and a
// margin for a slow dump.
const StaleAfter = 26 * time.Hour

// Scheduler takes one backup a day for every instance that shares the database. Each
// instance looks every Every; the first to claim the day's row in backup_runs takes the
// backup. A claim is a lease: if its instance dies mid-backup, another takes over once
// the lease has run out. Claims are single statements, so they work through a
// transaction pooler.
type Scheduler struct {
	DB       *sql.DB // the shared database, where the claims are
	URL      string  // what pg_dump connects to: a session, not a pooler
	Dir      string
	Keep     int // backups kept in Dir; older ones are deleted
	Key      Key
	Version  string
	Instance string           // names this instance in backup_runs
	Now      func() time.Time // nil: time.Now
	Log      *slog.Logger
	Every    time.Duration // how often to look; 0: 10 minutes
	Lease    time.Duration // how long a claim or a failed attempt holds the day; 0: 1 hour

	runs     *prometheus.CounterVec
	warnMu   sync.Mutex
	lastWarn time.Time
}

func (s *Scheduler) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Scheduler) lease() time.Duration {
	if s.Lease > 0 {
		return s.Lease
	}
	return time.Hour
}

// Run looks for a day without a backup now and every Every until ctx ends.
func (s *Scheduler) Run(ctx context.Context) {
	every := s.Every
	if every <= 0 {
		every = 10 * time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.Log.Error("backup failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Tick takes today's backup if no instance has taken it or is taking it, and reports
// whether this instance did.
func (s *Scheduler) Tick(ctx context.Context) (took bool, err error) {
	now := s.now().UTC()
	day := now.Format(time.DateOnly)
	var attempts int
	err = s.DB.QueryRowContext(ctx, `
INSERT INTO backup_runs (day, instance, started_at, lease_until) VALUES ($1, $2, $3, $4)
ON CONFLICT (day) DO UPDATE SET instance = EXCLUDED.instance, started_at = EXCLUDED.started_at,
    lease_until = EXCLUDED.lease_until, attempts = backup_runs.attempts + 1
WHERE backup_runs.finished_at IS NULL AND backup_runs.lease_until <= EXCLUDED.started_at
RETURNING attempts`, day, s.Instance, now, now.Add(s.lease())).Scan(&attempts)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil // done today, or another instance is at it
	}
	if err != nil {
		return false, fmt.Errorf("claim the day's backup: %w", err)
	}
	file := filepath.Join(s.Dir, FileName(now, s.Key.Encrypts()))
	start := time.Now()
	m, err := Create(ctx, s.URL, file, s.Key, s.Version)
	if err != nil {
		s.count("failed")
		// The day stays claimed until the lease runs out: then any instance tries again.
		s.DB.ExecContext(context.WithoutCancel(ctx), `UPDATE backup_runs SET last_error = $3 WHERE day = $1 AND instance = $2`,
			day, s.Instance, err.Error())
		return true, err
	}
	size := m.DumpBytes
	if fi, err := os.Stat(file); err == nil {
		size = fi.Size()
	}
	if _, err := s.DB.ExecContext(ctx, `
UPDATE backup_runs SET finished_at = $3, file = $4, bytes = $5, last_error = '' WHERE day = $1 AND instance = $2`,
		day, s.Instance, s.now().UTC(), filepath.Base(file), size); err != nil {
		return true, fmt.Errorf("record the backup %s: %w", file, err)
	}
	s.count("ok")
	s.Log.Info("backup taken", "file", file, "bytes", size, "tables", len(m.Tables), "attempt", attempts,
		"encrypted", m.Encrypted, "duration_ms", time.Since(start).Milliseconds())
	removed, err := Prune(s.Dir, s.Keep)
	if err != nil {
		return true, fmt.Errorf("prune %s: %w", s.Dir, err)
	}
	if len(removed) > 0 {
		s.Log.Info("old backups removed", "files", removed)
	}
	return true, nil
}

func (s *Scheduler) count(result string) {
	if s.runs != nil {
		s.runs.WithLabelValues(result).Inc()
	}
}

// Prune deletes all but the keep newest backups in dir, with their checksum files, and
// returns the names it deleted. Only files named as FileName names them are touched.
func Prune(dir string, keep int) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if e.Type().IsRegular() && strings.HasPrefix(n, "xingqu-") && (strings.HasSuffix(n, ".tar") || strings.HasSuffix(n, ".tar.age")) {
			names = append(names, n)
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(names))) // newest first: names carry the time
	var removed []string
	for i := keep; i < len(names); i++ {
		if err := os.Remove(filepath.Join(dir, names[i])); err != nil {
			return removed, err
		}
		os.Remove(filepath.Join(dir, names[i]+".sha256"))
		removed = append(removed, names[i])
	}
	return removed, nil
}

// LastSuccess is when the newest scheduled backup finished; zero when none has.
func LastSuccess(ctx context.Context, db *sql.DB) (time.Time, int64, error) {
	var t sql.NullTime
	var size sql.NullInt64
	err := db.QueryRowContext(ctx, `SELECT finished_at, bytes FROM backup_runs WHERE finished_at IS NOT NULL ORDER BY finished_at DESC LIMIT 1`).Scan(&t, &size)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, 0, nil
	}
	if err != nil {
		return time.Time{}, 0, fmt.Errorf("last backup: %w", err)
	}
	return t.Time, size.Int64, nil
}

// Stale returns an error describing a missing or too old backup, at most once every ten
// minutes so that a readiness probe polled every few seconds does not flood the log.
func (s *Scheduler) Stale(ctx context.Context) error {
	now := s.now()
	s.warnMu.Lock()
	defer s.warnMu.Unlock()
	if !s.lastWarn.IsZero() && now.Sub(s.lastWarn) < 10*time.Minute {
		return nil
	}
	last, _, err := LastSuccess(ctx, s.DB)
	if err != nil {
		return nil // the readiness check itself reports an unreachable database
	}
	var stale error
	switch age := now.Sub(last); {
	case last.IsZero():
		stale = fmt.Errorf("no scheduled backup has finished yet (XINGQU_BACKUP_DIR=%s)", s.Dir)
	case age > StaleAfter:
		stale = fmt.Errorf("the newest backup finished %s ago, at %s (more than %s)", age.Round(time.Minute), last.UTC().Format(time.RFC3339), StaleAfter)
	}
	if stale != nil {
		s.lastWarn = now
	}
	return stale
}

var (
	lastSuccessDesc = prometheus.NewDesc("xingqu_backup_last_success_timestamp_seconds",
		"When the newest scheduled backup finished (Unix time; 0: never), the same on every instance.", nil, nil)
	lastSizeDesc = prometheus.NewDesc("xingqu_backup_last_size_bytes", "Size of the newest scheduled backup file.", nil, nil)
)

// Register adds the scheduler's metrics to reg: runs by this instance, and the newest
// backup's time and size read from the database at scrape time.
func (s *Scheduler) Register(reg prometheus.Registerer) {
	s.runs = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "xingqu_backup_runs_total", Help: "Scheduled backups this instance took, by result (ok, failed).",
	}, []string{"result"})
	s.runs.WithLabelValues("ok")
	s.runs.WithLabelValues("failed")
	reg.MustRegister(s.runs, lastCollector{db: s.DB})
}

type lastCollector struct{ db *sql.DB }

func (c lastCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- lastSuccessDesc
	ch <- lastSizeDesc
}

func (c lastCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	last, size, err := LastSuccess(ctx, c.db)
	if err != nil {
		return
	}
	var ts float64
	if !last.IsZero() {
		ts = float64(last.Unix())
	}
	ch <- prometheus.MustNewConstMetric(lastSuccessDesc, prometheus.GaugeValue, ts)
	ch <- prometheus.MustNewConstMetric(lastSizeDesc, prometheus.GaugeValue, float64(size))
}
