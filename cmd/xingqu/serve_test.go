package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"xingqu/store/localpg"
	"xingqu/store/storetest"
)

// syncBuffer is written by the server goroutine while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serveOut keeps what each test's serve printed, by test name.
var serveOut sync.Map

// startServe runs `xingqu serve` in-process on a free port and returns its base URL;
// extra is more environment, as name, value pairs.
func startServe(t *testing.T, dbURL string, extra ...string) (base string, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"xingqu", "serve"}, env(append([]string{"DATABASE_URL", dbURL, "XINGQU_HTTP_ADDR", "127.0.0.1:0"}, extra...)...), nil, out, io.Discard)
	}()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if s := out.String(); strings.Contains(s, "listening on ") {
			base = strings.Fields(s[strings.Index(s, "listening on ")+len("listening on "):])[0]
			break
		}
		select {
		case err := <-errc:
			cancel()
			t.Fatalf("serve exited: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	if base == "" {
		cancel()
		t.Fatalf("serve did not announce its URL: %s", out.String())
	}
	serveOut.Store(t.Name(), out)
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() { cancel(); err = <-errc })
		return err
	}
	t.Cleanup(func() { stop() })
	return base, stop
}

func status(t *testing.T, url string) int {
	t.Helper()
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestServeHealthReadyMetrics(t *testing.T) {
	t.Parallel()
	base, stop := startServe(t, storetest.URL(t))
	if got := status(t, base+"/healthz"); got != 200 {
		t.Errorf("/healthz = %d, want 200", got)
	}
	if got := status(t, base+"/readyz"); got != 200 {
		t.Errorf("/readyz = %d, want 200", got)
	}
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`xingqu_http_requests_total{method="GET",route="GET /readyz",status="200"} 1`,
		"xingqu_http_request_duration_seconds_bucket",
		`go_sql_max_open_connections{db_name="xingqu"}`,
		"go_goroutines",
	} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if resp.Header.Get("X-Request-ID") == "" {
		t.Error("no X-Request-ID on the response")
	}
	if err := stop(); err != nil {
		t.Fatalf("serve returned %v after cancel, want nil", err)
	}
}

func TestServeFailsFastOnUnreachableDatabase(t *testing.T) {
	t.Parallel()
	start := time.Now()
	err := run(context.Background(), []string{"xingqu", "serve"},
		env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/x", "XINGQU_HTTP_ADDR", "127.0.0.1:0"), nil, io.Discard, io.Discard)
	if err == nil {
		t.Fatal("serve started with an unreachable database")
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("took %v to fail, want under 10 s", d)
	}
	if !strings.Contains(err.Error(), "DATABASE_URL") || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Fatalf("message %q should name DATABASE_URL and the server", err)
	}
}

func TestServeRejectsBadAddr(t *testing.T) {
	t.Parallel()
	err := run(context.Background(), []string{"xingqu", "serve"}, env("XINGQU_HTTP_ADDR", "nonsense"), nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "XINGQU_HTTP_ADDR") {
		t.Fatalf("err = %v, want one naming XINGQU_HTTP_ADDR", err)
	}
}

// Readiness follows the database: it drops while the server is down and comes back after
// it restarts, with no restart of xingqu.
func TestReadyzFollowsDatabase(t *testing.T) {
	t.Parallel()
	cl := storetest.NewCluster(t)
	ctx := context.Background()
	if err := cl.CreateDatabase(ctx, "app"); err != nil {
		t.Fatal(err)
	}
	base, _ := startServe(t, cl.URL("app"))
	if got := status(t, base+"/readyz"); got != 200 {
		t.Fatalf("/readyz = %d before stopping the database, want 200", got)
	}
	if err := cl.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()
	waitFor(t, 5*time.Second, func() bool { return status(t, base+"/readyz") == 503 })
	t.Logf("503 after %v", time.Since(stopped))
	if got := status(t, base+"/healthz"); got != 200 {
		t.Errorf("/healthz = %d with the database down, want 200 (the process is alive)", got)
	}
	if err := cl.Restart(ctx, localpg.Options{Fast: true}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, func() bool { return status(t, base+"/readyz") == 200 })
}

func waitFor(t *testing.T, within time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v", within)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestMigrateCommandRoundTrip(t *testing.T) {
	t.Parallel()
	url := storetest.URL(t)
	ctx := context.Background()
	var out bytes.Buffer
	do := func(args ...string) string {
		t.Helper()
		out.Reset()
		if err := run(ctx, append([]string{"xingqu", "migrate"}, args...), env("DATABASE_URL", url), nil, &out, io.Discard); err != nil {
			t.Fatalf("migrate %v: %v", args, err)
		}
		return out.String()
	}
	if s := do("status"); strings.Contains(s, "pending") {
		t.Fatalf("fresh test database has pending migrations:\n%s", s)
	}
	do("down")
	if s := do("status"); !strings.Contains(s, "pending") {
		t.Fatalf("after down, status shows nothing pending:\n%s", s)
	}
	if s := do("up"); !strings.Contains(s, "applied 1 migration") {
		t.Fatalf("up after down: %q", s)
	}
}

// TestChildServe is not a test of its own: TestSIGTERMFinishesInFlightRequest runs the
// test binary again with XINGQU_CHILD set, and this becomes a real xingqu process with a
// slow route, so that a real SIGTERM can be sent to it.
func TestChildServe(t *testing.T) {
	if os.Getenv("XINGQU_CHILD") == "" {
		t.Skip("helper process for TestSIGTERMFinishesInFlightRequest")
	}
	wrapHandler = func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/slow" {
				time.Sleep(2 * time.Second)
				fmt.Fprint(w, "finished")
				return
			}
			h.ServeHTTP(w, r)
		})
	}
	os.Args = []string{"xingqu", "serve"}
	os.Exit(mainExit())
}

func TestSIGTERMFinishesInFlightRequest(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildServe$")
	cmd.Env = append(os.Environ(), "XINGQU_CHILD=1", "DATABASE_URL="+storetest.URL(t), "XINGQU_HTTP_ADDR=127.0.0.1:0")
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	sc := bufio.NewScanner(stdout)
	var base string
	for sc.Scan() {
		if i := strings.Index(sc.Text(), "listening on "); i >= 0 {
			base = strings.TrimSpace(sc.Text()[i+len("listening on "):])
			break
		}
	}
	if base == "" {
		t.Fatal("child did not announce its URL")
	}
	go io.Copy(io.Discard, stdout)

	type result struct {
		body string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := http.Get(base + "/slow")
		if err != nil {
			done <- result{err: err}
			return
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		done <- result{string(b), err}
	}()
	time.Sleep(300 * time.Millisecond) // let the request reach the handler
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil || r.body != "finished" {
		t.Fatalf("in-flight request: body %q, err %v; want it to finish", r.body, r.err)
	}
	waitErr := make(chan error, 1)
	go func() { waitErr <- cmd.Wait() }()
	select {
	case err := <-waitErr:
		if err != nil {
			t.Fatalf("exit: %v, want status 0", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("process did not exit within 10 s of SIGTERM")
	}
	// New connections are refused once shutdown has begun.
	if status(t, base+"/healthz") != 0 {
		t.Error("server still accepts connections after exit")
	}
}

// The path `make run` takes: devdb start prints a URL to a private cluster, serve uses it.
func TestDevDBStartThenServe(t *testing.T) {
	t.Parallel()
	dir, err := os.MkdirTemp("", "xqdev")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o755)
	pgdir := dir + "/var/pg" // a parent that does not exist yet, as on a fresh clone
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, []string{"xingqu", "devdb", "start", pgdir}, env(), nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	defer run(ctx, []string{"xingqu", "devdb", "stop", pgdir}, env(), nil, io.Discard, io.Discard)
	url := strings.TrimSpace(out.String())
	// A second start finds the cluster running and hands out the same URL.
	out.Reset()
	if err := run(ctx, []string{"xingqu", "devdb", "start", pgdir}, env(), nil, &out, io.Discard); err != nil || strings.TrimSpace(out.String()) != url {
		t.Fatalf("second start: %q, %v; want %q", out.String(), err, url)
	}
	base, stop := startServe(t, url)
	if got := status(t, base+"/readyz"); got != 200 {
		t.Fatalf("/readyz = %d, want 200", got)
	}
	stop()
}
