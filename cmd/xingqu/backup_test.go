package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"xingqu/store/backup"
	"xingqu/store/storetest"
)

// fillEmpty gives a row to each table the conversation left empty, so that the backup
// covers every table.
var fillEmpty = []struct{ table, insert string }{
	{"accounts", `INSERT INTO accounts (username, password_hash, role) VALUES ('amy', 'x', 'agent')`},
	{"refresh_tokens", `INSERT INTO refresh_tokens (account_id, family, token_hash, expires_at) SELECT min(id), gen_random_uuid(), '\x01', now() + interval '1 day' FROM accounts`},
	{"signing_keys", `INSERT INTO signing_keys (id, secret) VALUES (1, '\x000102030405060708090a0b0c0d0e0f')`},
	{"login_throttle", `INSERT INTO login_throttle (key, failures) VALUES ('ip:192.0.2.1', 2)`},
	{"jobs", `INSERT INTO jobs (kind, conversation_id, done_at) SELECT 'test', min(id), now() FROM conversations`},
	{"plans", `INSERT INTO plans (conversation_id, version, plan) SELECT min(id), 1, '{}' FROM conversations`},
	{"emergencies", `INSERT INTO emergencies (conversation_id, text) SELECT min(id), 'lost passport' FROM conversations`},
	{"feedback", `INSERT INTO feedback (conversation_id, rating) SELECT min(id), 5 FROM conversations`},
	{"subscriptions", `INSERT INTO subscriptions (traveller_id) SELECT min(id) FROM travellers`},
	{"cache", `INSERT INTO cache VALUES ('geo:lisbon', '\x7b7d', now() + interval '1 day')`},
	{"outbox", `INSERT INTO outbox (traveller_id, conversation_id, chat_id, method, state) SELECT traveller_id, id, '42', 'sendMessage', 'sent' FROM conversations LIMIT 1`},
	// Queued by the outbox's trigger; a restore must not queue it twice.
	{"outbox_queue", `INSERT INTO outbox (chat_id, method, state) VALUES ('43', 'sendMessage', 'pending')`},
	{"telegram_updates", `INSERT INTO telegram_updates (update_id, payload, processed_at) VALUES (1, '{}', now())`},
	{"telegram_state", `INSERT INTO telegram_state VALUES ('offset', 2)`},
	{"telegram_callbacks", `INSERT INTO telegram_callbacks (action) VALUES ('plan:1')`},
	{"announcements", `INSERT INTO announcements (type, title, body, impact, starts_at) VALUES ('feature', 't', 'b', 'none', now())`},
	{"token_spend", `INSERT INTO token_spend (spender, day, tokens) VALUES ('tg:42', '2026-01-01', 1200)`},
	{"inbox_readings", `INSERT INTO inbox_readings (inbox_id, done) SELECT min(id), true FROM inbox`},
	{"cases", `INSERT INTO cases (conversation_id, kind, priority) SELECT min(id), 'emergency', 'urgent' FROM conversations`},
	{"case_notes", `INSERT INTO case_notes (case_id, author, text) SELECT min(id), 'system', 'opened' FROM cases`},
	{"weather_alerts", `INSERT INTO weather_alerts (conversation_id, day, hazard) SELECT min(id), '2026-01-02', 'storm' FROM conversations`},
	{"daily_runs", `INSERT INTO daily_runs (name, day) VALUES ('weather', '2026-01-01')`},
	{"announcement_updates", `INSERT INTO announcement_updates (announcement_id, body) SELECT min(id), 'half done' FROM announcements`},
	{"retired_totals", `INSERT INTO retired_totals (month, channel, travellers) VALUES ('2025-01-01', 'web', 3)`},
	{"backup_runs", `INSERT INTO backup_runs (day, instance, started_at, lease_until, finished_at) VALUES ('2026-01-01', 'a', now(), now(), now())`},
}

