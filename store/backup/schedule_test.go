package backup

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"xingqu/store/storetest"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// instance is a scheduler with a connection pool of its own, as a separate process has.
func instance(t *testing.T, u, name, dir string, clock *fakeClock) *Scheduler {
	t.Helper()
	db, err := sql.Open("postgres", u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &Scheduler{DB: db, URL: u, Dir: dir, Keep: 2, Version: "test", Instance: name, Now: clock.Now,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

func TestDailyBackupOnceAcrossInstances(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	u := storetest.URL(t)
	dir := t.TempDir()
	clock := &fakeClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	a, b := instance(t, u, "a", dir, clock), instance(t, u, "b", dir, clock)
	const days = 3
	for day := 0; day < days; day++ {
		taken := 0
		for look := 0; look < 4; look++ { // both instances look at the same moments, four times a day
			var wg sync.WaitGroup
			var mu sync.Mutex
			for _, s := range []*Scheduler{a, b} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					took, err := s.Tick(ctx)
					if err != nil {
						t.Errorf("day %d, %s: %v", day, s.Instance, err)
					}
					if took {
						mu.Lock()
						taken++
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			clock.Advance(10 * time.Minute)
		}
		if taken != 1 {
			t.Errorf("day %d: %d backups taken, want 1", day, taken)
		}
		clock.Advance(24*time.Hour - 40*time.Minute)
	}
	rows, err := a.DB.Query(`SELECT day, attempts, finished_at IS NOT NULL, file FROM backup_runs ORDER BY day`)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for rows.Next() {
		var day time.Time
		var attempts int
		var done bool
		var file string
		if err := rows.Scan(&day, &attempts, &done, &file); err != nil {
			t.Fatal(err)
		}
		if attempts != 1 || !done {
			t.Errorf("%s: attempts %d, finished %v", day.Format(time.DateOnly), attempts, done)
		}
		files = append(files, file)
	}
	rows.Close()
	if len(files) != days {
		t.Fatalf("backup_runs has %d days, want %d", len(files), days)
	}
	// Keep is 2: the first day's backup is gone, the last two are there with checksums.
	left, _ := filepath.Glob(filepath.Join(dir, "*"))
	var names []string
	for _, p := range left {
		names = append(names, filepath.Base(p))
	}
	want := []string{files[1], files[1] + ".sha256", files[2], files[2] + ".sha256"}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("backup folder holds %v, want %v", names, want)
	}
	if _, err := ReadManifest(filepath.Join(dir, files[2]), Key{}); err != nil {
		t.Errorf("newest scheduled backup: %v", err)
	}
}

func TestDeadInstanceLeaseIsTakenOver(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	u := storetest.URL(t)
	clock := &fakeClock{t: time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)}
	s := instance(t, u, "b", t.TempDir(), clock)
	// Instance a claimed the day and died before finishing.
	if _, err := s.DB.Exec(`INSERT INTO backup_runs (day, instance, started_at, lease_until) VALUES ('2026-03-01', 'a', $1, $2)`,
		clock.Now(), clock.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	clock.Advance(30 * time.Minute)
	if took, err := s.Tick(ctx); took || err != nil {
		t.Fatalf("within a's lease: took %v, err %v; want neither", took, err)
	}
	clock.Advance(31 * time.Minute)
	if took, err := s.Tick(ctx); !took || err != nil {
		t.Fatalf("after a's lease: took %v, err %v; want the backup", took, err)
	}
	var who string
	var attempts int
	s.DB.QueryRow(`SELECT instance, attempts FROM backup_runs WHERE finished_at IS NOT NULL`).Scan(&who, &attempts)
	if who != "b" || attempts != 2 {
		t.Errorf("finished by %q on attempt %d, want b on attempt 2", who, attempts)
	}
}

func TestStaleBackupIsReported(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	u := storetest.URL(t)
	clock := &fakeClock{t: time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)}
	s := instance(t, u, "a", t.TempDir(), clock)
	if err := s.Stale(ctx); err == nil || !strings.Contains(err.Error(), "no scheduled backup") {
		t.Errorf("before any backup: %v", err)
	}
	if _, err := s.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	clock.Advance(25 * time.Hour)
	if err := s.Stale(ctx); err != nil {
		t.Errorf("25 hours after a backup: %v, want none", err)
	}
	clock.Advance(2 * time.Hour)
	err := s.Stale(ctx)
	if err == nil || !strings.Contains(err.Error(), "27h0m0s ago") {
		t.Errorf("27 hours after a backup: %v", err)
	}
	if err := s.Stale(ctx); err != nil {
		t.Errorf("asked again at once: %v, want silence for ten minutes", err)
	}
}
