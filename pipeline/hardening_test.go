package pipeline

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

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