func rowCounts(t *testing.T, u string) map[string]int64 {
	t.Helper()
	db, err := sql.Open("postgres", u)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	rows.Close()
	counts := map[string]int64{}
	for _, n := range names {
		var c int64
		if err := db.QueryRow("SELECT count(*) FROM " + pq.QuoteIdentifier(n)).Scan(&c); err != nil {
			t.Fatal(err)
		}
		counts[n] = c
	}
	return counts
}

// emptyDatabase creates a database with nothing in it beside the one u names.
func emptyDatabase(t *testing.T, u string) string {
	t.Helper()
	db, err := sql.Open("postgres", u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var b [6]byte
	rand.Read(b[:])
	name := "xq_restore_" + hex.EncodeToString(b[:])
	if _, err := db.Exec("CREATE DATABASE " + name + " TEMPLATE template0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)") })
	pu, _ := url.Parse(u)
	pu.Path = "/" + name
	return pu.String()
}

type widgetClient struct {
	t     *testing.T
	base  string
	token string
}

func (c widgetClient) do(method, path, body string) (*http.Response, []byte) {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, b
}

type historyMessage struct {
	ID   int64  `json:"id"`
	Role string `json:"role"`
	Text string `json:"text"`
}

func (c widgetClient) history() []historyMessage {
	c.t.Helper()
	resp, b := c.do("GET", "/api/widget/messages", "")
	if resp.StatusCode != 200 {
		c.t.Fatalf("history: %d %s", resp.StatusCode, b)
	}
	var h struct{ Messages []historyMessage }
	if err := json.Unmarshal(b, &h); err != nil {
		c.t.Fatal(err)
	}
	return h.Messages
}

// say posts text and waits for the bot's answer to it.
func (c widgetClient) say(text string) []historyMessage {
	c.t.Helper()
	before := len(c.history())
	if resp, b := c.do("POST", "/api/widget/messages", `{"text":`+jsonString(text)+`}`); resp.StatusCode != 202 {
		c.t.Fatalf("post %q: %d %s", text, resp.StatusCode, b)
	}
	var h []historyMessage
	waitFor(c.t, 15*time.Second, func() bool {
		h = c.history()
		return len(h) >= before+2 && h[len(h)-1].Role == "bot"
	})
	return h
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func runCmd(t *testing.T, getenv func(string) string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), append([]string{"xingqu"}, args...), getenv, nil, &out, io.Discard)
	return out.String(), err
}

