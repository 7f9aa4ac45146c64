package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"xingqu/api"
	"xingqu/store"
)

// A preview that grows on encoding (markup is escaped six times over) is cut to fit a
// notification instead of being dropped by PostgreSQL.
func TestProgressPayloadFitsANotification(t *testing.T) {
	for name, preview := range map[string]string{
		"markup":  strings.Repeat("<", 2000),
		"control": strings.Repeat("\x01", 2000),
		"chinese": strings.Repeat("豪", 700),
	} {
		b, err := progressPayload(Progress{ConversationID: 1, Provider: strings.Repeat("p", 500), Preview: preview})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var back Progress
		if len(b) > store.MaxNotifyPayload || json.Unmarshal(b, &back) != nil || back.Preview == "" || !strings.HasSuffix(preview, back.Preview) {
			t.Errorf("%s: %d bytes, preview %d bytes: want a payload under %d with the end of the preview", name, len(b), len(back.Preview), store.MaxNotifyPayload)
		}
	}
}

// countingHandler counts log records at warning level and above.
type countingHandler struct{ n *atomic.Int32 }

func (h countingHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }
func (h countingHandler) Handle(context.Context, slog.Record) error    { h.n.Add(1); return nil }
func (h countingHandler) WithAttrs([]slog.Attr) slog.Handler           { return h }
func (h countingHandler) WithGroup(string) slog.Handler                { return h }

// A planning worker whose database is down backs off instead of trying (and logging)
// every 250 ms.
func TestPlanWorkerBacksOffWhileDatabaseDown(t *testing.T) {
	// A pool that has never reached its server is what a worker sees when the server goes away.
	pool, err := sqlx.Open("postgres", "postgres://nobody@127.0.0.1:1/x?sslmode=disable&connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	db := &store.DB{DB: pool}
	defer db.Close()
	var logged atomic.Int32
	w := &PlanWorker{Pipeline: &Pipeline{DB: db}, Log: slog.New(countingHandler{&logged})}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	w.Run(ctx)
	if n := logged.Load(); n > 6 {
		t.Errorf("%d warnings in 4 s with the database down, want a back-off (at most 6)", n)
	}
}

// A JSON body followed by more data is refused: a proxy and the service must not read
// two different requests out of one body.
func TestJSONWithTrailingDataRefused(t *testing.T) {
	e := newWebEnv(t)
	var ae api.Error
	if code := e.do("POST", "/api/login", "", `{"username":"a","password":"b"} {"username":"admin"}`, &ae); code != 400 || ae.Code != "E-400" {
		t.Errorf("body with a second object: %d %+v, want 400", code, ae)
	}
	if code := e.do("POST", "/api/login", "", `{"username":"a","password":"b"}`+"\n", nil); code != 401 {
		t.Errorf("body with a trailing newline: %d, want 401 (a plain failed login)", code)
	}
	if code := e.do("POST", "/api/login", "", map[string]string{"username": strings.Repeat("u", MaxUsernameLen+1), "password": "whatever12345"}, &ae); code != 400 || ae.Field != "username" {
		t.Errorf("username over %d bytes: %d %+v, want 400 naming username", MaxUsernameLen, code, ae)
	}
}

// Once the server has begun to close, a message is stored but no turn starts for it:
// the wait for turns in flight must not race new ones, and the database may be closed
// next. The sweeper or the next start handles the message.
func TestNoTurnStartsAfterClose(t *testing.T) {
	e := newWebEnv(t)
	ws := e.session("en")
	// Turns starting while Close waits: under the race detector a WaitGroup added to
	// while it is waited for at zero is reported.
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.do("POST", "/api/widget/messages", ws.Token, map[string]string{"text": fmt.Sprint("hi ", i)}, nil)
		}()
		if i == 10 {
			go e.srv.Close()
		}
	}
	wg.Wait()
	e.srv.Close()
	if code := e.do("POST", "/api/widget/messages", ws.Token, map[string]string{"text": "after close"}, nil); code != 202 {
		t.Fatalf("message after close: %d, want 202 (stored for later)", code)
	}
	time.Sleep(300 * time.Millisecond)
	var pending int
	e.db.Get(&pending, `SELECT count(*) FROM inbox WHERE handled_at IS NULL AND payload->>'text' = 'after close'`)
	if pending != 1 {
		t.Errorf("a turn ran after the server closed")
	}
}
