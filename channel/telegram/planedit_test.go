package telegram

import (
	"context"
	"strings"
	"testing"
	"time"

	"xingqu/dialog"
	"xingqu/pipeline"
	"xingqu/providers/offline"
	"xingqu/store"
)

// In Telegram: choose an option by its inline button, change day 2 by buttons, undo by
// button and restore an older version by words, each answered with its version and what
// changed, every button within Telegram's limits.
func TestTelegramChooseEditUndoRestore(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ModePolling, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	plan := func(_ context.Context, job pipeline.PlanJob, _ pipeline.ReportFunc) (dialog.Plan, error) {
		return offline.Plan(job.Trip, job.Lang, testNow), nil
	}
	w := &pipeline.PlanWorker{Pipeline: e.pipe, Plan: plan, Poll: 20 * time.Millisecond, Log: quietLog()}
	go w.Run(ctx)
	const chat = "1300"
	uid := 300
	next := func() int { uid++; return uid }
	// card waits for the message that shows version v and returns it.
	card := func(v string) fakeReq {
		t.Helper()
		var got fakeReq
		waitFor(t, "the card of "+v, 20*time.Second, func() bool {
			for _, m := range e.fake.sent("sendMessage", chat) {
				if strings.Contains(m.Params.Get("text"), v) {
					got = m
					return true
				}
			}
			return false
		})
		e.settle()
		return got
	}
	press := func(m fakeReq, data string) {
		t.Helper()
		for _, d := range m.buttons() {
			if d == data {
				e.say(callbackUpdate(next(), 1300, "zh-hans", m, d))
				return
			}
		}
		t.Fatalf("no %q button in %v (%s)", data, m.buttons(), m.Params.Get("text"))
	}
	e.say(textUpdate(next(), 1300, "zh-hans", "福州, 12月25日到12月28日, 每人2000, 带孩子, 喜欢海边"))
	e.say(textUpdate(next(), 1300, "zh-hans", "好"))
	v1 := card("第1版")
	press(v1, "a:choose:economical")
	chosen := card("你选择了「经济适用游」")
	if tier, err := store.ChosenOption(context.Background(), e.db, e.conversation(chat)); err != nil || tier != dialog.TierEconomical {
		t.Fatalf("chosen %q, %v", tier, err)
	}
	press(chosen, "a:day:2")
	ask := card("第2天想怎么改")
	press(ask, "a:pe:in:2")
	v2 := card("第2版")
	if !strings.Contains(v2.Params.Get("text"), "第2天：") {
		t.Errorf("version 2 card %q does not say what changed", v2.Params.Get("text"))
	}
	press(v2, "a:pe:undo")
	card("第3版")
	e.say(textUpdate(next(), 1300, "zh-hans", "用第2版"))
	v4 := card("第4版")
	if !strings.Contains(v4.Params.Get("text"), "第2天：") {
		t.Errorf("version 4 card %q does not say what changed", v4.Params.Get("text"))
	}
	plans, err := store.Plans(context.Background(), e.db, e.conversation(chat))
	if err != nil || len(plans) != 4 {
		t.Fatalf("%d versions, want 4 (%v)", len(plans), err)
	}
	if plans[3].Options[1].Days[1] != plans[1].Options[1].Days[1] || plans[2].Options[1].Days[1] != plans[0].Options[1].Days[1] {
		t.Error("undo and restore did not bring back the versions' days")
	}
	e.checkAllValid()
}
