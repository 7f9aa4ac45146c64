package httpapi

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"xingqu/channel/web"
	"xingqu/dialog"
	"xingqu/pipeline"
	"xingqu/providers/geo"
	"xingqu/store"
	"xingqu/store/storetest"
)

// streamClientEnv, set to a server's URL, makes the test binary a stream client instead
// of running tests (see TestMain): the benchmark's clients run in a process of their own
// so that the server's memory and CPU figures are the server's alone.
const streamClientEnv = "XINGQU_STREAM_CLIENT"

// procStats is what one process costs at a moment.
type procStats struct {
	HeapInuse  uint64        `json:"heapInuse"`
	Goroutines int           `json:"goroutines"`
	RSS        uint64        `json:"rss"`
	CPU        time.Duration `json:"cpu"` // user + system since the process started
}

func readProcStats() procStats {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	st := procStats{HeapInuse: ms.HeapInuse, Goroutines: runtime.NumGoroutine(),
		CPU: time.Duration(ru.Utime.Nano() + ru.Stime.Nano())}
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) == 3 && f[0] == "VmRSS:" {
				kb, _ := strconv.ParseUint(f[1], 10, 64)
				st.RSS = kb << 10
			}
		}
	}
	return st
}

// raiseNoFile lifts the open-files limit to its hard maximum: every stream is a socket,
// at both ends.
func raiseNoFile(need uint64) error {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return err
	}
	rl.Cur = rl.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return err
	}
	if rl.Cur < need {
		return fmt.Errorf("open-files limit %d, need %d: raise the hard limit (ulimit -Hn)", rl.Cur, need)
	}
	return nil
}

// streamClient holds one widget event stream per token read from stdin (ended by an empty
// line), says "open" when all are open, then answers commands: "stats" with its procStats,
// "recv" with when each stream got its first message (Unix nanoseconds, 0 for none).
func streamClient(base string) int {
	in := bufio.NewScanner(os.Stdin)
	var toks []string
	for in.Scan() && in.Text() != "" {
		toks = append(toks, in.Text())
	}
	if err := raiseNoFile(uint64(len(toks)) + 100); err != nil {
		fmt.Fprintln(os.Stderr, "stream client:", err)
		return 2
	}
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	recv := make([]int64, len(toks))
	var opened, got sync.WaitGroup
	opened.Add(len(toks))
	got.Add(len(toks))
	dial := make(chan struct{}, 32) // a connection storm would only measure the listen backlog
	for i, tok := range toks {
		go func() {
			dial <- struct{}{}
			req, _ := http.NewRequest("GET", base+"/api/widget/events", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := client.Do(req)
			<-dial
			if err != nil || resp.StatusCode != 200 {
				fmt.Fprintln(os.Stderr, "stream client: open:", err, resp)
				os.Exit(2)
			}
			br := bufio.NewReader(resp.Body)
			if _, err := br.ReadString('\n'); err != nil {
				fmt.Fprintln(os.Stderr, "stream client: first line:", err)
				os.Exit(2)
			}
			opened.Done()
			for {
				line, err := br.ReadString('\n')
				if err != nil {
					return
				}
				if strings.HasPrefix(line, "event: message") {
					recv[i] = time.Now().UnixNano()
					got.Done()
					break
				}
			}
			io.Copy(io.Discard, br)
		}()
	}
	opened.Wait()
	fmt.Println("open")
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		switch in.Text() {
		case "stats":
			out.Encode(readProcStats())
		case "recv":
			done := make(chan struct{})
			go func() { got.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(time.Minute):
			}
			out.Encode(recv)
		}
	}
	return 0
}

// postgresCPU reads the CPU time of each process of the PostgreSQL server db is
// connected to: the postmaster and every process it started. It reads /proc, so the
// server must be local.
func postgresCPU(ctx context.Context, db *store.DB) (map[int]time.Duration, error) {
	var backend int
	if err := db.GetContext(ctx, &backend, `SELECT pg_backend_pid()`); err != nil {
		return nil, err
	}
	stat := func(pid int) (ppid int, cpu time.Duration, ok bool) {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return 0, 0, false
		}
		// The command name may hold spaces: fields are counted after its closing paren.
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		ppid, _ = strconv.Atoi(f[1])
		u, _ := strconv.ParseInt(f[11], 10, 64)
		s, _ := strconv.ParseInt(f[12], 10, 64)
		return ppid, time.Duration(u+s) * time.Second / 100, true // USER_HZ is 100 on Linux
	}
	postmaster, _, ok := stat(backend)
	if !ok {
		return nil, fmt.Errorf("PostgreSQL backend %d is not a local process", backend)
	}
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	out := map[int]time.Duration{}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ppid, cpu, ok := stat(pid); ok && (ppid == postmaster || pid == postmaster) {
			out[pid] = cpu
		}
	}
	return out, nil
}

