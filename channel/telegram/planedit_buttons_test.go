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

// In Telegram: drop a place and add one by the inline buttons under a day, each
// answered with its version and what changed, with the other days as they were; the
// drop buttons carry places too long for callback_data, and still work.
func TestTelegramDropAndAddByButtons(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ModePolling, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	plan := func(_ context.Context, job pipeline.PlanJob, _ pipeline.ReportFunc) (dialog.Plan, error) {
		return offline.Plan(job.Trip, job.Lang, testNow), nil
	}
	w := &pipeline.PlanWorker{Pipeline: e.pipe, Plan: plan, Poll: 20 * time.Millisecond, Log: quietLog()}
	go w.Run(ctx)
	const chat = "1310"
	uid := 400
	next := func() int { uid++; return uid }
	card := func(v string) fakeReq {
		t.Helper()
		var got fakeReq
		waitFor(t, "the message with "+v, 20*time.Second, func() bool {
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
				e.say(callbackUpdate(next(), 1310, "zh-hans", m, d))
				return
			}
		}
		t.Fatalf("no %q button in %v (%s)", data, m.buttons(), m.Params.Get("text"))
	}
	e.say(textUpdate(next(), 1310, "zh-hans", "福州, 12月25日到12月28日, 每人2000, 带孩子, 喜欢海边"))
	e.say(textUpdate(next(), 1310, "zh-hans", "好"))
	press(card("第1版"), "a:choose:economical")
	press(card("你选择了「经济适用游」"), "a:day:2")
	press(card("第2天想怎么改"), "a:pe:pickdrop:2")
	ask := card("第2天去掉哪一个")
	bs := ask.buttons()
	if len(bs) < 2 {
		t.Fatalf("drop buttons %v", bs)
	}
	press(ask, bs[0])
	v2 := card("第2版")
	if text := v2.Params.Get("text"); !strings.Contains(text, "第2天：") || !strings.Contains(text, "自由活动") {
		t.Errorf("version 2 card %q does not say what changed", text)
	}
	press(v2, "a:day:3")
	press(card("第3天想怎么改"), "a:pe:askadd:3")
	card("第3天想加什么")
	e.say(textUpdate(next(), 1310, "zh-hans", "茶艺体验"))
	if text := card("第3版").Params.Get("text"); !strings.Contains(text, "第3天：") || !strings.Contains(text, "茶艺体验") {
		t.Errorf("version 3 card %q does not say what changed", text)
	}
	plans, err := store.Plans(context.Background(), e.db, e.conversation(chat))
	if err != nil || len(plans) != 3 {
		t.Fatalf("%d versions, want 3 (%v)", len(plans), err)
	}
	econ := func(v int) dialog.Option { return plans[v].Options[1] }
	if econ(0).Tier != dialog.TierEconomical {
		t.Fatalf("option 2 is %s", econ(0).Tier)
	}
	for _, d := range []int{0, 2, 3} {
		if econ(1).Days[d] != econ(0).Days[d] {
			t.Errorf("the drop changed day %d", d+1)
		}
	}
	for _, d := range []int{0, 1, 3} {
		if econ(2).Days[d] != econ(1).Days[d] {
			t.Errorf("the add changed day %d", d+1)
		}
	}
	e.checkAllValid()
}