// TestBackupRestoreRoundTrip is the restore test the operations guide promises: every
// table holds data, the backup restores into an empty database with the same rows, and
// the service started on the copy carries on the travellers' conversations.
func TestBackupRestoreRoundTrip(t *testing.T) {
	t.Parallel()
	src := storetest.URL(t)
	base, stop := startServe(t, src)
	c := widgetClient{t: t, base: base}
	resp, b := c.do("POST", "/api/widget/session", `{"lang":"en"}`)
	var sess struct {
		Token string `json:"sessionToken"`
	}
	if err := json.Unmarshal(b, &sess); err != nil || resp.StatusCode != 200 && resp.StatusCode != 201 {
		t.Fatalf("session: %d %s", resp.StatusCode, b)
	}
	c.token = sess.Token
	c.say("hello")
	want := c.say("I'd like to go to Lisbon")
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	db, err := sql.Open("postgres", src)
	if err != nil {
		t.Fatal(err)
	}
	counts := rowCounts(t, src)
	for _, f := range fillEmpty {
		if counts[f.table] == 0 {
			if _, err := db.Exec(f.insert); err != nil {
				t.Fatalf("fill %s: %v", f.table, err)
			}
		}
	}
	db.Close()
	srcCounts := rowCounts(t, src)
	for table, n := range srcCounts {
		if n == 0 {
			t.Errorf("table %s is empty before the backup: give it a row in fillEmpty", table)
		}
	}

	secret, public, err := backup.NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	const passphrase = "a long passphrase for the backups"
	dir := t.TempDir()
	for _, tc := range []struct {
		name, makeKey, openKey, wrongKey string
	}{
		{"plain", "", "", ""},
		{"age key", public, secret, passphrase},
		// Passphrases (scrypt, about a second a try) are covered in store/backup.
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".tar")
			out, err := runCmd(t, env("DATABASE_URL", src, "XINGQU_BACKUP_KEY", tc.makeKey), "backup", "--out", file)
			if err != nil {
				t.Fatalf("backup: %v", err)
			}
			if !strings.Contains(out, "wrote "+file) {
				t.Errorf("backup said %q", out)
			}
			dst := emptyDatabase(t, src)
			out, err = runCmd(t, env("DATABASE_URL", dst, "XINGQU_BACKUP_KEY", tc.openKey), "restore", file)
			if err != nil {
				t.Fatalf("restore: %v", err)
			}
			if !strings.Contains(out, "migrations: current") || !strings.Contains(out, " messages\n") {
				t.Errorf("restore report:\n%s", out)
			}
			got := rowCounts(t, dst)
			for table, n := range srcCounts {
				if got[table] != n {
					t.Errorf("%s: %d rows restored, %d backed up", table, got[table], n)
				}
			}
			if out, err := runCmd(t, env("DATABASE_URL", src, "XINGQU_BACKUP_KEY", tc.openKey), "backup", "verify", file); err != nil || !strings.Contains(out, "verified") {
				t.Errorf("backup verify: %v\n%s", err, out)
			}
			// A second restore into the same database is refused without --force.
			if _, err := runCmd(t, env("DATABASE_URL", dst, "XINGQU_BACKUP_KEY", tc.openKey), "restore", file); err == nil || !strings.Contains(err.Error(), "--force") {
				t.Errorf("restore over a restored database: %v, want a refusal naming --force", err)
			}

			// The restored copy serves the same conversation and carries it on.
			base, _ := startServe(t, dst)
			rc := widgetClient{t: t, base: base, token: c.token}
			if got := rc.history(); !sameMessages(got, want) {
				t.Errorf("restored history %v, want %v", got, want)
			}
			rc.say("next week, for 4 days")

			if tc.makeKey == "" {
				return
			}
			for _, args := range [][]string{{"restore", file}, {"backup", "verify", file}} {
				_, err := runCmd(t, env("DATABASE_URL", emptyDatabase(t, src), "XINGQU_BACKUP_KEY", tc.wrongKey), args...)
				if err == nil || !strings.Contains(err.Error(), "XINGQU_BACKUP_KEY") || !strings.Contains(err.Error(), "not the key") {
					t.Errorf("%s with the wrong key: %v", args[0], err)
				}
			}
		})
	}

	// A copy cut short fails both commands clearly, with or without its checksum file.
	whole, err := os.ReadFile(filepath.Join(dir, "age-key.tar"))
	if err != nil {
		t.Fatal(err)
	}
	short := filepath.Join(dir, "short.tar")
	os.WriteFile(short, whole[:len(whole)-len(whole)/3], 0o600)
	for _, withSum := range []bool{false, true} {
		if withSum {
			sum, _ := os.ReadFile(filepath.Join(dir, "age-key.tar.sha256"))
			os.WriteFile(short+".sha256", bytes.Replace(sum, []byte("age-key.tar"), []byte("short.tar"), 1), 0o600)
		}
		for _, args := range [][]string{{"restore", short}, {"backup", "verify", short}} {
			dst := emptyDatabase(t, src)
			_, err := runCmd(t, env("DATABASE_URL", dst, "XINGQU_BACKUP_KEY", secret), args...)
			if err == nil || !strings.Contains(err.Error(), "damaged or incomplete") {
				t.Errorf("%s of a truncated file (checksum file: %v): %v", args[0], withSum, err)
			}
			if n := len(rowCounts(t, dst)); n != 0 {
				t.Errorf("a failed restore left %d tables", n)
			}
		}
	}
}

