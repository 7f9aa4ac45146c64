package httpapi

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"xingqu/dialog"
	"xingqu/pipeline"
	"xingqu/providers/geo"
	"xingqu/store"
	"xingqu/store/storetest"
)

// The pipeline as the HTTP tests drive it; the pipeline's own tests have the same
// helpers beside them.

var testNow = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

func newPipeline(t testing.TB) *pipeline.Pipeline {
	t.Helper()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	return &pipeline.Pipeline{
		DB:     storetest.New(t),
		Engine: &dialog.Engine{Now: func() time.Time { return testNow }, DefaultLoc: sh, Places: geo.Places{}},
		Log:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

func transcript(t *testing.T, db *store.DB, convID int64) []store.Message {
	t.Helper()
	ms, err := store.Messages(context.Background(), db, convID, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// toPlanning walks a new conversation to the point where a plan job is queued.
func toPlanning(t testing.TB, p *pipeline.Pipeline, who string) int64 {
	t.Helper()
	var convID int64
	for i, text := range []string{"福州, 12月25日到12月28日, 每人2000, 带孩子, 喜欢海边", "好"} {
		id, _, err := p.Handle(context.Background(), pipeline.Inbound{Channel: "web", ExternalID: who, InboundID: fmt.Sprint(who, i), Text: text})
		if err != nil {
			t.Fatal(err)
		}
		convID = id
	}
	return convID
}

func planMessages(t testing.TB, db *store.DB, convID int64) int {
	t.Helper()
	var n int
	if err := db.GetContext(context.Background(), &n, `SELECT count(*) FROM messages WHERE conversation_id = $1 AND body->>'kind' = 'plan'`, convID); err != nil {
		t.Fatal(err)
	}
	return n
}

func waitUntil(t testing.TB, within time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// optionOf is the option of plan p on tier, or none.
func optionOf(p dialog.Plan, tier dialog.Tier) dialog.Option {
	for _, o := range p.Options {
		if o.Tier == tier {
			return o
		}
	}
	return dialog.Option{}
}
