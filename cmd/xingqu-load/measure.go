package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"xingqu/store"

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
	a, err := store.GetActivity(ctx, db)
	s.commits, s.nextXID = a.Commits, a.NextXID
	return s, err
}

// statementsReady loads pg_stat_statements into the database and empties it; false
// when the server was not started with it.
func statementsReady(ctx context.Context, db *sqlx.DB) bool {
	return store.ResetStatements(ctx, db, true) == nil
}