func sameMessages(a, b []historyMessage) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// startServeEnv is startServe with an environment of the test's choosing.
func startServeEnv(t *testing.T, getenv func(string) string) (base string, logs *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, logs := &syncBuffer{}, &syncBuffer{}
	errc := make(chan error, 1)
	go func() { errc <- run(ctx, []string{"xingqu", "serve"}, getenv, nil, out, logs) }()
	var ended error
	t.Cleanup(func() {
		cancel()
		if ended == nil {
			<-errc
		}
	})
	waitFor(t, 15*time.Second, func() bool {
		select {
		case ended = <-errc:
			t.Fatalf("serve ended before it listened: %v\n%s", ended, logs.String())
		default:
		}
		s := out.String()
		if i := strings.Index(s, "listening on "); i >= 0 {
			base = strings.TrimSpace(s[i+len("listening on "):])
			return true
		}
		return false
	})
	return base, logs
}

// TestServeBacksUpOnceAcrossInstances runs two instances with daily backups on one
// database: one backup is taken, and both report it in their metrics.
func TestServeBacksUpOnceAcrossInstances(t *testing.T) {
	t.Parallel()
	u := storetest.URL(t)
	dir := t.TempDir()
	e := env("DATABASE_URL", u, "XINGQU_HTTP_ADDR", "127.0.0.1:0", "XINGQU_BACKUP_DIR", dir, "XINGQU_BACKUP_KEEP", "3")
	a, _ := startServeEnv(t, e)
	b, _ := startServeEnv(t, e)
	metric := func(base string) string {
		resp, err := http.Get(base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, line := range strings.Split(string(body), "\n") {
			if strings.HasPrefix(line, "xingqu_backup_last_success_timestamp_seconds ") {
				return strings.TrimPrefix(line, "xingqu_backup_last_success_timestamp_seconds ")
			}
		}
		return ""
	}
	waitFor(t, 30*time.Second, func() bool { v := metric(a); return v != "" && v != "0" })
	if va, vb := metric(a), metric(b); va != vb {
		t.Errorf("instances disagree on the last backup: %s and %s", va, vb)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "xingqu-*.tar"))
	if len(files) != 1 {
		t.Fatalf("backup folder holds %v, want one backup", files)
	}
	if _, err := backup.ReadManifest(files[0], backup.Key{}); err != nil {
		t.Errorf("the scheduled backup: %v", err)
	}
}

func TestOpsConfig(t *testing.T) {
	_, public, _ := backup.NewIdentity()
	c, err := parseConfig(env("XINGQU_BACKUP_DIR", "/srv/backups", "XINGQU_BACKUP_KEY", public,
		"DATABASE_URL", "postgres://app@pooler:6432/xingqu", "DATABASE_DIRECT_URL", "postgres://app@db:5432/xingqu"))
	if err != nil {
		t.Fatal(err)
	}
	if c.ops.BackupKeep != 7 || !c.ops.BackupKey.Encrypts() || c.sessionURL() != "postgres://app@db:5432/xingqu" {
		t.Errorf("parsed %+v", c.ops)
	}
	for _, tc := range []struct{ name, value string }{
		{"XINGQU_BACKUP_KEY", "short"},
		{"XINGQU_BACKUP_KEEP", "0"},
		{"DATABASE_DIRECT_URL", "mysql://db"},
	} {
		_, err := parseConfig(env(tc.name, tc.value))
		if err == nil || !strings.Contains(err.Error(), tc.name) {
			t.Errorf("%s=%s: %v, want an error naming the variable", tc.name, tc.value, err)
		}
		if tc.name == "XINGQU_BACKUP_KEY" && err != nil && strings.Contains(err.Error(), tc.value) {
			t.Errorf("the error repeats the key: %v", err)
		}
	}
}