// cpuBetween is the CPU the processes alive at the end used since the start. A process
// that exited in between (an idle pool connection closed) is missed: a small undercount.
func cpuBetween(start, end map[int]time.Duration) time.Duration {
	var d time.Duration
	for pid, cpu := range end {
		d += cpu - start[pid]
	}
	return d
}

// BenchmarkWidgetStreams holds 1,000 widget event streams open on one server, then
// commits one message to every conversation at once and times its arrival on every
// stream. It is one round whatever b.N is: run it with -benchtime=1x.
//
// The clients run in a child process, so the server process's figures are the HTTP
// server, the event hub with its LISTEN connection, the database pool and this harness;
// PostgreSQL's CPU is measured apart.
func BenchmarkWidgetStreams(b *testing.B) {
	const (
		streams = 1000
		hold    = 30 * time.Second // two polls and one heartbeat of every stream
	)
	if err := raiseNoFile(2*streams + 200); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	url := storetest.URL(b)
	db, err := store.Open(ctx, url, store.PoolConfig{}) // the pool `serve` runs with
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	listener := store.NewListener(url, log)
	defer listener.Close()
	s := New(Config{DB: db, Log: log, Version: "bench",
		Pipeline: &pipeline.Pipeline{DB: db, Engine: &dialog.Engine{Places: geo.Places{}}, Log: log},
		Web: web.Config{Listener: listener, SessionRate: 1 << 30,
			StreamsPerAddr: 1 << 30}}) // every client is on 127.0.0.1
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	defer s.Close()

	// Sessions are made the way the widget makes them.
	toks, convs := make([]string, streams), make([]int64, streams)
	var wg sync.WaitGroup
	errs := make(chan error, streams)
	work := make(chan int)
	for range 16 {
		wg.Go(func() {
			for i := range work {
				resp, err := http.Post(ts.URL+"/api/widget/session", "application/json", strings.NewReader(`{"lang":"zh"}`))
				if err != nil {
					errs <- err
					continue
				}
				var ws widgetSession
				json.NewDecoder(resp.Body).Decode(&ws)
				resp.Body.Close()
				if resp.StatusCode != 201 {
					errs <- fmt.Errorf("session: %d", resp.StatusCode)
				}
				toks[i], convs[i] = ws.Token, ws.ConversationID
			}
		})
	}
	for i := range streams {
		work <- i
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	http.DefaultClient.CloseIdleConnections()

	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), streamClientEnv+"="+ts.URL)
	cmd.Stderr = os.Stderr
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	lines := bufio.NewScanner(stdout)
	lines.Buffer(make([]byte, 1<<20), 1<<20)
	ask := func(cmd string, v any) {
		b.Helper()
		fmt.Fprintln(stdin, cmd)
		if !lines.Scan() {
			b.Fatalf("stream client: no answer to %q", cmd)
		}
		if err := json.Unmarshal(lines.Bytes(), v); err != nil {
			b.Fatalf("stream client: %v in %s", err, lines.Bytes())
		}
	}

	before := readProcStats()
	start := time.Now()
	fmt.Fprintln(stdin, strings.Join(toks, "\n")+"\n")
	if !lines.Scan() || lines.Text() != "open" {
		b.Fatalf("stream client did not open its streams: %q", lines.Text())
	}
	opening := time.Since(start)
	subscribed, _, _ := s.widget.Subscriptions()
	if subscribed != streams {
		b.Fatalf("%d conversations subscribed, want %d", subscribed, streams)
	}

	// Hold: nothing happens but heartbeats and the safety-net polls.
	var c0, c1 procStats
	srv0 := readProcStats()
	ask("stats", &c0)
	pg0, pgErr := postgresCPU(ctx, db)
	time.Sleep(hold)
	srv1 := readProcStats()
	ask("stats", &c1)
	pg1, _ := postgresCPU(ctx, db)
	var conns, listeners int
	if err := db.GetContext(ctx, &conns, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()`); err != nil {
		b.Fatal(err)
	}
	// The listener's last statement is a LISTEN, or the empty query lib/pq pings with;
	// the pool's connections run neither.
	if err := db.GetContext(ctx, &listeners, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND (query LIKE 'LISTEN%' OR query = '')`); err != nil {
		b.Fatal(err)
	}
	if listeners != 1 {
		b.Errorf("%d LISTEN connections for %d streams, want 1", listeners, streams)
	}

	// One message to every conversation in one transaction: all the notifications are
	// delivered at its commit. The clock starts before the commit, so the figures include it.
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range convs {
		if _, err := store.AddMessage(ctx, tx, c, "system", "维护通知：今晚 23:00 起暂停服务 30 分钟", store.MessageBody{Kind: dialog.ReplyText}); err != nil {
			b.Fatal(err)
		}
		if err := store.Notify(ctx, tx, store.ConversationChannel, strconv.FormatInt(c, 10)); err != nil {
			b.Fatal(err)
		}
	}
	sent := time.Now()
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	var recv []int64
	ask("recv", &recv)
	srv2 := readProcStats()
	var lat []time.Duration
	for _, r := range recv {
		if r == 0 {
			b.Errorf("a stream got no message within a minute")
			continue
		}
		lat = append(lat, time.Duration(r-sent.UnixNano()))
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(float64(len(lat))*p))] }
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	perStream := func(a, z uint64) float64 { return (float64(z) - float64(a)) / streams / 1024 }
	cpuPct := func(a, z time.Duration) float64 { return 100 * float64(z-a) / float64(hold) }

	b.ReportMetric(ms(pct(0.50)), "p50-ms")
	b.ReportMetric(ms(pct(0.99)), "p99-ms")
	b.ReportMetric(perStream(before.HeapInuse, srv0.HeapInuse), "server-heap-KiB/stream")
	b.ReportMetric(float64(srv0.Goroutines-before.Goroutines)/streams, "server-goroutines/stream")
	b.ReportMetric(cpuPct(srv0.CPU, srv1.CPU), "server-cpu-%-hold")
	b.Logf("%d streams opened in %v (32 dials at a time); %d database connections, %d of them listening",
		streams, opening.Round(time.Millisecond), conns, listeners)
	b.Logf("delivery of one message to every stream: p50 %.1f ms, p99 %.1f ms, max %.1f ms (from just before the commit)",
		ms(pct(0.50)), ms(pct(0.99)), ms(lat[len(lat)-1]))
	b.Logf("server process: heap in use %.1f -> %.1f MiB (%.1f KiB/stream), goroutines %d -> %d (%.2f/stream), RSS %.1f -> %.1f MiB (%.1f KiB/stream)",
		mib(before.HeapInuse), mib(srv0.HeapInuse), perStream(before.HeapInuse, srv0.HeapInuse),
		before.Goroutines, srv0.Goroutines, float64(srv0.Goroutines-before.Goroutines)/streams,
		mib(before.RSS), mib(srv0.RSS), perStream(before.RSS, srv0.RSS))
	b.Logf("server process CPU: %v over the %v hold (%.2f%% of one core); %v for the delivery",
		(srv1.CPU - srv0.CPU).Round(time.Millisecond), hold, cpuPct(srv0.CPU, srv1.CPU), (srv2.CPU - srv1.CPU).Round(time.Millisecond))
	b.Logf("client process: heap in use %.1f MiB, goroutines %d, RSS %.1f MiB; CPU %v over the hold (%.2f%% of one core)",
		mib(c0.HeapInuse), c0.Goroutines, mib(c0.RSS), (c1.CPU - c0.CPU).Round(time.Millisecond), cpuPct(c0.CPU, c1.CPU))
	if pgErr == nil {
		pg := cpuBetween(pg0, pg1)
		b.Logf("PostgreSQL (all its processes): CPU %v over the hold (%.2f%% of one core)", pg.Round(time.Millisecond), cpuPct(0, pg))
	} else {
		b.Logf("PostgreSQL CPU not measured: %v", pgErr)
	}
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }
