//go:build scale

// The scale-out scenario of docs/operations.md, run by `make scale-test` (not by `make
// test`): PostgreSQL, PgBouncer in transaction mode, and three instances that reach the
// database through it, with DATABASE_DIRECT_URL for what needs a session. Travellers
// talk through all three at once; every conversation must come out exactly as it does
// for one traveller alone, with one Telegram poller and one daily backup.

package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	osuser "os/user"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"xingqu/store/storetest"
)

const (
	scaleWidgetTravellers = 90
	scaleTelegramChats    = 30
	scaleInstances        = 3
	scalePoolSize         = 40 // PgBouncer's server connections for the three instances' 60
)

// The conversation every traveller has: from a greeting to the trip's summary.
var scaleScript = []string{"hello", "I'd like to go to Lisbon", "next week, for 4 days", "2 people, budget 3000 yuan each"}

// startPgBouncer runs PgBouncer in transaction mode in front of the database u names
// and returns the URL of the pooled database.
func startPgBouncer(t *testing.T, u string) string {
	t.Helper()
	bin, err := exec.LookPath("pgbouncer")
	if err != nil {
		for _, p := range []string{"/usr/sbin/pgbouncer", "/usr/bin/pgbouncer"} {
			if _, err := os.Stat(p); err == nil {
				bin = p
			}
		}
	}
	if bin == "" {
		t.Fatal("pgbouncer not found: apt-get install pgbouncer")
	}
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	socketDir, dbname := pu.Query().Get("host"), strings.TrimPrefix(pu.Path, "/")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	dir, err := os.MkdirTemp("", "xqpgb")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o777)
	ini := fmt.Sprintf(`[databases]
xingqu = host=%s port=%s dbname=%s user=xingqu

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = trust
auth_file = %s/users.txt
pool_mode = transaction
default_pool_size = %d
max_client_conn = 500
logfile = %s/pgbouncer.log
pidfile = %s/pgbouncer.pid
`, socketDir, pu.Query().Get("port"), dbname, port, dir, scalePoolSize, dir, dir)
	os.WriteFile(filepath.Join(dir, "pgbouncer.ini"), []byte(ini), 0o644)
	os.WriteFile(filepath.Join(dir, "users.txt"), []byte(`"xingqu" ""`+"\n"), 0o644)
	cmd := exec.Command(bin, filepath.Join(dir, "pgbouncer.ini"))
	if os.Geteuid() == 0 { // PgBouncer refuses to run as root
		pg, err := osuser.Lookup("postgres")
		if err != nil {
			t.Fatal(err)
		}
		uid, _ := strconv.Atoi(pg.Uid)
		gid, _ := strconv.Atoi(pg.Gid)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(syscall.SIGINT); cmd.Wait() })
	waitFor(t, 10*time.Second, func() bool {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return fmt.Sprintf("postgres://xingqu@127.0.0.1:%d/xingqu?sslmode=disable&binary_parameters=yes", port)
}

// botAPI is a small Bot API: getUpdates from a queue with Telegram's offset rule, a
// conflict for a second poller, and every sendMessage recorded by chat.
type botAPI struct {
	srv *httptest.Server

	mu        sync.Mutex
	updates   []json.RawMessage
	nextID    int
	nextMsg   int
	polling   map[string]int
	pollers   map[string]int // instance -> getUpdates answered
	conflicts int
	sent      map[string][]string // chat -> texts, in order
}

func newBotAPI(t *testing.T) *botAPI {
	b := &botAPI{polling: map[string]int{}, pollers: map[string]int{}, sent: map[string][]string{}}
	b.srv = httptest.NewServer(http.HandlerFunc(b.serve))
	t.Cleanup(b.srv.Close)
	return b
}

func (b *botAPI) ok(w http.ResponseWriter, result any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": result})
}

func (b *botAPI) say(chat int64, text string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.nextID++
	u, _ := json.Marshal(map[string]any{"update_id": b.nextID, "message": map[string]any{
		"message_id": b.nextID, "date": time.Now().Unix(), "text": text,
		"chat": map[string]any{"id": chat, "type": "private"},
		"from": map[string]any{"id": chat, "is_bot": false, "first_name": "T", "language_code": "en"}}})
	b.updates = append(b.updates, u)
}

func (b *botAPI) texts(chat int64) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.sent[strconv.FormatInt(chat, 10)])
}

