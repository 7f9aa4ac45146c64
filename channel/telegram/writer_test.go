package telegram

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"xingqu/dialog"
	"xingqu/pipeline"
	"xingqu/providers/offline"
	"xingqu/store"
	"xingqu/store/storetest"
)

// Each turn is answered with one message, and a plan that arrives within a second of
// the request replaces the "working on it" notice: the traveller sees "typing…", then
// the plan.
func TestOneMessagePerTurnAndTypingBeforeAQuickPlan(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	pipe := newPipeline(db)
	pipe.Outbox = New(Config{Token: testToken}, db, pipe, nil, quietLog(), nil)
	type row struct {
		Method    string    `db:"method"`
		Text      string    `db:"text"`
		Key       string    `db:"key"`
		NotBefore time.Time `db:"not_before"`
	}
	var seen int64
	newRows := func() []row {
		t.Helper()
		var rs []row
		err := db.SelectContext(ctx, &rs, `
SELECT method, COALESCE(params->>'text', '') AS text, COALESCE(dedupe_key, '') AS key, not_before
FROM outbox WHERE id > $1 ORDER BY id`, seen)
		if err != nil {
			t.Fatal(err)
		}
		db.GetContext(ctx, &seen, `SELECT COALESCE(max(id), 0) FROM outbox`)
		return rs
	}
	say := func(n int, text string) []row {
		t.Helper()
		in := pipeline.Inbound{Channel: "telegram", ExternalID: "9901", InboundID: "tg:" + string(rune('a'+n)), LangHint: "zh-hans", Text: text}
		if _, _, err := pipe.Handle(ctx, in); err != nil {
			t.Fatal(err)
		}
		return newRows()
	}
	for i, text := range []string{"/start", "福州, 12月25日到12月30日, 每人2000, 带孩子", "喜欢海边和闽菜"} {
		rs := say(i, text)
		if len(rs) != 1 || rs[0].Method != "sendMessage" {
			t.Fatalf("turn %q wrote %+v, want one message", text, rs)
		}
	}
	rs := say(3, "好的")
	if len(rs) != 2 || rs[0].Method != "sendChatAction" || rs[1].Method != "sendMessage" ||
		!strings.HasPrefix(rs[1].Key, "tgworking:") || time.Until(rs[1].NotBefore) < 500*time.Millisecond {
		t.Fatalf("confirming wrote %+v, want typing now and the notice held back", rs)
	}

	var convID int64
	db.GetContext(ctx, &convID, `SELECT conversation_id FROM inbox ORDER BY id DESC LIMIT 1`)
	jobs, err := store.Jobs(ctx, db, convID)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("jobs %v %v", jobs, err)
	}
	var job pipeline.PlanJob
	json.Unmarshal(jobs[0].Payload, &job)
	p := offline.Plan(job.Trip, job.Lang, testNow)
	if err := pipe.Event(ctx, convID, dialog.Inbound{Event: dialog.EventPlanReady, Plan: &p, PlanRequest: job.PlanRequest}); err != nil {
		t.Fatal(err)
	}
	rs = newRows()
	if len(rs) != 1 || rs[0].Method != "sendMessage" || !strings.Contains(rs[0].Text, "福州") {
		t.Fatalf("the plan wrote %+v, want one message with the card", rs)
	}
	var notices int
	db.GetContext(ctx, &notices, `SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'tgworking:%'`)
	if notices != 0 {
		t.Fatal("the notice the plan made needless is still queued")
	}
}
