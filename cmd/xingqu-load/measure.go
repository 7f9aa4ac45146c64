package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// clockTick is the unit of CPU times in /proc (USER_HZ, 100 on Linux).
const clockTick = 10 * time.Millisecond

// procCPU reads a process's CPU time from /proc/PID/stat: its own, and with children
// it waited for (a server's finished backends).
func procCPU(pid int) (own, withChildren time.Duration, ppid int, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, 0, err
	}
	// The command name may hold spaces; the fields after it are plain.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	// f[0] is field 3 (state): ppid is field 4, utime 14, stime 15, cutime 16, cstime 17.
	num := func(i int) int64 { n, _ := strconv.ParseInt(f[i-3], 10, 64); return n }
	ppid = int(num(4))
	own = time.Duration(num(14)+num(15)) * clockTick
	withChildren = own + time.Duration(num(16)+num(17))*clockTick
	return own, withChildren, ppid, nil
}

// serverCPU is the CPU time of a PostgreSQL server: the postmaster with the backends it
// reaped, and the backends alive now.
func serverCPU(postmaster int) (time.Duration, error) {
	_, total, _, err := procCPU(postmaster)
	if err != nil {
		return 0, err
	}
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		pid, err := strconv.Atoi(filepath.Base(d))
		if err != nil || pid == postmaster {
			continue
		}
		own, _, ppid, err := procCPU(pid)
		if err == nil && ppid == postmaster {
			total += own
		}
	}
	return total, nil
}

// postmasterPID finds the server's main process from its data directory.
func postmasterPID(ctx context.Context, db *sqlx.DB) (int, error) {
	var dir string
	if err := db.GetContext(ctx, &dir, `SHOW data_directory`); err != nil {
		return 0, err
	}
	b, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		return 0, fmt.Errorf("postmaster.pid (the load generator must run on the database's machine): %w", err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return strconv.Atoi(strings.TrimSpace(line))
}

// snapshot is what the run reads at the start and the end of the measured window.
type snapshot struct {
	at         time.Time
	serviceCPU time.Duration
	dbCPU      time.Duration
	commits    int64
	nextXID    int64 // the next transaction id: its advance counts transactions that wrote
}

func takeSnapshot(ctx context.Context, db *sqlx.DB, servicePID, postmaster int) (snapshot, error) {
	s := snapshot{at: time.Now()}
	var err error
	if s.serviceCPU, _, _, err = procCPU(servicePID); err != nil {
		return s, fmt.Errorf("service CPU: %w", err)
	}
	if s.dbCPU, err = serverCPU(postmaster); err != nil {
		return s, fmt.Errorf("database CPU: %w", err)
	}
	if err := db.GetContext(ctx, &s.commits, `SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()`); err != nil {
		return s, err
	}
	err = db.GetContext(ctx, &s.nextXID, `SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint`)
	return s, err
}

// statement is one line of pg_stat_statements.
type statement struct {
	Calls   int64   `db:"calls" json:"calls"`
	TotalMS float64 `db:"total_ms" json:"totalMs"`
	MeanMS  float64 `db:"mean_ms" json:"meanMs"`
	Buffers float64 `db:"buffers" json:"buffersPerCall"`
	Query   string  `db:"query" json:"query"`
}

// topStatements lists the statements that took most of the database's time since the
// last reset, or nothing when pg_stat_statements is not loaded.
func topStatements(ctx context.Context, db *sqlx.DB, n int) ([]statement, error) {
	var ss []statement
	err := db.SelectContext(ctx, &ss, `
SELECT calls, total_exec_time AS total_ms, mean_exec_time AS mean_ms,
       (shared_blks_hit + shared_blks_read)::float8 / greatest(calls, 1) AS buffers,
       left(regexp_replace(query, '\s+', ' ', 'g'), 110) AS query
FROM pg_stat_statements
WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
ORDER BY total_exec_time DESC LIMIT $1`, n)
	return ss, err
}

// statementsReady loads pg_stat_statements into the database and empties it; false
// when the server was not started with it.
func statementsReady(ctx context.Context, db *sqlx.DB) bool {
	if _, err := db.ExecContext(ctx, `CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err != nil {
		return false
	}
	_, err := db.ExecContext(ctx, `SELECT pg_stat_statements_reset()`)
	return err == nil
}