func (b *botAPI) serve(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	instance, method := parts[0], parts[len(parts)-1]
	r.ParseForm()
	switch method {
	case "getMe":
		b.ok(w, map[string]any{"id": 777, "is_bot": true, "first_name": "xingqu", "username": "xingqu_test_bot"})
	case "getUpdates":
		var offset, timeout int
		fmt.Sscan(r.PostForm.Get("offset"), &offset)
		fmt.Sscan(r.PostForm.Get("timeout"), &timeout)
		b.mu.Lock()
		for inst, n := range b.polling {
			if inst != instance && n > 0 {
				b.conflicts++
				b.mu.Unlock()
				w.WriteHeader(409)
				json.NewEncoder(w).Encode(map[string]any{"ok": false, "error_code": 409, "description": "Conflict: terminated by other getUpdates request"})
				return
			}
		}
		b.polling[instance]++
		b.pollers[instance]++
		b.mu.Unlock()
		defer func() { b.mu.Lock(); b.polling[instance]--; b.mu.Unlock() }()
		deadline := time.Now().Add(time.Duration(min(timeout, 1)) * time.Second)
		for {
			b.mu.Lock()
			var keep []json.RawMessage
			for _, u := range b.updates {
				var h struct {
					ID int `json:"update_id"`
				}
				json.Unmarshal(u, &h)
				if h.ID >= offset {
					keep = append(keep, u)
				}
			}
			b.updates = keep
			out := slices.Clone(keep)
			b.mu.Unlock()
			if len(out) > 0 || time.Now().After(deadline) {
				if out == nil {
					out = []json.RawMessage{}
				}
				b.ok(w, out)
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	case "sendMessage":
		chat := r.PostForm.Get("chat_id")
		b.mu.Lock()
		b.nextMsg++
		mid := b.nextMsg
		b.sent[chat] = append(b.sent[chat], r.PostForm.Get("text"))
		b.mu.Unlock()
		cid, _ := strconv.ParseInt(chat, 10, 64)
		b.ok(w, map[string]any{"message_id": mid, "date": time.Now().Unix(), "chat": map[string]any{"id": cid, "type": "private"}, "text": r.PostForm.Get("text")})
	case "editMessageText":
		cid, _ := strconv.ParseInt(r.PostForm.Get("chat_id"), 10, 64)
		mid, _ := strconv.Atoi(r.PostForm.Get("message_id"))
		b.ok(w, map[string]any{"message_id": mid, "date": time.Now().Unix(), "chat": map[string]any{"id": cid, "type": "private"}, "text": r.PostForm.Get("text")})
	default:
		b.ok(w, true)
	}
}

type transcriptLine struct{ Role, Text string }

func transcript(h []historyMessage) []transcriptLine {
	out := make([]transcriptLine, len(h))
	for i, m := range h {
		out[i] = transcriptLine{m.Role, m.Text}
	}
	return out
}

func percentile(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[int(float64(len(s)-1)*p)]
}

func TestScaleOut(t *testing.T) {
	direct := storetest.URL(t)
	pooled := direct
	if os.Getenv("XINGQU_SCALE_NO_POOLER") == "" { // set: the same scenario straight to PostgreSQL, to compare
		pooled = startPgBouncer(t, direct)
	}
	api := newBotAPI(t)
	backups := t.TempDir()
	var bases []string
	var logs []*syncBuffer
	t.Cleanup(func() {
		for i, l := range logs {
			p := filepath.Join(os.TempDir(), fmt.Sprintf("xingqu-scale-%d.log", i))
			os.WriteFile(p, []byte(l.String()), 0o644)
			t.Logf("instance %d log: %s", i, p)
		}
		if t.Failed() {
			for i, l := range logs {
				t.Logf("instance %d log (errors):", i)
				for _, line := range strings.Split(l.String(), "\n") {
					if strings.Contains(line, `"level":"ERROR"`) || strings.Contains(line, `"level":"WARN"`) {
						t.Log(line)
					}
				}
			}
		}
	})
	for i := 0; i < scaleInstances; i++ {
		base, log := startServeEnv(t, env("DATABASE_URL", pooled, "DATABASE_DIRECT_URL", direct, "XINGQU_HTTP_ADDR", "127.0.0.1:0",
			"TELEGRAM_BOT_TOKEN", "777:test", "TELEGRAM_API_ENDPOINT", api.srv.URL+"/i"+strconv.Itoa(i)+"/bot%s/%s",
			"XINGQU_BACKUP_DIR", backups, "NOMINATIM_BASE_URL", "off", "XINGQU_MESSAGE_RATE", "600", "XINGQU_SESSION_RATE", "10000"))
		bases = append(bases, base)
		logs = append(logs, log)
	}
	newTraveller := func(base string) widgetClient {
		c := widgetClient{t: t, base: base}
		resp, b := c.do("POST", "/api/widget/session", `{"lang":"en","timeZone":"Europe/Lisbon"}`)
		var sess struct {
			Token string `json:"sessionToken"`
		}
		if err := json.Unmarshal(b, &sess); err != nil || sess.Token == "" {
			t.Fatalf("session: %d %s", resp.StatusCode, b)
		}
		c.token = sess.Token
		return c
	}

	// What one traveller alone gets, one message at a time.
	ref := newTraveller(bases[0])
	for _, m := range scaleScript {
		ref.say(m)
	}
	want := transcript(ref.history())
	const refChat = 9000
	for i, m := range scaleScript {
		api.say(refChat, m)
		n := len(api.texts(refChat))
		waitFor(t, 20*time.Second, func() bool { return len(api.texts(refChat)) > n })
		if i < len(scaleScript)-1 {
			time.Sleep(1500 * time.Millisecond) // every reply to this message, before the next
		}
	}
	time.Sleep(2 * time.Second)
	wantTG := api.texts(refChat)
	t.Logf("reference conversation: %d widget messages, %d Telegram messages", len(want), len(wantTG))

	// Everyone at once: each traveller's messages go to the three instances in turn,
	// without waiting for answers, and its history is read from yet another one.
	// The server connections the instances hold, sampled while they work.
	mon, err := sql.Open("postgres", direct)
	if err != nil {
		t.Fatal(err)
	}
	defer mon.Close()
	var peakConns, peakLockWaits int
	stopMon := make(chan struct{})
	monDone := make(chan struct{})
	go func() {
		defer close(monDone)
		for {
			var n, w int
			if mon.QueryRow(`SELECT count(*) - 1, count(*) FILTER (WHERE wait_event_type = 'Lock') FROM pg_stat_activity WHERE datname = current_database()`).Scan(&n, &w) == nil {
				peakConns, peakLockWaits = max(peakConns, n), max(peakLockWaits, w)
			}
			select {
			case <-stopMon:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()

	start := time.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var done []time.Duration
	var failures []string
	sem := make(chan struct{}, 30)
	for w := 0; w < scaleWidgetTravellers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			c := newTraveller(bases[w%scaleInstances])
			t0 := time.Now()
			for i, m := range scaleScript {
				c.base = bases[(w+i)%scaleInstances]
				if resp, b := c.do("POST", "/api/widget/messages", `{"text":`+jsonString(m)+`}`); resp.StatusCode != 202 {
					mu.Lock()
					failures = append(failures, fmt.Sprintf("traveller %d, message %d: %d %s", w, i, resp.StatusCode, b))
					mu.Unlock()
					return
				}
			}
			c.base = bases[(w+1)%scaleInstances]
			var got []transcriptLine
			deadline := time.Now().Add(90 * time.Second)
			for time.Now().Before(deadline) {
				got = transcript(c.history())
				if len(got) >= len(want) {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			time.Sleep(500 * time.Millisecond) // a duplicate would show up now
			got = transcript(c.history())
			mu.Lock()
			defer mu.Unlock()
			if !slices.Equal(got, want) {
				failures = append(failures, fmt.Sprintf("traveller %d: transcript differs:\n got %q\nwant %q", w, got, want))
				return
			}
			done = append(done, time.Since(t0))
		}()
	}
	for ch := int64(1); ch <= scaleTelegramChats; ch++ {
		for _, m := range scaleScript {
			api.say(ch, m)
		}
	}
	wg.Wait()
	widgetWall := time.Since(start)
	deadline := time.Now().Add(120 * time.Second)
	for ch := int64(1); ch <= scaleTelegramChats; ch++ {
		for time.Now().Before(deadline) && len(api.texts(ch)) < len(wantTG) {
			time.Sleep(100 * time.Millisecond)
		}
	}
	time.Sleep(2 * time.Second)
	tgWall := time.Since(start)
	close(stopMon)
	<-monDone
	for ch := int64(1); ch <= scaleTelegramChats; ch++ {
		if got := api.texts(ch); !slices.Equal(got, wantTG) {
			failures = append(failures, fmt.Sprintf("chat %d: %d messages sent, want %d:\n got %q\nwant %q\n%s", ch, len(got), len(wantTG), got, wantTG, outboxOf(t, direct, ch)))
		}
	}
	for _, f := range failures {
		t.Error(f)
	}

	api.mu.Lock()
	pollers, conflicts := len(api.pollers), api.conflicts
	api.mu.Unlock()
	if pollers != 1 || conflicts != 0 {
		t.Errorf("getUpdates came from %d instances with %d conflicts; want one poller", pollers, conflicts)
	}
	files, _ := filepath.Glob(filepath.Join(backups, "xingqu-*.tar"))
	if len(files) != 1 {
		t.Errorf("backups taken: %v, want one", files)
	}

	turns := scaleWidgetTravellers * len(scaleScript)
	if len(done) > 0 {
		t.Logf("widget: %d travellers x %d messages = %d turns through %d instances in %v: %.0f turns/s; a conversation complete after p50 %v, p95 %v, max %v",
			scaleWidgetTravellers, len(scaleScript), turns, scaleInstances, widgetWall.Round(time.Millisecond),
			float64(turns)/widgetWall.Seconds(), percentile(done, 0.5).Round(time.Millisecond), percentile(done, 0.95).Round(time.Millisecond),
			percentile(done, 1).Round(time.Millisecond))
	}
	t.Logf("PostgreSQL connections of the three instances (and PgBouncer), at most: %d, of which waiting for a row lock: %d", peakConns, peakLockWaits)
	t.Logf("telegram: %d chats x %d messages, all %d replies each sent by one poller within %v of the start", scaleTelegramChats,
		len(scaleScript), len(wantTG), tgWall.Round(time.Millisecond))
}

// outboxOf lists a chat's outbox rows in the order they were written, with the order
// they were sent in, and the traveller's messages in the order they were stored.
func outboxOf(t *testing.T, u string, chat int64) string {
	db, err := sql.Open("postgres", u)
	if err != nil {
		return err.Error()
	}
	defer db.Close()
	var b strings.Builder
	rows, err := db.Query(`SELECT id, message_id, left(params->>'text', 24), created_at, done_at FROM outbox WHERE chat_id = $1 ORDER BY id`, strconv.FormatInt(chat, 10))
	if err != nil {
		return err.Error()
	}
	for rows.Next() {
		var id, mid int64
		var text string
		var created, done time.Time
		rows.Scan(&id, &mid, &text, &created, &done)
		fmt.Fprintf(&b, "  outbox %d sent as %d: %q created %s done %s\n", id, mid, text, created.Format("15:04:05.000"), done.Format("15:04:05.000"))
	}
	rows.Close()
	rows, err = db.Query(`SELECT i.id, i.payload->>'text', i.received_at, i.handled_at FROM inbox i JOIN conversations c ON c.id = i.conversation_id JOIN travellers tr ON tr.id = c.traveller_id WHERE tr.channel = 'telegram' AND tr.external_id = $1 ORDER BY i.id`, strconv.FormatInt(chat, 10))
	if err != nil {
		return b.String() + err.Error()
	}
	for rows.Next() {
		var id int64
		var text sql.NullString
		var rec, handled time.Time
		rows.Scan(&id, &text, &rec, &handled)
		fmt.Fprintf(&b, "  inbox %d %q received %s handled %s\n", id, text.String, rec.Format("15:04:05.000"), handled.Format("15:04:05.000"))
	}
	rows.Close()
	return b.String()
}
